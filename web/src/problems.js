// The server's problems drawn where they belong: a marker and a badge (hover text) on each
// element, a list below the diagram, and the message beside the panel field to fix. A click
// on a listed problem selects its element and focuses that field.
import { getProperty } from './dialect.js';
import { entryId } from './panel/common.js';
import { BRANCHES } from './panel/gateway.js';
import { ROWS } from './panel/process.js';
import { stepsBefore } from './panel/flow.js';

const FIELDS = ['role', 'unit', 'form', 'allotted', 'outcomes', 'assignee_field', 'reason_field',
  'missing_field', 'document', 'row'];
const OVERLAY = 'motcua-problem';
const MARKERS = ['motcua-error', 'motcua-warning'];

// Rules whose field is known from their name alone (processes/checks/). Not
// decision-step-responsible: it is about the role or the unit, and its message names the
// property to set (the search on the message below finds it; the role when it names none).
const RULE_FIELDS = {
  'decision-step-extra': 'row', 'decision-step-missing': 'row', 'decision-step-order': 'row',
  'decision-step-time': 'allotted', 'time-over-limit': 'allotted'
};
const CONDITION_RULES = /^(gateway-|condition-|expression$)/;

/** Best effort: the panel entry a problem is about — from its rule, else the property it
 * names, else the property whose current value it quotes; null rather than a wrong field. */
export function entryFor(problem, element) {
  const rule = problem.rule || '';
  const message = problem.message || '';
  const bo = element && element.businessObject;
  // A flow's only field of ours is its condition; structural findings on it have none.
  if (bo && bo.$instanceOf('bpmn:SequenceFlow')) {
    return CONDITION_RULES.test(rule) || rule === 'flow' ? 'motcua-condition' : null;
  }
  // A gateway has no field: its findings point at the list of its branches; the whole
  // process's, at the decision's rows beside the steps that carry them out.
  if (bo && bo.$instanceOf('bpmn:Gateway')) return BRANCHES;
  if (bo && ['bpmn:Participant', 'bpmn:Process', 'bpmn:Collaboration'].some((t) => bo.$instanceOf(t))) return ROWS;
  if (bo && (bo.eventDefinitions || []).some((d) => d.$instanceOf('bpmn:TimerEventDefinition'))) {
    return /timeDate|timeDuration|timeCycle|due_step|due_dossier/.test(message) || rule === 'expression'
      ? 'motcua-timer' : null;
  }
  const named = /^dialect\.(\w+)$/.exec(rule);
  let field = RULE_FIELDS[rule] || (named && FIELDS.includes(named[1]) ? named[1] : null);
  if (!field && rule.startsWith('meaning')) field = 'outcomes';
  if (!field) field = FIELDS.find((f) => new RegExp(`(^|[^a-z_])${f}([^a-z_]|$)`).test(message));
  if (!field && bo) {
    field = FIELDS.find((f) => {
      const value = getProperty(bo, f);
      return value && message.includes(`"${value}"`);
    });
  }
  if (!field && rule === 'decision-step-responsible') field = 'role';
  if (field === 'outcomes') return 'motcua-outcome-0-label';
  return field ? entryId(field) : null;
}

const KINDS = [['bpmn:StartEvent', 'Sự kiện bắt đầu'], ['bpmn:EndEvent', 'Sự kiện kết thúc'],
  ['bpmn:IntermediateCatchEvent', 'Chờ đến hạn'], ['bpmn:Task', 'Bước chưa đặt tên'], ['bpmn:Lane', 'Làn']];

/** An element as the designer knows it: its name, or for an unnamed gateway or flow where
 * it is ("Cổng sau …", "Luồng … → …"), never a generated id alone. */
export function describe(bo, depth = 0) {
  if (bo.name && bo.name.trim()) return bo.name.trim();
  if (depth < 3 && bo.$instanceOf('bpmn:Gateway')) {
    const before = stepsBefore(bo)[0] || (bo.get('incoming')[0] || {}).sourceRef;
    return before ? `Cổng sau "${describe(before, depth + 1)}"` : `Cổng ${bo.id}`;
  }
  if (depth < 3 && bo.$instanceOf('bpmn:SequenceFlow') && bo.sourceRef && bo.targetRef) {
    return `Luồng ${describe(bo.sourceRef, depth + 1)} → ${describe(bo.targetRef, depth + 1)}`;
  }
  if (depth < 3 && bo.$instanceOf('bpmn:BoundaryEvent') && bo.attachedToRef) {
    return `Hẹn giờ trên bước "${describe(bo.attachedToRef, depth + 1)}"`;
  }
  const kind = KINDS.find(([type]) => bo.$instanceOf(type));
  return kind ? `${kind[1]} ${bo.id}` : bo.id;
}

/** A flow's badge sits on the middle of its longest segment, not at its bounding box's
 * corner (which may be far from the line). */
function flowSpot(connection) {
  const w = connection.waypoints;
  let best = [w[0], w[1]];
  for (let i = 1; i < w.length; i += 1) {
    if (Math.hypot(w[i].x - w[i - 1].x, w[i].y - w[i - 1].y) >
        Math.hypot(best[1].x - best[0].x, best[1].y - best[0].y)) best = [w[i - 1], w[i]];
  }
  const left = Math.min(...w.map((p) => p.x));
  const top = Math.min(...w.map((p) => p.y));
  return { left: (best[0].x + best[1].x) / 2 - left - 10, top: (best[0].y + best[1].y) / 2 - top - 10 };
}

