// An officer step (user or manual task): who (inherited from its lane unless overridden),
// which form, how long, which document it issues, which decision row it carries out, and
// which form fields hold the next assignee, the reason and the missing papers.
import { Group } from '@bpmn-io/properties-panel';
import { dialectDuration, durationMinutes, durationText, getProperty } from '../dialect.js';
import { entryId, html, selectEntry, textEntry, withCurrent } from './common.js';
import { inheritedText, laneOf } from './lane.js';
import {
  documentOptions, fieldOptions, formOptions, labelOf, roleOptions, rowOptions, unitLabel, unitOptions
} from './options.js';

function Inherited(props) {
  const { element, config } = props;
  // Shown, not edited: what the step takes from its lane when it sets nothing itself.
  return html`<div class="bio-properties-panel-entry motcua-inherited" data-entry-id="motcua-inherited">
    <p>${inheritedText(element.businessObject, config)}</p>
  </div>`;
}

function fromLane(bo, name, describe) {
  const lane = laneOf(bo);
  const value = lane ? getProperty(lane, name) : '';
  return `— theo làn${value ? `: ${describe(value)}` : ' (chưa đặt)'} —`;
}

function allottedDescription(bo) {
  const minutes = durationMinutes(getProperty(bo, 'allotted'));
  if (minutes === null) return 'Không đọc được: viết 0.5d, 4h, 30m, 1d4h (d = ngày làm việc 8 giờ) hoặc "0,5 ngày", "4 giờ".';
  if (minutes === 0) return 'Không tính thời gian (0 hoặc để trống). Ví dụ: 0.5d, 4h, 30m.';
  // Vietnamese writes decimals with a comma, as the server's messages do: "= 0,5 ngày".
  const hours = String(minutes / 60).replace('.', ',');
  const text = minutes % 240 === 0 ? `${durationText(minutes)} làm việc (${hours} giờ)` : `${durationText(minutes)} làm việc`;
  return `= ${text}. Ví dụ: 0.5d (nửa ngày), 4h, 30m.`;
}

export function taskGroup(element, config) {
  const human = [
    { id: 'motcua-inherited', element, config, component: Inherited },
    selectEntry({
      element, name: 'role', label: 'Vai trò (riêng của bước)',
      options: (bo) => withCurrent(getProperty(bo, 'role'), roleOptions(config),
        fromLane(bo, 'role', (v) => labelOf(config.roles, v)))
    }),
    selectEntry({
      element, name: 'unit', label: 'Đơn vị (riêng của bước)',
      options: (bo) => withCurrent(getProperty(bo, 'unit'), unitOptions(config),
        fromLane(bo, 'unit', (v) => unitLabel(config, v)))
    }),
    selectEntry({
      element, name: 'form', label: 'Biểu mẫu của bước',
      options: (bo) => withCurrent(getProperty(bo, 'form'), formOptions(config), '— không có biểu mẫu —')
    }),
    // Written the way the decision writes it ("0,5 ngày", "4 giờ") is understood too.
    textEntry({ element, name: 'allotted', label: 'Thời gian giải quyết', description: allottedDescription,
      normalize: dialectDuration }),
    selectEntry({
      element, name: 'row', label: 'Bước trong quyết định công bố',
      description: 'Bước của bảng quy trình nội bộ mà bước này thực hiện (đối chiếu thời gian, trách nhiệm).',
      options: (bo) => withCurrent(getProperty(bo, 'row'), rowOptions(config), '— không ứng với bước nào —')
    }),
    selectEntry({
      element, name: 'document', label: 'Văn bản phát hành khi hoàn thành',
      options: (bo) => withCurrent(getProperty(bo, 'document'), documentOptions(config), '— không phát hành —')
    }),
    fieldEntry(element, config, 'assignee_field', 'Trường chọn người xử lý bước sau', ['string']),
    fieldEntry(element, config, 'reason_field', 'Trường ghi lý do (từ chối, bổ sung, trả lại)', ['string']),
    fieldEntry(element, config, 'missing_field', 'Trường danh sách giấy tờ cần bổ sung', ['array'])
  ];
  return { id: 'motcua-task', label: 'Cấu hình bước xử lý', component: Group, shouldOpen: true, entries: human };
}

function fieldEntry(element, config, name, label, types) {
  return selectEntry({
    element, name, label,
    description: (bo) => (getProperty(bo, 'form') ? undefined : 'Chọn biểu mẫu của bước trước.'),
    options: (bo) => withCurrent(getProperty(bo, name), fieldOptions(config, getProperty(bo, 'form'), types), '— không dùng —')
  });
}

export function startGroup(element, config) {
  return {
    id: 'motcua-start',
    label: 'Hồ sơ nộp vào',
    component: Group,
    shouldOpen: true,
    entries: [selectEntry({
      element, name: 'form', label: 'Tờ khai (biểu mẫu điện tử)',
      options: (bo) => withCurrent(getProperty(bo, 'form'), formOptions(config), '— không có tờ khai —')
    })]
  };
}

export { entryId };
