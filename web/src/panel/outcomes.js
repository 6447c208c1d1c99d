// A step's outcomes as rows of key, label and meaning, stored in the one `outcomes`
// property (key:meaning=Label;...). The meaning is always written, so the platform never
// has to guess from a key's wording.
import { ListGroup, SelectEntry, TextFieldEntry, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { formatOutcomes, getProperty, parseOutcomes, setProperty } from '../dialect.js';
import { html } from './common.js';
import { meaningOptions } from './options.js';

function writer(injector, element) {
  return (outcomes) => setProperty(injector, element, element.businessObject, 'outcomes', formatOutcomes(outcomes));
}

function OutcomeField(props) {
  const { element, id, index, field, label, config } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  const current = () => parseOutcomes(getProperty(element.businessObject, 'outcomes'));
  const setValue = (value) => {
    const list = current();
    if (!list[index]) return;
    list[index] = { ...list[index], [field]: (value || '').trim() };
    writer(injector, element)(list);
  };
  const getValue = () => (current()[index] || {})[field] || '';
  if (field === 'meaning') {
    return html`<${SelectEntry} id=${id} element=${element} label=${label}
      getValue=${getValue} setValue=${setValue} getOptions=${() => meaningOptions(config)} />`;
  }
  const validate = field === 'key'
    ? (v) => (/^[a-z][a-z0-9_]*$/.test(v || '') ? null : 'Khóa viết thường, không dấu: a-z, 0-9, _ (ví dụ dong_y).')
    : (v) => ((v || '').trim() ? null : 'Nhập nhãn của nút.');
  return html`<${TextFieldEntry} id=${id} element=${element} label=${label} debounce=${debounce}
    validate=${validate} getValue=${getValue} setValue=${setValue} />`;
}

export function outcomesGroup(element, injector, config) {
  const write = writer(injector, element);
  const list = parseOutcomes(getProperty(element.businessObject, 'outcomes'));
  const meaningLabel = (m) => (config.meanings.find((x) => x.value === m) || { label: m }).label;
  const items = list.map((o, index) => {
    const base = `motcua-outcome-${index}`;
    const field = (name, label) => ({
      id: `${base}-${name}`, index, field: name, label, config,
      component: OutcomeField, isEdited: isTextFieldEntryEdited
    });
    return {
      id: base,
      label: `${o.label || '(chưa có nhãn)'} — ${meaningLabel(o.meaning)}`,
      entries: [field('label', 'Nhãn nút'), field('key', 'Khóa (dùng trong điều kiện)'), field('meaning', 'Ý nghĩa')],
      autoFocusEntry: `${base}-label`,
      remove: () => write(list.filter((_, i) => i !== index))
    };
  });
  const add = (event) => {
    // The button sits in the group's header, whose click toggles the group: without this
    // an open list would close on the row just added.
    if (event) event.stopPropagation();
    let n = list.length + 1;
    while (list.some((o) => o.key === `ket_qua_${n}`)) n += 1;
    write([...list, { key: `ket_qua_${n}`, label: `Kết quả ${n}`, meaning: 'forward' }]);
  };
  return { id: 'motcua-outcomes', label: 'Kết quả xử lý (các nút)', component: ListGroup, items, add, shouldOpen: true };
}
