// Publishing stays explicit: the draft is saved first, then published with its effective
// date; the server answers with the version, or with the errors that block it.
export async function publish({ config, autosave, problems, api, notice }) {
  const date = document.querySelector('#publish-effective').value;
  const button = document.querySelector('#publish-button');
  button.disabled = true;
  try {
    if (autosave.held && autosave.dirty) {
      // The question on the unread parts must be answered first: keep it in view.
      document.querySelector('#modeler-notice').scrollIntoView({ block: 'nearest' });
      return;
    }
    if (!(await autosave.flush())) {
      notice('error', 'Chưa công bố: bản nháp chưa lưu được lên máy chủ.');
      return;
    }
    const answer = await api.send('POST', config.api.publish, date ? { effective: date } : {});
    if (answer.status === 201) {
      const v = answer.data;
      notice('success', `Đã công bố phiên bản ${v.version}${date ? `, hiệu lực từ ${date.split('-').reverse().join('/')}` : ''}. ` +
        'Hồ sơ mới của thủ tục sẽ chạy theo phiên bản này; hồ sơ đang giải quyết giữ phiên bản cũ.',
      [['Về thư viện quy trình', () => { location.href = config.library_url; }]]);
      document.body.dataset.published = String(v.version);
      // A published draft takes no more saves: later edits stay on this page only.
      autosave.readOnly = true;
      button.dataset.done = 'true';
      return;
    }
    const error = (answer.data && answer.data.error) || {};
    const details = error.details || [];
    if (details.length) problems.show(details.map((d) => ({ severity: 'error', ...d })));
    notice('error', `Chưa công bố được: ${error.message || `máy chủ trả lời mã ${answer.status}`}` +
      (details.length ? ` (${details.length} lỗi, xem danh sách bên dưới).` : ''));
  } finally {
    button.disabled = button.dataset.done === 'true';
  }
}
