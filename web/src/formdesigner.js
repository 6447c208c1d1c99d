// The form designer page (design/formdesign/pages.py): rows edited on the left, the form
// drawn on the right by the officers' own renderer (the server's render_form), live.
//
// Each change is compiled on the server (rows -> JSON Schema + ui.json, with the checks'
// problems), then drawn; sample data typed into the preview is checked as a completion would
// be, errors beside the fields. "Nâng cao: JSON" shows the compiled pair for experts; going
// back reads it into rows. "Lưu biểu mẫu" saves through the draft's compare-and-set save with
// the revision the page holds: if someone saved meanwhile, the rows stay here and the page
// offers to reload (the unsaved pair kept for the reloaded page to take back).

import './formdesigner.css';
import { RowsEditor, lockAll, rowsForServer, takeKeys } from './formdesigner-rows.js';
import { button, debounce, errorText } from './formdesigner-util.js';
import { Api } from './save.js';

const config = JSON.parse(document.getElementById('formdesigner-config').textContent);
const island = JSON.parse(document.getElementById('formdesigner-form').textContent);
const $ = (id) => document.getElementById(id);
const STASH = `motcua-formdesigner-${config.draft}-${config.key}`;

const state = {
  form: island.form,
  schema: island.schema,
  ui: island.ui,
  revision: config.revision,
  mode: 'rows',
  dirty: false,
  checked: false, // sample data was checked once: later changes to it are checked again
  compiles: 0, // answers of older requests are dropped
  previews: 0,
  edits: 0, // an answer to rows edited since is dropped: its keys would land on other rows
};

// The modeler's client (CSRF header, JSON both ways); no answer at all (the network, the
// server down) is a failure the page says, not "Đang lưu…" forever.
const api = new Api(config.api, config.csrf);

async function call(method, url, body) {
  try {
    return await api.send(method, url, body);
  } catch {
    return { status: 0, ok: false, data: null };
  }
}

function status(text, kind) {
  const node = $('fd-status');
  node.textContent = text;
  node.dataset.state = kind;
  document.body.dataset.saveState = kind;
}

function notice(text, kind = 'error', actions = []) {
  const box = $('fd-notice');
  box.replaceChildren(document.createTextNode(text), ...actions);
  box.className = `fd-notice ${kind}`;
  box.hidden = !text;
}

// -- problems and preview -----------------------------------------------------------------

// The row a problem's field names ("rows[2].rows[0].max_length"), if the page shows it.
function rowOf(field) {
  let rows = state.form.rows;
  let row = null;
  for (const [, index] of (field || '').matchAll(/rows\[(\d+)\]/g)) {
    row = rows && rows[Number(index)];
    if (!row) return null;
    rows = row.rows;
  }
  return row;
}

function showProblems(problems) {
  document.querySelectorAll('.fd-row.fd-has-problem').forEach((card) => card.classList.remove('fd-has-problem'));
  document.querySelectorAll('.fd-row-problem').forEach((note) => note.remove());
  const list = $('fd-problems');
  list.replaceChildren(...problems.map((p) => {
    const item = document.createElement('li');
    item.className = p.severity || 'error';
    const row = state.mode === 'rows' ? rowOf(p.field) : null;
    const card = row && document.querySelector(`li.fd-row[data-row-id="${row._id}"]`);
    if (!card) {
      item.textContent = p.message;
      return item;
    }
    // Beside the row, and a click on the list's entry leads there.
    card.classList.add('fd-has-problem');
    const note = document.createElement('p');
    note.className = 'fd-row-problem';
    note.textContent = p.message;
    card.querySelector('.fd-row-meta').after(note);
    item.append(button(p.message, () => {
      const option = /options\[(\d+)\]\.(label|value)$/.exec(p.field);
      const name = option ? `${option[2] === 'label' ? 'opt' : 'optv'}-${option[1]}` : p.field.split('.').pop();
      const target = $(`${row._id}-${name}`) || $(`${row._id}-title`);
      const folded = target.closest('details');
      if (folded) folded.open = true;
      card.scrollIntoView({ block: 'center' });
      target.focus();
    }, 'link'));
    return item;
  }));
  $('fd-problems-summary').textContent = problems.length ? `(${problems.length} vấn đề)` : '— không có lỗi';
}

// The sample data as the preview would post it, minus the blanks nobody typed into: those
// show the form's defaults when it is drawn again (a new default appears at once).
const touched = new Set();

function previewEntries() {
  const form = $('fd-preview-form');
  return [...new FormData(form).entries()].filter(([name, value]) => name.startsWith('data')
    && typeof value === 'string'
    // A row's marker ("data.list[0]") keeps a row no one has typed into yet.
    && (touched.has(name) || (value !== '' && value !== 'false') || /\]$/.test(name)));
}

