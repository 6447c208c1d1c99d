// Entry factories for the dialect's properties: a pick list or a text field bound to one
// spiffworkflow:property of the element. The components are defined once, at module level:
// the panel spreads each entry's fields into its component's props, and a component created
// per render would be remounted on every change (losing focus while the designer types).
import { h } from '@bpmn-io/properties-panel/preact';
import htm from 'htm';
import { SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getProperty, setProperty } from '../dialect.js';

export const html = htm.bind(h);

/** Entry ids are stable per property so a problem can point at its field. */
export function entryId(name) {
  return `motcua-${name}`;
}

// What the designer last typed in a text field, per element and field. Saves are debounced
// and store the value trimmed; read back, the trimmed value replaced the input's text, so a
// space typed before a pause vanished and the next word was glued on ("Xin" + "ý kiến").
const typed = new WeakMap();

export function remember(bo, slot, raw) {
  typed.set(bo, { ...(typed.get(bo) || {}), [slot]: raw || '' });
}

/** The text typed, while it differs from what is stored only by its spaces at the ends;
 * else what is stored (a time written "4 giờ" then shows as the "4h" it became). */
export function typedOr(bo, slot, stored) {
  const raw = (typed.get(bo) || {})[slot];
  return raw !== undefined && raw.trim() === stored ? raw : stored;
}

function described(description, bo) {
  return typeof description === 'function' ? description(bo) : description;
}

function PropertySelect(props) {
  const { element, id, name, label, options, description } = props;
  const injector = useService('injector');
  const bo = element.businessObject;
  return html`<${SelectEntry}
    id=${id} element=${element} label=${label} description=${described(description, bo)}
    getValue=${() => getProperty(bo, name)}
    setValue=${(value) => setProperty(injector, element, bo, name, value)}
    getOptions=${() => options(bo)}
  />`;
}

function PropertyText(props) {
  const { element, id, name, label, description, validate, normalize = (v) => v } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  const bo = element.businessObject;
  return html`<${TextFieldEntry}
    id=${id} element=${element} label=${label} description=${described(description, bo)}
    debounce=${debounce} validate=${validate}
    getValue=${() => typedOr(bo, name, getProperty(bo, name))}
    setValue=${(value) => {
      remember(bo, name, value);
      setProperty(injector, element, bo, name, normalize((value || '').trim()));
    }}
  />`;
}

export function selectEntry({ element, name, label, options, description }) {
  return { id: entryId(name), element, name, label, options, description,
    component: PropertySelect, isEdited: isSelectEntryEdited };
}

export function textEntry({ element, name, label, description, validate, normalize }) {
  return { id: entryId(name), element, name, label, description, validate, normalize,
    component: PropertyText, isEdited: isTextFieldEntryEdited };
}

/** A pick list's options, with a first "none" option and the current value kept even when it
 * is not (or no longer) in the list, so opening the panel never rewrites what is there. */
export function withCurrent(current, options, none = '— chưa chọn —') {
  const all = [{ value: '', label: none }, ...options];
  const known = (list) => list.some((o) => o.value === current || (o.children && known(o.children)));
  if (current && !known(all)) all.push({ value: current, label: `${current} (không có trong danh sách)` });
  return all;
}
