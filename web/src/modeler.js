// The modeler page: bpmn-js with our dialect, panel, restrictions and texts; the draft is
// saved on every change, checked by the server, and published from here.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import './modeler.css';

import descriptor from './descriptor.js';
import MotcuaPanelModule from './panel/index.js';
import RestrictModule from './restrict.js';
import TranslateModule from './translate.js';
import Problems from './problems.js';
import { PHONE_WIDTH, touchNavigation } from './touch.js';
import { Api, Autosave, Backup } from './save.js';
import { downloadText, exportBpmn, exportPng, exportSvg, readFile } from './files.js';
import { publish } from './publish.js';
import { Simulator } from './simulate.js';

// A BPMN DI diagram element, whatever the prefix its file gives the namespace.
const DRAWING = /<(?:[\w.-]+:)?BPMNDiagram[\s>/]/;

function island(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

function $(selector) {
  return document.querySelector(selector);
}

function notice(kind, text, actions = []) {
  const box = $('#modeler-notice');
  box.className = `notice ${kind}`;
  box.hidden = false;
  const p = document.createElement('p');
  p.textContent = text;
  box.replaceChildren(p);
  for (const [label, handler] of actions) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.addEventListener('click', handler);
    box.append(button);
  }
}

function clearNotice() {
  const box = $('#modeler-notice');
  box.hidden = true;
  box.replaceChildren();
}

async function start() {
  const config = island('modeler-config');
  const draft = island('modeler-draft');
  config.forms = draft.forms || {};
  const modeler = new BpmnModeler({
    container: '#modeler-canvas',
    propertiesPanel: { parent: '#modeler-panel' },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, MotcuaPanelModule,
      RestrictModule, TranslateModule, { motcuaConfig: ['value', config] }
    ],
    moddleExtensions: { spiffworkflow: descriptor }
  });
  window.motcuaModeler = modeler;
  // The canvas shrinks when the problems list or a notice grows, with no window resize:
  // telling diagram-js lets the palette fold into two columns instead of running off the
  // bottom of the canvas (its last tools out of reach).
  new ResizeObserver(() => modeler.get('canvas').resized()).observe($('#modeler-canvas'));
  touchNavigation(modeler.get('canvas'), $('#modeler-canvas'));

  const problems = new Problems(modeler, $('#problems-list'), $('#problems-summary'));
  const api = new Api(config.api, config.csrf);
  const backup = new Backup(draft.id);
  const status = $('#save-status');
  const autosave = new Autosave({
    modeler, api, backup, revision: draft.revision, readOnly: Boolean(draft.published),
    onSaved: (_revision, list) => problems.show(list),
    onStatus: (state, text) => {
      status.textContent = text;
      status.dataset.state = state;
      document.body.dataset.saveState = state;
    },
    onConflict: (latest) => notice('error',
      `Bản nháp vừa được người khác lưu${latest ? ` (bản ${latest})` : ''} sau bản ${autosave.revision} ` +
      'bạn đang sửa. Thay đổi của bạn chưa được lưu lên máy chủ và không ghi đè lên bản của họ; ' +
      'bản của bạn vẫn được giữ trong trình duyệt này.',
      [['Tải lại bản mới nhất', () => { backup.clear(); autosave.dirty = false; location.reload(); }],
        ['Tải bản của tôi về máy (.bpmn)', () => exportBpmn(modeler, `${config.file_base}-cua-toi`)]]),
    onRefused: (details) => problems.show(details.map((d) => ({
      element_id: d.element_id, line: d.line, rule: 'xml', severity: 'error', message: d.message
    })))
  });

  // A file with no drawing is told before bpmn-js is asked; its own error for a drawing it
  // still cannot show ("no diagram to display") is told the same way.
  let held = null;
  if (DRAWING.test(draft.bpmn)) {
    try {
      held = await open(modeler, draft.bpmn, { autosave, base: config.file_base });
    } catch (error) {
      if (!/no diagram to display/.test(error.message)) throw error;
    }
  }
  if (held === null) {
    undrawable();
    problems.show(draft.problems || []);
    return;
  }
  problems.show(draft.problems || []);
  if (draft.published) {
    notice('warning', 'Bản nháp này đã được công bố thành một phiên bản, phiên bản đó không sửa được nữa. ' +
      'Muốn thay đổi, hãy sao chép phiên bản thành bản nháp mới trong thư viện quy trình.');
  } else if (!held) {
    // (While held, the question about the unread parts comes first; the backup stays.)
    offerBackup(modeler, backup, draft, autosave, config);
  }
  wireToolbar(modeler, config, autosave, problems, api);
  // The panel draws in an effect after the import: ready once it is in the page.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  performance.mark('motcua-modeler-ready');
  document.body.dataset.modelerReady = 'true';
}

/** The whole diagram in view, clear of the palette on its left (on a phone, its height). */
function fit(modeler) {
  const canvas = modeler.get('canvas');
  canvas.zoom('fit-viewport');
  const { inner, outer, scale } = canvas.viewbox();
  const left = 72;
  let zoom = Math.min(scale, scale * (outer.width - left - 8) / outer.width);
  // On a phone a wide diagram fitted to the width is too small to read or touch: fit its
  // height instead (never past full size) and start at its left end, the rest a swipe away.
  if (outer.width < PHONE_WIDTH) zoom = Math.max(zoom, Math.min(1, (outer.height - 16) / inner.height));
  canvas.viewbox({ x: inner.x - left / zoom, y: inner.y - 8 / zoom, width: outer.width / zoom, height: outer.height / zoom });
}

/** Import ``xml``; answers true when bpmn-js could not read all of it, and then the autosave
 *  waits for the designer to agree that a save drops those parts (or to keep the file). */