async function drawPreview({ check = state.checked } = {}) {
  const sequence = ++state.previews;
  const focused = document.activeElement && $('fd-preview').contains(document.activeElement)
    ? document.activeElement.id : null;
  const answer = await call('POST', config.api.preview, {
    key: config.key, schema: state.schema, ui: state.ui, form: previewEntries(), check,
  });
  if (sequence !== state.previews) return;
  if (!answer.ok) {
    notice(errorText(answer.data));
    return;
  }
  $('fd-preview').innerHTML = answer.data.html; // the server's renderer escapes every value
  if (focused && $(focused)) $(focused).focus();
  if (check) {
    const count = answer.data.errors.length;
    $('fd-sample-status').textContent = !answer.data.checked
      ? 'Chưa kiểm tra được dữ liệu mẫu: biểu mẫu còn lỗi (xem phần kiểm tra biểu mẫu).'
      : (count ? `Dữ liệu mẫu có ${count} lỗi.` : 'Dữ liệu mẫu hợp lệ.');
    $('fd-sample-status').dataset.errors = String(answer.data.checked ? count : -1);
  }
  if (state.mode === 'json') showProblems(answer.data.problems);
}

// -- rows -> schema -----------------------------------------------------------------------

function formBody() {
  return {
    key: config.key,
    title: state.form.title,
    description: state.form.description,
    rows: rowsForServer(state.form.rows),
    advanced: state.form.advanced,
    verbatim: state.form.verbatim,
  };
}

async function compileRows() {
  const sequence = ++state.compiles;
  const edits = state.edits;
  const answer = await call('POST', config.api.compile, formBody());
  if (sequence !== state.compiles || edits !== state.edits) return false;
  if (!answer.ok) {
    notice(errorText(answer.data));
    return false;
  }
  state.schema = answer.data.schema;
  state.ui = answer.data.ui;
  state.text = answer.data.text;
  takeKeys(state.form.rows, answer.data.rows);
  showProblems(answer.data.problems);
  await drawPreview();
  return true;
}

const compileSoon = debounce(compileRows, 400);

function edited() {
  state.dirty = true;
  status('Có thay đổi chưa lưu.', 'dirty');
}

const editor = new RowsEditor(null, {
  types: config.types,
  patterns: config.patterns,
  roles: config.roles,
  readOnly: config.published,
  changed: () => { state.edits += 1; edited(); compileSoon(); },
});

function buildRowsPanel() {
  const panel = $('fd-rows');
  const ro = config.published;
  const title = Object.assign(document.createElement('input'), {
    id: 'fd-form-title', value: state.form.title || '', maxLength: 200, disabled: ro, required: true,
  });
  title.addEventListener('input', () => { state.edits += 1; state.form.title = title.value; $('fd-title').textContent = title.value; edited(); compileSoon(); });
  const description = Object.assign(document.createElement('textarea'), {
    id: 'fd-form-description', rows: 2, value: state.form.description || '', disabled: ro,
  });
  description.addEventListener('input', () => { state.edits += 1; state.form.description = description.value; edited(); compileSoon(); });
  const head = document.createElement('div');
  head.className = 'fd-form-head';
  head.innerHTML = '<div class="fd-field"><label for="fd-form-title">Tên biểu mẫu</label></div>'
    + '<div class="fd-field"><label for="fd-form-description">Mô tả (hiện đầu biểu mẫu)</label></div>';
  head.children[0].append(title);
  head.children[1].append(description);
  const list = document.createElement('div');
  list.id = 'fd-rows-editor-list';
  panel.replaceChildren(head, list);
  if (state.form.verbatim) {
    list.innerHTML = '<p class="hint">Biểu mẫu này không gồm các trường thông thường: chỉ sửa được ở chế độ "Nâng cao: JSON".</p>';
    return;
  }
  editor.container = list;
  editor.show(state.form.rows);
}

// -- the JSON view ------------------------------------------------------------------------

function jsonText() {
  return state.text || JSON.stringify({ schema: state.schema, ui: state.ui }, null, 2);
}

function readJson() {
  try {
    const value = JSON.parse($('fd-json-text').value);
    if (!value || typeof value !== 'object' || typeof value.schema !== 'object' || Array.isArray(value.schema)) {
      return { error: 'Cần một đối tượng {"schema": {...}, "ui": {...}}.' };
    }
    return { schema: value.schema, ui: value.ui && typeof value.ui === 'object' ? value.ui : {} };
  } catch (error) {
    return { error: `JSON không hợp lệ: ${error.message}` };
  }
}

const jsonChanged = debounce(() => {
  const read = readJson();
  $('fd-json-error').textContent = read.error || '';
  if (read.error) return;
  state.schema = read.schema;
  state.ui = read.ui;
  drawPreview();
}, 500);

