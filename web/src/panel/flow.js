// A gateway's outgoing flow gets its condition by choosing "when the outcome of <step> is
// <label>", which writes `outcome == "<key>"`. An expert may still type an expression; the
// server checks it like any other.
import { Group, SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { conditionOutcome, getProperty, outcomeCondition, parseOutcomes } from '../dialect.js';
import { html, remember, typedOr } from './common.js';

const STEP_TYPES = ['bpmn:UserTask', 'bpmn:ManualTask'];
const CONDITIONAL_GATEWAYS = ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'];

function isAny(bo, types) {
  return types.some((t) => bo.$instanceOf(t));
}

/** The steps whose outcome a gateway decides on: reached backwards through gateways only. */
export function stepsBefore(gateway) {
  const found = [];
  const seen = new Set();
  const walk = (node) => {
    for (const flow of node.get('incoming') || []) {
      const source = flow.sourceRef;
      if (!source || seen.has(source.id)) continue;
      seen.add(source.id);
      if (isAny(source, STEP_TYPES)) found.push(source);
      else if (source.$instanceOf('bpmn:Gateway')) walk(source);
    }
  };
  walk(gateway);
  return found;
}

export function isGatewayFlow(bo) {
  return bo.$instanceOf('bpmn:SequenceFlow') && bo.sourceRef && isAny(bo.sourceRef, CONDITIONAL_GATEWAYS);
}

// The outcome's label comes first: a closed pick list in the panel's width shows only the
// start of its text, and the step's long name would hide which outcome was chosen. The step
// is named in the field's description (and in each option when the gateway has several).
function choices(bo) {
  const options = [];
  const steps = stepsBefore(bo.sourceRef);
  for (const step of steps) {
    const of = steps.length > 1 ? ` (bước "${step.name || step.id}")` : '';
    for (const o of parseOutcomes(getProperty(step, 'outcomes'))) {
      options.push({ value: `${step.id}|${o.key}`, key: o.key,
        label: `khi kết quả là "${o.label || o.key}"${of}` });
    }
  }
  return options;
}

function stepsText(bo) {
  const names = stepsBefore(bo.sourceRef).map((step) => `"${step.name || step.id}"`);
  return names.length ? `Theo kết quả của bước ${names.join(', ')}.` : undefined;
}

function body(bo) {
  return (bo.conditionExpression && bo.conditionExpression.body) || '';
}

function writeCondition(injector, element, text) {
  const modeling = injector.get('modeling');
  const moddle = injector.get('moddle');
  const value = (text || '').trim();
  const existing = element.businessObject.conditionExpression;
  if (value && existing) {
    // The expression element stays, with what another tool wrote on it (camunda:resource
    // ...); only its language goes, which described the text replaced.
    modeling.updateModdleProperties(element, existing, { body: value, language: undefined });
    return;
  }
  modeling.updateProperties(element, {
    conditionExpression: value ? moddle.create('bpmn:FormalExpression', { body: value }) : undefined
  });
}

function ConditionChoice(props) {
  const { element, id } = props;
  const injector = useService('injector');
  const bo = element.businessObject;
  const options = choices(bo);
  const getValue = () => {
    const text = body(bo);
    if (!text) return '';
    const key = conditionOutcome(text);
    const match = key && options.find((o) => o.key === key);
    return match ? match.value : '__expert__';
  };
  const getOptions = () => {
    const list = [{ value: '', label: '— không điều kiện —' }, ...options];
    if (getValue() === '__expert__') list.push({ value: '__expert__', label: 'biểu thức tự nhập (xem bên dưới)' });
    return list;
  };
  const setValue = (value) => {
    if (value === '__expert__') return;
    const chosen = options.find((o) => o.value === value);
    writeCondition(injector, element, chosen ? outcomeCondition(chosen.key) : '');
  };
  const description = options.length ? stepsText(bo)
    : 'Bước trước cổng chưa có kết quả (nút) nào: thêm kết quả cho bước đó trước.';
  return html`<${SelectEntry} id=${id} element=${element} label="Đi theo luồng này"
    description=${description} getValue=${getValue} setValue=${setValue} getOptions=${getOptions} />`;
}

function ConditionText(props) {
  const { element, id } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  return html`<${TextFieldEntry} id=${id} element=${element} debounce=${debounce}
    label="Biểu thức điều kiện (dành cho người thành thạo)"
    description=${'Được máy chủ kiểm tra; ví dụ: outcome == "dong_y" and le_phi > 0.'}
    getValue=${() => typedOr(element.businessObject, 'condition', body(element.businessObject))}
    setValue=${(value) => {
      remember(element.businessObject, 'condition', value);
      writeCondition(injector, element, value);
    }} />`;
}

export function flowGroup(element) {
  return {
    id: 'motcua-flow',
    label: 'Điều kiện rẽ nhánh',
    component: Group,
    shouldOpen: true,
    entries: [
      { id: 'motcua-condition', element, component: ConditionChoice, isEdited: isSelectEntryEdited },
      { id: 'motcua-condition-expression', element, component: ConditionText, isEdited: isTextFieldEntryEdited }
    ]
  };
}