async function open(modeler, xml, { autosave, base }) {
  const { warnings } = await modeler.importXML(xml);
  fit(modeler);
  if (!warnings || !warnings.length) {
    // A file read whole replaces one that was not: its question and its hold go with it.
    if (autosave.held) {
      clearNotice();
      autosave.release();
    }
    return false;
  }
  autosave.hold();
  notice('warning', unreadParts(warnings), [
    ['Đồng ý, sửa và lưu không có các phần đó', () => { autosave.release(); clearNotice(); }],
    ['Tải tệp gốc (.bpmn)', () => downloadText(`${base}-goc.bpmn`, xml)]]);
  return true;
}

/** bpmn-js's import warnings, in a designer's words: which parts, and what a save does to them. */
function unreadParts(warnings) {
  const names = [...new Set(warnings.map((w) => (/<([^>]+)>/.exec(w.message) || [])[1]).filter(Boolean))];
  const listed = names.length ? ` (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''})` : '';
  return `Sơ đồ mở được, nhưng trình thiết kế không đọc được ${warnings.length} phần của tệp${listed}: ` +
    'lưu từ trang này thì bản lưu sẽ không còn các phần đó (các lần lưu trước vẫn được giữ trên máy chủ). ' +
    'Trang chưa lưu thay đổi nào cho tới khi bạn đồng ý.';
}

/** A file with no drawing (no BPMN DI) is a draft the server checked but bpmn-js cannot show:
 *  say so, keep its problems in view, and offer nothing that would save an empty diagram. */
function undrawable() {
  notice('error', 'Tệp của bản nháp này không có hình vẽ sơ đồ (phần BPMN DI), nên trình thiết kế không vẽ được. ' +
    'Các vấn đề máy chủ tìm thấy vẫn được liệt kê dưới đây. Hãy xuất lại tệp kèm sơ đồ từ công cụ đã tạo ra nó ' +
    'rồi mở lại, hoặc tạo bản nháp mới từ quyết định.');
  for (const button of document.querySelectorAll('.toolbar button, #publish-form button')) button.disabled = true;
  document.body.dataset.modelerReady = 'no-diagram';
}

function offerBackup(modeler, backup, draft, autosave, config) {
  const saved = backup.read();
  if (!saved || !saved.xml || saved.xml === draft.bpmn) return;
  const when = new Date(saved.at).toLocaleString('vi-VN');
  const older = saved.revision < draft.revision;
  notice('warning',
    `Trình duyệt còn giữ thay đổi chưa lưu của bản nháp này (lúc ${when}, sửa từ bản ${saved.revision}). ` +
    (older ? `Máy chủ đã có bản ${draft.revision} mới hơn: khôi phục sẽ thay bản đó bằng bản trong trình duyệt.`
      : 'Khôi phục để tiếp tục sửa?'),
    [['Khôi phục', async () => {
      if (!(await open(modeler, saved.xml, { autosave, base: config.file_base }))) clearNotice();
      autosave.changed();
    }],
      ['Bỏ bản trong trình duyệt', () => { backup.clear(); clearNotice(); }]]);
}

function wireToolbar(modeler, config, autosave, problems, api) {
  const on = (id, handler) => $(id).addEventListener('click', handler);
  const stack = modeler.get('commandStack');
  // Shortcuts listen on the diagram: after a click on a tool, focus goes back to it, or the
  // Ctrl+Z / Ctrl+Y the buttons' titles promise would do nothing until a click on the canvas.
  const canvas = modeler.get('canvas');
  on('#tool-undo', () => { stack.undo(); canvas.focus(); });
  on('#tool-redo', () => { stack.redo(); canvas.focus(); });
  modeler.on('commandStack.changed', () => {
    $('#tool-undo').disabled = !stack.canUndo();
    $('#tool-redo').disabled = !stack.canRedo();
  });
  on('#tool-fit', () => { fit(modeler); canvas.focus(); });
  on('#tool-export-bpmn', () => exportBpmn(modeler, config.file_base));
  on('#tool-export-svg', () => exportSvg(modeler, config.file_base));
  on('#tool-export-png', () => exportPng(modeler, config.file_base));
  const picker = $('#tool-import-file');
  on('#tool-import', () => picker.click());
  picker.addEventListener('change', async () => {
    const file = picker.files[0];
    picker.value = '';
    if (!file) return;
    try {
      await open(modeler, await readFile(file), { autosave, base: config.file_base });
      autosave.changed();
    } catch (error) {
      notice('error', `Không mở được tệp ${file.name}: ${error.message}`);
    }
  });
  on('#tool-check', async () => {
    if (!(await autosave.flush())) return;
    const answer = await api.send('POST', config.api.check);
    if (!answer.ok) return;
    problems.show(answer.data.problems || []);
    // The same list again would look like nothing happened: say when it was checked.
    const at = new Date().toLocaleTimeString('vi-VN', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    $('#problems-summary').textContent += ` (vừa kiểm tra lúc ${at})`;
  });
  const simulator = new Simulator({
    modeler, api, url: `${config.api.draft}/simulate`, autosave, panel: $('#simulate-panel'),
    button: $('#tool-simulate'),
    relayout: () => { modeler.get('canvas').resized(); fit(modeler); }
  });
  window.motcuaSimulator = simulator;
  on('#tool-simulate', () => (simulator.isOpen ? simulator.close() : simulator.open()));
  $('#publish-form').addEventListener('submit', (event) => {
    event.preventDefault();
    publish({ config, autosave, problems, api, notice });
  });
}

start().catch((error) => {
  notice('error', `Không mở được trình thiết kế: ${error.message}`);
  document.body.dataset.modelerReady = 'failed';
});