function buildJsonPanel() {
  const panel = $('fd-json');
  panel.innerHTML = '<p class="hint">Dành cho người quen JSON Schema (draft 2020-12) và ui.json. '
    + 'Biểu mẫu được kiểm tra như khi kiểm tra và công bố bản nháp; quay lại "Các trường" để đọc lại thành các trường.</p>'
    + '<label for="fd-json-text">JSON Schema và giao diện của biểu mẫu</label>'
    + '<textarea id="fd-json-text" rows="24" spellcheck="false" class="fd-json-text"></textarea>'
    + '<p id="fd-json-error" class="form-error" role="alert"></p>';
  const text = $('fd-json-text');
  text.disabled = config.published;
  text.addEventListener('input', () => { edited(); jsonChanged(); });
}

async function switchTo(mode) {
  if (mode === state.mode) return;
  if (mode === 'json') {
    state.text = null;
    await compileRows();
    $('fd-json-text').value = jsonText();
    $('fd-json-error').textContent = '';
  } else {
    const read = readJson();
    if (read.error) {
      $('fd-json-error').textContent = `${read.error} Sửa JSON trước khi quay lại các trường.`;
      return;
    }
    const answer = await call('POST', config.api.readback, { key: config.key, ...read });
    if (!answer.ok) {
      $('fd-json-error').textContent = errorText(answer.data);
      return;
    }
    state.schema = read.schema;
    state.ui = read.ui;
    state.form = answer.data;
    buildRowsPanel();
    showProblems(answer.data.problems);
  }
  state.mode = mode;
  $('fd-rows').hidden = mode !== 'rows';
  $('fd-json').hidden = mode !== 'json';
  $('fd-tab-rows').setAttribute('aria-selected', String(mode === 'rows'));
  $('fd-tab-json').setAttribute('aria-selected', String(mode === 'json'));
  $('h-rows').textContent = mode === 'rows' ? 'Các trường' : 'Nâng cao: JSON';
}

// -- saving -------------------------------------------------------------------------------

async function save() {
  if (state.mode === 'json') {
    const read = readJson();
    if (read.error) {
      notice(read.error);
      return;
    }
    state.schema = read.schema;
    state.ui = read.ui;
  } else if (!(await compileRows()) && !(await compileRows())) {
    return; // edited twice while compiling, or refused: the notice says which
  }
  status('Đang lưu…', 'saving');
  const answer = await call('PUT', config.api.form, { revision: state.revision, schema: state.schema, ui: state.ui });
  if (answer.status === 409) {
    status('Chưa lưu: bản nháp đã thay đổi.', 'conflict');
    notice(`${errorText(answer.data)}. Các trường bạn đang sửa vẫn còn trên trang.`, 'error', [
      button('Tải lại bản mới nhất (giữ thay đổi của tôi để dùng lại)', () => {
        sessionStorage.setItem(STASH, JSON.stringify({ schema: state.schema, ui: state.ui }));
        state.dirty = false;
        window.location.reload();
      }),
    ]);
    return;
  }
  if (!answer.ok) {
    status('Chưa lưu.', 'error');
    notice(errorText(answer.data));
    return;
  }
  state.revision = answer.data.revision;
  state.dirty = false;
  lockAll(state.form.rows);
  if (state.mode === 'rows' && !state.form.verbatim) editor.draw();
  $('fd-revision').textContent = String(state.revision);
  status(`Đã lưu (bản ${state.revision}).`, 'saved');
  notice('');
}

function offerStash() {
  const kept = sessionStorage.getItem(STASH);
  if (!kept) return;
  notice('Trang có thay đổi bạn chưa lưu được lần trước (bản nháp khi đó đã được người khác lưu).', 'warning', [
    button('Dùng lại thay đổi của tôi', async () => {
      sessionStorage.removeItem(STASH);
      const pair = JSON.parse(kept);
      const answer = await call('POST', config.api.readback, { key: config.key, ...pair });
      if (!answer.ok) return notice(errorText(answer.data));
      state.form = answer.data;
      state.schema = pair.schema;
      state.ui = pair.ui;
      buildRowsPanel();
      edited();
      notice('');
      return compileRows();
    }),
    button('Bỏ', () => { sessionStorage.removeItem(STASH); notice(''); }),
  ]);
}

// -- start --------------------------------------------------------------------------------

function start() {
  $('fd-toolbar').hidden = false;
  buildRowsPanel();
  buildJsonPanel();
  $('fd-tab-rows').addEventListener('click', () => switchTo('rows'));
  $('fd-tab-json').addEventListener('click', () => switchTo('json'));
  $('fd-save').addEventListener('click', save);
  const preview = $('fd-preview-form');
  preview.addEventListener('submit', (event) => {
    event.preventDefault();
    state.checked = true;
    drawPreview({ check: true });
  });
  const recheck = debounce(() => { if (state.checked) drawPreview({ check: true }); }, 600);
  preview.addEventListener('input', (event) => { if (event.target.name) touched.add(event.target.name); });
  preview.addEventListener('change', (event) => {
    if (event.target.name) touched.add(event.target.name);
    recheck();
  });
  window.addEventListener('beforeunload', (event) => {
    if (state.dirty && !config.published) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
  offerStash();
  document.body.dataset.formdesignerReady = 'true';
}

start();
