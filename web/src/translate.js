// The modeler's own texts in Vietnamese (no Vietnamese file exists upstream). diagram-js
// calls `translate(template, replacements)` everywhere; unknown texts fall back to English.
const VI = {
  // palette
  'Activate hand tool': 'Công cụ kéo trang',
  'Activate lasso tool': 'Công cụ chọn vùng',
  'Activate create/remove space tool': 'Công cụ thêm/bớt khoảng trống',
  'Activate global connect tool': 'Công cụ nối',
  'Create start event': 'Thêm sự kiện bắt đầu',
  'Create end event': 'Thêm sự kiện kết thúc',
  'Create gateway': 'Thêm cổng rẽ nhánh',
  'Create user task': 'Thêm bước xử lý (cán bộ)',
  'Create parallel gateway': 'Thêm cổng song song',
  'Create timer event': 'Thêm hẹn giờ (thả lên viền một bước)',
  'Create pool/participant': 'Thêm bể (cơ quan)',
  // context pad
  'Append end event': 'Nối sự kiện kết thúc',
  'Append gateway': 'Nối cổng rẽ nhánh',
  'Append user task': 'Nối bước xử lý',
  'Append task': 'Nối bước xử lý',
  'Add text annotation': 'Thêm ghi chú',
  'Change element': 'Đổi loại phần tử',
  'Delete': 'Xóa',
  'Connect to other element': 'Nối tới phần tử khác',
  'Connect using sequence flow': 'Nối bằng luồng',
  'Add lane above': 'Thêm làn phía trên',
  'Add lane below': 'Thêm làn phía dưới',
  'Divide into two lanes': 'Chia thành hai làn',
  'Divide into three lanes': 'Chia thành ba làn',
  'Toggle non-interrupting': 'Không ngắt bước',
  'Search in diagram': 'Tìm trong sơ đồ',
  // replace menu
  'Start event': 'Sự kiện bắt đầu',
  'End event': 'Sự kiện kết thúc',
  'Terminate end event': 'Kết thúc dừng hẳn',
  'User task': 'Bước xử lý (cán bộ)',
  'Manual task': 'Bước thủ công',
  'Exclusive gateway': 'Cổng rẽ nhánh (chọn một)',
  'Parallel gateway': 'Cổng song song',
  'Timer boundary event': 'Hẹn giờ trên viền bước',
  'Timer boundary event (non-interrupting)': 'Hẹn giờ trên viền bước (không ngắt)',
  'Timer intermediate catch event': 'Chờ đến hạn',
  'Sequence flow': 'Luồng thường',
  'Default flow': 'Luồng mặc định',
  'Conditional flow': 'Luồng có điều kiện',
  'Expanded pool/participant': 'Bể (cơ quan)',
  // properties panel
  'General': 'Thông tin chung',
  'Name': 'Tên',
  'ID': 'Mã (id)',
  'ID must not be empty.': 'Mã không được để trống.',
  'ID must be unique.': 'Mã đã được dùng cho phần tử khác.',
  'ID must not contain spaces.': 'Mã không được chứa dấu cách.',
  'ID must not contain prefix.': 'Mã không được có tiền tố.',
  'ID must be a valid QName.': 'Mã chỉ gồm chữ không dấu, số, _ và -, bắt đầu bằng chữ.',
  'Select an element to edit its properties.': 'Chọn một phần tử trên sơ đồ để sửa thuộc tính.',
  'Multiple elements are selected. Select a single element to edit its properties.':
    'Đang chọn nhiều phần tử: chọn một phần tử để sửa thuộc tính.',
  'Participant Name': 'Tên bể',
  'Process ID': 'Mã quy trình',
  'Process name': 'Tên quy trình',
  'Executable': 'Thực thi',
  // element types in the panel's header
  'User Task': 'Bước xử lý',
  'Manual Task': 'Bước thủ công',
  'Task': 'Tác vụ chưa định loại',
  'Lane': 'Làn',
  'Participant': 'Bể (cơ quan)',
  'Process': 'Quy trình',
  'Collaboration': 'Quy trình',
  'Start Event': 'Sự kiện bắt đầu',
  'End Event': 'Sự kiện kết thúc',
  'Terminate End Event': 'Kết thúc dừng hẳn',
  'Exclusive Gateway': 'Cổng rẽ nhánh',
  'Parallel Gateway': 'Cổng song song',
  'Sequence Flow': 'Luồng',
  'Conditional Flow': 'Luồng có điều kiện',
  'Default Flow': 'Luồng mặc định',
  'Timer Boundary Event': 'Hẹn giờ trên viền bước',
  'Timer Boundary Event (Non Interrupting)': 'Hẹn giờ trên viền bước (không ngắt)',
  'Timer Intermediate Catch Event': 'Chờ đến hạn',
  'Text Annotation': 'Ghi chú',
  // list groups
  'Create': 'Thêm',
  'Create new list item': 'Thêm dòng',
  'Delete item': 'Xóa dòng',
  'Toggle section': 'Mở/đóng mục',
  'List contains {numOfItems} item': 'Có {numOfItems} dòng',
  'List contains {numOfItems} items': 'Có {numOfItems} dòng',
  'Section contains edits': 'Mục đã được sửa',
  'Section contains an error': 'Mục có lỗi'
};

export function translate(template, replacements) {
  const text = VI[template] || template;
  return text.replace(/{([^}]+)}/g, (_, key) => (replacements && key in replacements ? replacements[key] : `{${key}}`));
}

export default { translate: ['value', translate] };