/** Where a problem sits, in the list's words: its element, the whole process, or an
 *  element the file names but does not draw (a partial drawing from another modeler). */
function whereOf(problem, element) {
  if (element && element.id === problem.element_id) return describe(element.businessObject);
  if (!element && problem.element_id) return `${problem.element_id} (không có trên sơ đồ)`;
  return 'Toàn quy trình';
}

export default class Problems {
  constructor(modeler, list, summary) {
    this._modeler = modeler;
    this._list = list;
    this._summary = summary;
    this._problems = [];
    this._marked = [];
    modeler.on('selection.changed', () => this._panelErrors());
    // An element re-drawn after an edit keeps its marker: markers live on the canvas.
  }

  get problems() {
    return this._problems;
  }

  show(problems) {
    this._problems = problems || [];
    this._draw();
    this._render();
    this._panelErrors();
  }

  /** The problem's shape; a finding on the whole process (its id is not drawn in a
   * collaboration) goes to the pool that holds it, so it is marked and can be clicked too. */
  _element(problem) {
    if (!problem.element_id) return null;
    const registry = this._modeler.get('elementRegistry');
    return registry.get(problem.element_id) || registry.find((e) => {
      const ref = e.businessObject && e.businessObject.processRef;
      return Boolean(ref) && ref.id === problem.element_id;
    }) || null;
  }

  _draw() {
    const canvas = this._modeler.get('canvas');
    const overlays = this._modeler.get('overlays');
    overlays.remove({ type: OVERLAY });
    for (const id of this._marked) MARKERS.forEach((m) => canvas.removeMarker(id, m));
    this._marked = [];
    const byElement = new Map();
    for (const p of this._problems) {
      const element = this._element(p);
      if (!element) continue;
      const list = byElement.get(element) || [];
      list.push(p);
      byElement.set(element, list);
    }
    for (const [element, list] of byElement) {
      const error = list.some((p) => p.severity !== 'warning');
      canvas.addMarker(element, error ? 'motcua-error' : 'motcua-warning');
      this._marked.push(element.id);
      const badge = document.createElement('span');
      badge.className = `motcua-badge ${error ? 'error' : 'warning'}`;
      badge.textContent = String(list.length);
      badge.title = list.map((p) => p.message).join('\n');
      badge.setAttribute('data-element-id', element.id);
      badge.addEventListener('click', () => this.focus(list[0]));
      const position = element.waypoints ? flowSpot(element) : { top: -12, right: 12 };
      overlays.add(element, OVERLAY, { position, html: badge });
    }
  }

  _render() {
    const errors = this._problems.filter((p) => p.severity !== 'warning').length;
    const warnings = this._problems.length - errors;
    this._summary.textContent = this._problems.length
      ? `${errors} lỗi, ${warnings} cảnh báo` : 'Không có lỗi hay cảnh báo nào.';
    this._summary.className = errors ? 'has-errors' : warnings ? 'has-warnings' : 'clean';
    this._list.replaceChildren(...this._problems.map((p) => {
      const item = document.createElement('li');
      item.className = p.severity === 'warning' ? 'warning' : 'error';
      const button = document.createElement('button');
      button.type = 'button';
      const element = this._element(p);
      const where = whereOf(p, element);
      const kind = document.createElement('strong');
      kind.textContent = `${p.severity === 'warning' ? 'Cảnh báo' : 'Lỗi'} — ${where}`;
      const text = document.createElement('span');
      text.textContent = p.message;
      button.append(kind, text);
      if (p.element_id) button.setAttribute('data-element-id', p.element_id);
      button.addEventListener('click', () => this.focus(p));
      item.append(button);
      return item;
    }));
  }

  /** Select the problem's element and focus the field that fixes it. */
  focus(problem) {
    const element = this._element(problem);
    if (!element) return;
    this._modeler.get('selection').select(element);
    // The pool is the whole diagram: scrolling "to" it would push the steps out of view.
    if (!element.businessObject.$instanceOf('bpmn:Participant')) {
      this._modeler.get('canvas').scrollToElement(element, { top: 80, bottom: 80, left: 120, right: 120 });
    }
    const id = entryFor(problem, element);
    // The panel re-renders for the new selection first; its entries listen in an effect.
    // Without a field to fix, the diagram takes the focus, so its shortcuts act on the
    // selected element (Delete, Ctrl+Z) as they would after a click on it.
    setTimeout(() => {
      if (id) this._modeler.get('eventBus').fire('propertiesPanel.showEntry', { id, focus: true });
      else this._modeler.get('canvas').focus();
    }, 50);
  }

  _panelErrors() {
    const selected = this._modeler.get('selection').get();
    const errors = {};
    if (selected.length === 1) {
      for (const p of this._problems) {
        if (p.element_id !== selected[0].id || p.severity === 'warning') continue;
        const id = entryFor(p, selected[0]);
        if (id && !errors[id]) errors[id] = p.message;
      }
    }
    this._modeler.get('eventBus').fire('propertiesPanel.setErrors', { errors });
  }
}
