// A step's outcomes as rows of key, label and meaning, stored in the one `outcomes`
// property (key:meaning=Label;...). The meaning is always written, so the platform never
// has to guess from a key's wording.
import { ListGroup, SelectEntry, TextFieldEntry, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { formatOutcomes, getProperty, parseOutcomes, setProperty } from '../dialect.js';
import { html, remember, typedOr } from './common.js';
import { meaningOptions } from './options.js';

function writer(injector, element) {
  return (outcomes) => setProperty(injector, element, element.businessObject, 'outcomes', formatOutcomes(outcomes));
}

// The key a new row gets until the designer labels it (see `add` below).
const PLACEHOLDER = /^ket_qua_\d+$/;

/** "Xin ý kiến cơ quan phối hợp" -> "xin_y_kien_co_quan_phoi_hop": whole words, at most 32
 * characters; "" when the label gives no usable key. */
export function keyFromLabel(label) {
  const plain = (label || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
  let key = '';
  for (const word of plain.split(/[^a-z0-9]+/).filter(Boolean)) {
    const next = key ? `${key}_${word}` : word;
    if (next.length > 32) break;
    key = next;
  }
  return /^[a-z]/.test(key) ? key : '';
}

/** A placeholder key, or one made from the label before, follows the label (typed in
 * debounced pieces), so conditions and the server's messages name the outcome in words;
 * never a key the designer wrote, nor one a condition tests, which it would break. */
function renamedKey(row, label, list, registry) {
  const made = keyFromLabel(row.label);
  const derived = PLACEHOLDER.test(row.key) || (made && new RegExp(`^${made}(_\\d+)?$`).test(row.key));
  if (!derived) return row.key;
  const tested = registry.some((e) => {
    const c = e.businessObject && e.businessObject.conditionExpression;
    return Boolean(c && c.body) && c.body.includes(`"${row.key}"`);
  });
  const base = keyFromLabel(label);
  if (tested || !base) return row.key;
  let key = base;
  for (let n = 2; list.some((o) => o !== row && o.key === key); n += 1) key = `${base}_${n}`;
  return key;
}

function OutcomeField(props) {
  const { element, id, index, field, label, config } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  const registry = useService('elementRegistry');
  const current = () => parseOutcomes(getProperty(element.businessObject, 'outcomes'));
  const setValue = (value) => {
    const list = current();
    if (!list[index]) return;
    const text = (value || '').trim();
    remember(element.businessObject, `outcome-${index}-${field}`, value);
    const row = { ...list[index], [field]: text };
    if (field === 'label') row.key = renamedKey(list[index], text, list, registry.getAll());
    list[index] = row;
    writer(injector, element)(list);
  };
  const stored = () => (current()[index] || {})[field] || '';
  const getValue = () => (field === 'meaning' ? stored()
    : typedOr(element.businessObject, `outcome-${index}-${field}`, stored()));
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
