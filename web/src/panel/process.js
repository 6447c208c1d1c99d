// The pool (or the process when nothing is selected): the procedure's time limit and the
// decision's step table, each row with the step of the diagram that carries it out (a click
// selects it) or the words "no step yet" — where a finding on the whole process is fixed.
import { Group, useShowEntryEvent } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { durationMinutes, durationText, getProperty } from '../dialect.js';
import { html } from './common.js';

export const ROWS = 'motcua-rows';
const STEPS = ['bpmn:UserTask', 'bpmn:ManualTask'];

function Rows(props) {
  const { id, config } = props;
  const registry = useService('elementRegistry');
  const selection = useService('selection');
  const ref = useShowEntryEvent(id);
  const tasks = registry.filter((e) => e.businessObject && STEPS.some((t) => e.businessObject.$instanceOf(t)));
  const carrying = (no) => tasks.filter((t) => getProperty(t.businessObject, 'row') === String(no));
  const limit = durationMinutes(config.procedure.time_limit);
  const time = (text) => {
    const minutes = durationMinutes(text);
    return minutes === null ? text : durationText(minutes);
  };
  return html`<div class="bio-properties-panel-entry motcua-rows" data-entry-id=${id} ref=${ref} tabIndex="-1">
    <p>Thủ tục ${config.procedure.code}${limit ? `, thời hạn giải quyết ${durationText(limit)}` : ''}.
      Các bước trong quyết định công bố và bước thực hiện trên sơ đồ:</p>
    <ol>${config.steps.map((step) => {
      const found = carrying(step.no);
      return html`<li key=${step.no}>
        <span>Bước ${step.no}: ${step.work}${step.time ? ` (${time(step.time)})` : ''}</span>
        ${found.length ? found.map((t) => html`<button type="button" class="motcua-link" data-task-id=${t.id}
            onClick=${() => selection.select(t)}>→ ${t.businessObject.name || t.id}</button>`)
          : html`<em class="motcua-missing">chưa có bước nào: chọn bước trên sơ đồ và đặt "Bước trong quyết định công bố".</em>`}
      </li>`;
    })}</ol>
  </div>`;
}

export function processGroup(element, config) {
  return {
    id: 'motcua-process',
    label: 'Quy trình nội bộ theo quyết định',
    component: Group,
    shouldOpen: true,
    entries: [{ id: ROWS, element, config, component: Rows, isEdited: () => false }]
  };
}
