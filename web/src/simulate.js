// The test run ("Chạy thử"): the server runs the saved draft on the real engine and calendar
// (nothing is stored) and this panel shows the path: a table of the steps with who would get
// each one and its due time, a pick list of outcomes per step (changing one runs again), and
// the path on the diagram — markers on the steps and flows taken, numbered in visit order.

import { el } from './dom.js';

const OVERLAY = 'motcua-sim';
const VISITED = 'motcua-sim-visited';
const OPEN = 'motcua-sim-open';
const RERUN_MS = 1000;

/** A role as the table has room for: "Bộ phận Một cửa (tiếp nhận, trả kết quả)" -> its
 * name before the explanation in brackets. */
function shortRole(name) {
  return (name || '').replace(/\s*\(.*\)$/, '');
}

/** A table cell that says what it holds on a phone, where the rows become cards. */
function cell(label, ...children) {
  return el('td', { 'data-label': label }, ...children);
}

const COLUMNS = ['#', 'Bước', 'Vai trò', 'Đơn vị', 'Cơ quan', 'Hạn xử lý', 'Kết quả'];

/** Who would see the task in their worklist: up to two names, else how many (all of them
 *  in the title); nobody is said in red, for a task nobody would receive is a finding. */
function receivers(step) {
  const names = step.receivers || [];
  if (!names.length) return el('span', { class: 'sim-nobody', text: 'Chưa có cán bộ nhận' });
  const text = names.length <= 2 ? names.join(', ') : `${names.length} cán bộ`;
  return el('span', { class: 'sim-receivers', title: names.join(', '), text });
}

