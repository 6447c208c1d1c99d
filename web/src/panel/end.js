// An end event has nothing to set; its panel says what reaching it does to the dossier
// (bpmn-dialect.md, "What an outcome means"), so a designer knows which end to draw.
import { Group } from '@bpmn-io/properties-panel';
import { html } from './common.js';

function Ending(props) {
  const { element, id } = props;
  const terminate = (element.businessObject.eventDefinitions || [])
    .some((d) => d.$instanceOf('bpmn:TerminateEventDefinition'));
  return html`<div class="bio-properties-panel-entry motcua-inherited" data-entry-id=${id}>
    <p>Khi hồ sơ tới đây, việc giải quyết kết thúc: hồ sơ có kết quả; nếu một bước trước đó đã chọn kết quả
      có ý nghĩa "Từ chối" (và không bị trả lại sau đó), hồ sơ kết thúc ở trạng thái từ chối và phát hành Mẫu 03.</p>
    ${terminate ? html`<p>Kết thúc dừng hẳn: mọi nhánh khác còn đang chạy của hồ sơ cũng dừng.</p>` : null}
  </div>`;
}

export function endGroup(element) {
  return {
    id: 'motcua-end',
    label: 'Kết thúc',
    component: Group,
    shouldOpen: true,
    entries: [{ id: 'motcua-end', element, component: Ending, isEdited: () => false }]
  };
}
