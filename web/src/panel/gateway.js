// A gateway has no property of its own: it routes by the conditions of its outgoing flows.
// Its panel says so, lists those flows with what each waits for (a click selects the flow,
// where the condition is chosen), names the outcomes no flow takes yet and tells how to add
// a branch; a problem found on the gateway is shown here too.
import { Group, useError, useShowEntryEvent } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { conditionOutcome, getProperty, parseOutcomes } from '../dialect.js';
import { stepsBefore } from './flow.js';
import { html } from './common.js';

export const BRANCHES = 'motcua-branches';

function outcomesBefore(gateway) {
  return stepsBefore(gateway).flatMap((step) => parseOutcomes(getProperty(step, 'outcomes')));
}

/** What a flow out of ``gateway`` waits for, in words. */
export function branchText(gateway, flow, outcomes) {
  if (gateway.default === flow) return 'luồng mặc định (khi không luồng nào khác khớp)';
  const body = (flow.conditionExpression && flow.conditionExpression.body) || '';
  if (!body.trim()) return 'chưa có điều kiện';
  const key = conditionOutcome(body);
  const outcome = key && outcomes.find((o) => o.key === key);
  if (outcome) return `khi kết quả là "${outcome.label || outcome.key}"`;
  return `biểu thức: ${body.trim()}`;
}

/** Outcomes of the steps before the gateway that no outgoing flow tests: null when a typed
 * expression or a default flow may take them (only the server can tell then). */
export function unrouted(gateway) {
  const flows = gateway.get('outgoing') || [];
  if (gateway.default) return null;
  const tested = new Set();
  for (const flow of flows) {
    const body = (flow.conditionExpression && flow.conditionExpression.body) || '';
    if (!body.trim()) continue;
    const key = conditionOutcome(body);
    if (!key) return null;
    tested.add(key);
  }
  return outcomesBefore(gateway).filter((o) => !tested.has(o.key));
}

function Branches(props) {
  const { element, id } = props;
  const selection = useService('selection');
  const registry = useService('elementRegistry');
  const error = useError(id);
  const ref = useShowEntryEvent(id);
  const bo = element.businessObject;
  const parallel = bo.$instanceOf('bpmn:ParallelGateway');
  const flows = bo.get('outgoing') || [];
  const outcomes = outcomesBefore(bo);
  const steps = stepsBefore(bo).map((s) => `"${s.name || s.id}"`);
  const missing = parallel ? [] : unrouted(bo) || [];
  const intro = parallel
    ? 'Cổng song song: hồ sơ đi cùng lúc theo mọi luồng ra; các nhánh gặp lại ở một cổng song song khác.'
    : `Cổng chọn một đường đi${steps.length ? ` theo kết quả của bước ${steps.join(', ')}` : ''}. ` +
      'Điều kiện đặt trên từng luồng ra: bấm vào một luồng dưới đây để chọn điều kiện.';
  const target = (flow) => (flow.targetRef ? flow.targetRef.name || flow.targetRef.id : '(chưa nối)');
  return html`<div class="bio-properties-panel-entry motcua-branches" data-entry-id=${id} ref=${ref} tabIndex="-1">
    <p>${intro}</p>
    ${flows.length ? html`<ul>${flows.map((flow) => html`<li key=${flow.id}>
        <button type="button" class="motcua-link" data-flow-id=${flow.id}
          onClick=${() => selection.select(registry.get(flow.id))}>
          → ${target(flow)}${parallel ? '' : `: ${branchText(bo, flow, outcomes)}`}</button></li>`)}</ul>`
      : html`<p>Chưa có luồng ra nào.</p>`}
    ${missing.length ? html`<p class="motcua-missing">Chưa có luồng cho kết quả: ${
      missing.map((o) => `"${o.label || o.key}"`).join(', ')}.</p>` : null}
    <p class="motcua-hint">Thêm nhánh: chọn cổng, kéo biểu tượng mũi tên "Nối tới phần tử khác" tới bước cần đến, rồi chọn điều kiện cho luồng mới.</p>
    ${error ? html`<p class="bio-properties-panel-error">${error}</p>` : null}
  </div>`;
}

export function gatewayGroup(element) {
  return {
    id: 'motcua-gateway',
    label: 'Các nhánh của cổng',
    component: Group,
    shouldOpen: true,
    entries: [{ id: BRANCHES, element, component: Branches, isEdited: () => false }]
  };
}
