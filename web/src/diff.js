// The version diff page: the newer diagram with its changes marked (added green, changed
// amber) and, in a second view, the older one with what was removed (red). A click on a change
// in the list shows its diagram and centres and selects its element. A viewer only: nothing
// here edits a diagram. The list is the page's own HTML, readable without this script.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import './diff.css';
import { PHONE_WIDTH, touchNavigation } from './touch.js';

const BADGES = { 'diff-added': '+', 'diff-changed': '~', 'diff-removed': '−' };
const TITLES = { 'diff-added': 'Thêm mới', 'diff-changed': 'Thay đổi', 'diff-removed': 'Bỏ đi' };

function $(selector) {
  return document.querySelector(selector);
}

/** element id -> marker class, on one side: the element's own addition or removal wins over a
 *  change of one of its fields (an outcome added to a step is a change of the step). A form
 *  added or removed as a whole is a change of the steps that use it: they are not added or
 *  removed themselves. */
export function markers(changes, side) {
  const found = new Map();
  const put = (id, cls) => {
    if (!id) return;
    const rank = (c) => (c === 'diff-changed' ? 0 : 1);
    if (!found.has(id) || rank(cls) > rank(found.get(id))) found.set(id, cls);
  };
  for (const change of changes) {
    const whole = change.field === undefined && change.element_kind !== 'form';
    const ids = [change.element_id, ...(change.elements || [])];
    if (side === 'new') {
      if (change.kind === 'removed' && whole) continue;
      for (const id of ids) put(id, change.kind === 'added' && whole && id === change.element_id ? 'diff-added' : 'diff-changed');
    } else if (change.kind === 'removed' && whole) {
      put(change.element_id, 'diff-removed');
    } else if (change.kind !== 'added' || !whole) {
      // Changed on the newer side: its older self, under its older id if that changed.
      put(change.old_element_id || change.element_id, 'diff-changed');
    }
  }
  return found;
}

class View {
  constructor(container, side) {
    this.side = side;
    this.container = container;
    this.viewer = new NavigatedViewer({ container });
    touchNavigation(this.viewer.get('canvas'), container);
  }

  async open(xml, changes) {
    const { warnings } = await this.viewer.importXML(xml);
    const registry = this.viewer.get('elementRegistry');
    const canvas = this.viewer.get('canvas');
    const overlays = this.viewer.get('overlays');
    this.marked = new Map();
    for (const [id, cls] of markers(changes, this.side)) {
      const element = registry.get(id);
      if (!element || element.type === 'bpmn:Process' || element.type === 'bpmn:Collaboration') continue;
      canvas.addMarker(element, cls);
      if (element.type === 'bpmn:Lane' || element.type === 'bpmn:Participant') canvas.addMarker(element, 'diff-container');
      this.marked.set(id, cls);
      if (!element.waypoints && element.type !== 'bpmn:Lane') {
        const badge = document.createElement('span');
        badge.className = `diff-badge ${cls}`;
        badge.textContent = BADGES[cls];
        badge.title = TITLES[cls];
        overlays.add(element, 'diff', { position: { top: -10, right: 8 }, html: badge });
      }
    }
    this.fit();
    return warnings || [];
  }

  fit() {
    const canvas = this.viewer.get('canvas');
    canvas.resized();
    canvas.zoom('fit-viewport', 'auto');
    const { inner, outer, scale } = canvas.viewbox();
    if (outer.width >= PHONE_WIDTH) return;
    // On a phone a wide diagram fitted to the width is a strip too small to read: fit its
    // height (never past full size) from its left end; a finger pans to the rest.
    const zoom = Math.max(scale, Math.min(1, (outer.height - 16) / inner.height));
    canvas.viewbox({ x: inner.x - 8 / zoom, y: inner.y - 8 / zoom, width: outer.width / zoom, height: outer.height / zoom });
  }

  /** Centre and select ``id``; false when this diagram has no such element. */
  focus(id) {
    const registry = this.viewer.get('elementRegistry');
    const element = registry.get(id);
    if (!element || element.type === 'bpmn:Process') return false;
    const canvas = this.viewer.get('canvas');
    const box = bounds(element);
    const view = canvas.viewbox();
    // Not smaller than the element itself, not closer than life size.
    const zoom = Math.min(1, view.outer.width / (box.width + 160), view.outer.height / (box.height + 160));
    const width = view.outer.width / zoom;
    const height = view.outer.height / zoom;
    canvas.viewbox({ x: box.x + box.width / 2 - width / 2, y: box.y + box.height / 2 - height / 2, width, height });
    this.viewer.get('selection').select(element);
    return true;
  }
}

function bounds(element) {
  if (!element.waypoints) return { x: element.x, y: element.y, width: element.width, height: element.height };
  const xs = element.waypoints.map((p) => p.x);
  const ys = element.waypoints.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

async function start() {
  const data = JSON.parse($('#diff-data').textContent);
  const section = $('#diff-diagram');
  section.hidden = false;
  const canvas = $('#diff-canvas');
  const holder = (side) => {
    const div = document.createElement('div');
    div.className = 'diff-view';
    div.dataset.side = side;
    canvas.append(div);
    return div;
  };
  const views = { new: new View(holder('new'), 'new') };
  const notes = [];
  notes.push(...(await views.new.open(data.new.bpmn, data.changes)));
  if (data.old) {
    views.old = new View(holder('old'), 'old');
    notes.push(...(await views.old.open(data.old.bpmn, data.changes)));
  }
  let shown = 'new';
  const show = (side) => {
    if (!views[side]) return;
    shown = side;
    for (const [name, view] of Object.entries(views)) view.container.hidden = name !== side;
    for (const name of ['new', 'old']) {
      const button = $(`#show-${name}`);
      if (button) button.setAttribute('aria-pressed', String(name === side));
    }
    views[side].fit();
    document.body.dataset.diffSide = side;
  };
  show('new');
  for (const name of ['new', 'old']) {
    const button = $(`#show-${name}`);
    if (button) button.addEventListener('click', () => show(name));
  }
  if (notes.length) $('#diff-notice').textContent = `Sơ đồ có ${notes.length} phần không đọc được: ${notes[0].message}`;

  for (const item of document.querySelectorAll('.diff-change[data-element-id]')) {
    const id = item.dataset.elementId;
    if (!id) continue;
    item.tabIndex = 0;
    item.setAttribute('role', 'button');
    item.title = 'Xem trên sơ đồ';
    const go = () => {
      const wanted = item.dataset.side === 'old' && views.old ? 'old' : 'new';
      if (wanted !== shown) show(wanted);
      let found = views[shown].focus(id);
      if (!found && views.old && shown === 'new') {
        show('old');
        found = views.old.focus(id);
      }
      for (const other of document.querySelectorAll('.diff-change[aria-current]')) other.removeAttribute('aria-current');
      item.setAttribute('aria-current', 'true');
      $('#diff-notice').textContent = found ? '' : 'Thay đổi này không có hình trên sơ đồ.';
      if (found && window.matchMedia('(max-width: 900px)').matches) section.scrollIntoView({ block: 'start' });
    };
    item.addEventListener('click', go);
    item.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        go();
      }
    });
  }
  new ResizeObserver(() => views[shown].viewer.get('canvas').resized()).observe(canvas);
  window.motcuaDiff = views;
  document.body.dataset.diffReady = 'true';
}

start().catch((error) => {
  const notice = $('#diff-notice');
  if (notice) notice.textContent = `Không vẽ được sơ đồ: ${error.message}. Danh sách thay đổi vẫn đầy đủ.`;
  document.body.dataset.diffReady = 'failed';
});