/** "2026-03-16T14:00:00+07:00" -> "16/03/2026 14:00" (the server answers in +07:00). */
export function formatDue(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso || '');
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}:${m[5]}` : 'Không tính';
}

export class Simulator {
  constructor({ modeler, api, url, autosave, panel, button, relayout }) {
    this.modeler = modeler;
    this.button = button;
    // Called when the panel opens or closes: the diagram is fitted to its new width.
    this.relayout = relayout || (() => {});
    this.api = api;
    this.url = url;
    this.autosave = autosave;
    this.panel = panel;
    // Outcomes the designer picked: element id -> {visit index: key}.
    this.picks = {};
    // Each step's default outcome as last seen, for the visits before a pick that the last
    // run did not make (the path changed since): an empty place would move the pick earlier.
    this.defaults = {};
    this.answer = null;
    this.marked = [];
    this.running = 0;
    // The diagram changed while the panel is open: run again once the change is saved.
    this.rerun = null;
    modeler.on('commandStack.changed', () => {
      if (!this.isOpen) return;
      clearTimeout(this.rerun);
      this.rerun = setTimeout(() => this.run(), RERUN_MS);
    });
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  async open() {
    this.panel.hidden = false;
    document.body.dataset.simulating = 'true';
    this.picks = {};
    if (this.button) this.button.setAttribute('aria-pressed', 'true');
    this.relayout();
    await this.run();
  }

  close() {
    clearTimeout(this.rerun);
    this.clearDiagram();
    this.panel.hidden = true;
    this.panel.replaceChildren();
    delete document.body.dataset.simulating;
    delete document.body.dataset.simulation;
    this.answer = null;
    if (this.button) this.button.setAttribute('aria-pressed', 'false');
    this.relayout();
  }

  /** The choices for the server: per step, each visit's pick, else what it took last time. */
  choices() {
    const out = {};
    for (const [element, visits] of Object.entries(this.picks)) {
      const used = this.answer ? this.answer.path.filter((s) => s.element_id === element) : [];
      const last = Math.max(...Object.keys(visits).map(Number));
      out[element] = [];
      for (let v = 0; v <= last; v += 1) {
        const fallback = used[v] ? used[v].outcome : this.defaults[element];
        out[element].push(visits[v] !== undefined ? visits[v] : fallback);
      }
      // A step never shown has no default: its picks are sent from the first visit on.
      out[element] = out[element].filter((k) => k !== null && k !== undefined);
    }
    return out;
  }

  async run() {
    const ticket = ++this.running;
    const stale = () => ticket !== this.running || !this.isOpen;
    document.body.dataset.simulation = 'running';
    this.renderBusy();
    let reply;
    try {
      if (!(await this.autosave.flush())) {
        if (!stale()) this.refused('Bản nháp chưa lưu được lên máy chủ nên chưa chạy thử được: xem trạng thái lưu ở thanh công cụ.');
        return;
      }
      reply = await this.api.send('POST', this.url, { choices: this.choices() });
    } catch {
      // No answer at all (the network, the server down): say so, instead of "running" forever.
      if (!stale()) this.refused('Không kết nối được với máy chủ nên chưa chạy thử được: kiểm tra kết nối rồi chạy thử lại.');
      return;
    }
    if (stale()) return;
    this.clearDiagram();
    if (reply.ok) {
      this.answer = reply.data;
      this.render(reply.data);
      this.draw(reply.data);
      document.body.dataset.simulation = 'done';
    } else {
      const error = (reply.data && reply.data.error) || {};
      this.refused(error.message || `Máy chủ trả lỗi ${reply.status}`, error.details || []);
    }
  }

  refused(message, details = []) {
    this.renderFailure(message, details);
    document.body.dataset.simulation = 'refused';
  }

  head() {
    const close = el('button', { type: 'button', class: 'sim-close', text: 'Đóng' });
    close.addEventListener('click', () => this.close());
    const reset = el('button', { type: 'button', class: 'sim-reset', text: 'Về kết quả mặc định' });
    reset.addEventListener('click', () => { this.picks = {}; this.run(); });
    return el('div', { class: 'sim-head' }, el('h2', { id: 'sim-title', text: 'Chạy thử quy trình' }), reset, close);
  }

  renderBusy() {
    if (!this.panel.querySelector('.sim-head')) this.panel.replaceChildren(this.head());
    let status = this.panel.querySelector('.sim-status');
    if (!status) {
      status = el('p', { class: 'sim-status', role: 'status' });
      this.panel.append(status);
    }
    status.textContent = 'Đang chạy thử…';
  }

  renderFailure(message, details) {
    const list = el('ul', { class: 'sim-errors' });
    for (const detail of details) {
      const item = el('li', {}, el('span', { text: detail.message || '' }));
      if (detail.element_id && this.modeler.get('elementRegistry').get(detail.element_id)) {
        const go = el('button', { type: 'button', class: 'sim-go', text: 'Xem trên sơ đồ' });
        // To fix it, the properties come back in place of this panel.
        go.addEventListener('click', () => { this.close(); this.focus(detail.element_id); });
        item.append(' ', go);
      }
      list.append(item);
    }
    this.panel.replaceChildren(this.head(), el('p', { class: 'sim-refused', role: 'alert', text: message }), list);
  }

  render(answer) {
    const rows = el('tbody');
    const visits = {};
    answer.path.forEach((step) => {
      const visit = visits[step.element_id] = (visits[step.element_id] ?? -1) + 1;
      if (step.outcomes && step.outcomes.length) this.defaults[step.element_id] = step.outcomes[0].key;
      rows.append(this.row(step, visit));
    });
    for (const step of answer.open || []) {
      const texts = ['…', step.name, shortRole(step.role_name), step.unit_name, step.agency_name,
        formatDue(step.due_at), 'Đang chờ'];
      rows.append(el('tr', { class: 'sim-waiting' },
        ...texts.map((text, i) => cell(i ? COLUMNS[i] : 'Thứ tự', el('span', { text })))));
    }
    for (const timer of answer.waiting || []) {
      const texts = ['…', timer.name, '—', '—', '—', '—', 'Hẹn giờ không kích hoạt khi chạy thử'];
      rows.append(el('tr', { class: 'sim-waiting' },
        ...texts.map((text, i) => cell(i ? COLUMNS[i] : 'Thứ tự', el('span', { text })))));
    }
    const table = el('table', { class: 'sim-table' },
      el('caption', { text: `Bắt đầu ${formatDue(answer.start)}; mỗi bước dùng hết thời gian được giao.` }),
      el('thead', {}, el('tr', {}, ...COLUMNS.map((t) => el('th', { scope: 'col', text: t })))),
      rows);
    const end = el('p', { class: `sim-end ${answer.ended ? 'ended' : 'stopped'}`, role: 'status', text: answer.end });
    const due = el('p', { class: 'sim-due', text: this.dueText(answer) });
    const notes = el('ul', { class: 'sim-notes' }, ...(answer.notes || []).map((n) => el('li', { text: n })));
    this.panel.replaceChildren(this.head(), end, due, notes, el('div', { class: 'sim-scroll' }, table));
  }

  /** The appointment and whether the last step meets it; a refusal has none to meet. */
  dueText(answer) {
    const status = `Trạng thái hồ sơ: ${answer.status_name}.`;
    if (!answer.due_at || answer.status === 'refused') return status;
    const done = answer.path.map((s) => s.finished_at).filter(Boolean).sort().pop();
    const when = done && answer.ended
      ? ` Bước cuối xong lúc ${formatDue(done)}: ${done <= answer.due_at ? 'đúng hẹn' : 'quá hạn'}.` : '';
    return `${status} Hẹn trả kết quả: ${formatDue(answer.due_at)}.${when}`;
  }

  row(step, visit) {
    let outcome;
    if (step.outcomes && step.outcomes.length) {
      outcome = el('select', { 'aria-label': `Kết quả bước ${step.order}: ${step.name}`, 'data-element': step.element_id });
      for (const o of step.outcomes) {
        const option = el('option', { value: o.key, text: o.label });
        if (o.key === step.outcome) option.selected = true;
        outcome.append(option);
      }
      outcome.addEventListener('change', () => {
        (this.picks[step.element_id] ||= {})[visit] = outcome.value;
        this.run();
      });
    } else {
      outcome = el('span', { class: 'sim-none', text: 'Chuyển tiếp' });
    }
    const name = el('button', { type: 'button', class: 'sim-step', text: step.name });
    name.addEventListener('click', () => this.focus(step.element_id));
    const text = (value) => el('span', { text: value });
    return el('tr', { 'data-element': step.element_id },
      cell('Thứ tự', text(String(step.order))), cell(COLUMNS[1], name),
      cell(COLUMNS[2], el('span', {}, text(shortRole(step.role_name)), receivers(step))),
      cell(COLUMNS[3], text(step.unit_name)),
      cell(COLUMNS[4], text(step.agency_name)), cell(COLUMNS[5], text(formatDue(step.due_at))),
      cell(COLUMNS[6], outcome));
  }

  focus(id) {
    const element = this.modeler.get('elementRegistry').get(id);
    if (!element) return;
    this.modeler.get('selection').select(element);
    this.modeler.get('canvas').scrollToElement(element);
  }

  draw(answer) {
    const registry = this.modeler.get('elementRegistry');
    const canvas = this.modeler.get('canvas');
    const overlays = this.modeler.get('overlays');
    const mark = (id, marker) => {
      if (!registry.get(id)) return;
      canvas.addMarker(id, marker);
      this.marked.push([id, marker]);
    };
    for (const id of [...(answer.elements || []), ...(answer.flows || [])]) mark(id, VISITED);
    for (const step of answer.open || []) mark(step.element_id, OPEN);
    for (const timer of answer.waiting || []) mark(timer.element_id, OPEN);
    const orders = {};
    for (const step of answer.path) (orders[step.element_id] ||= []).push(step.order);
    for (const [id, numbers] of Object.entries(orders)) {
      if (!registry.get(id)) continue;
      const text = numbers.length > 4 ? `${numbers.slice(0, 3).join(', ')}… (${numbers.length} lần)` : numbers.join(', ');
      overlays.add(id, OVERLAY, {
        position: { top: -12, left: -8 },
        html: el('span', { class: 'motcua-sim-badge', title: `Thứ tự trong lần chạy thử: ${numbers.join(', ')}`, text })
      });
    }
  }

  clearDiagram() {
    const canvas = this.modeler.get('canvas');
    const registry = this.modeler.get('elementRegistry');
    // An element deleted since the run has taken its markers with it.
    for (const [id, marker] of this.marked) if (registry.get(id)) canvas.removeMarker(id, marker);
    this.marked = [];
    this.modeler.get('overlays').remove({ type: OVERLAY });
  }
}
