// Reading and writing the dialect's properties through the command stack, so every change
// is one undoable step, and parsing the values the way the server does (processes/checks/
// dialect.py): the server stays the authority, this only has to agree on the syntax.

export const MEANINGS = ['accept', 'supplement', 'refuse', 'back', 'forward'];
// The standard keys carry their meaning when none is written (bpmn-dialect.md).
const IMPLIED = { accept: 'accept', supplement: 'supplement', refuse: 'refuse', reject: 'refuse', back: 'back' };

function propertiesOf(bo) {
  const ext = bo && bo.get('extensionElements');
  const values = (ext && ext.get('values')) || [];
  return values.find((v) => v.$instanceOf('spiffworkflow:Properties'));
}

export function getProperty(bo, name) {
  const container = propertiesOf(bo);
  const prop = container && container.get('properties').find((p) => p.name === name);
  return prop ? prop.value || '' : '';
}

/** Set (or, with an empty value, remove) one property as a single command-stack step. */
export function setProperty(injector, element, bo, name, value) {
  const moddle = injector.get('moddle');
  const commandStack = injector.get('commandStack');
  const cmds = [];
  const update = (moddleElement, properties) =>
    cmds.push({ cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } });
  const empty = value === undefined || value === null || String(value).trim() === '';

  let ext = bo.get('extensionElements');
  let container = propertiesOf(bo);
  const existing = container && container.get('properties').find((p) => p.name === name);
  if (empty) {
    if (!existing) return;
    update(container, { properties: container.get('properties').filter((p) => p !== existing) });
  } else if (existing) {
    update(existing, { value: String(value) });
  } else {
    // Missing containers are created on first write.
    if (!ext) {
      ext = moddle.create('bpmn:ExtensionElements', { values: [] });
      ext.$parent = bo;
      update(bo, { extensionElements: ext });
    }
    if (!container) {
      container = moddle.create('spiffworkflow:Properties', { properties: [] });
      container.$parent = ext;
      update(ext, { values: [...ext.get('values'), container] });
    }
    const prop = moddle.create('spiffworkflow:Property', { name, value: String(value) });
    prop.$parent = container;
    update(container, { properties: [...container.get('properties'), prop] });
  }
  commandStack.execute('properties-panel.multi-command-executor', cmds);
}

/** "nhan:accept=Tiếp nhận;tra=Trả lại" -> [{key, label, meaning}] (meaning implied if unwritten). */
export function parseOutcomes(text) {
  return (text || '').split(';').map((s) => s.trim()).filter(Boolean).map((part) => {
    const eq = part.indexOf('=');
    const head = (eq < 0 ? part : part.slice(0, eq)).trim();
    const label = eq < 0 ? '' : part.slice(eq + 1).trim();
    const colon = head.indexOf(':');
    const key = (colon < 0 ? head : head.slice(0, colon)).trim();
    const meaning = colon < 0 ? IMPLIED[key] || 'forward' : head.slice(colon + 1).trim();
    return { key, label, meaning };
  });
}

/** Always writes the meaning: an outcome never depends on its key's wording. */
export function formatOutcomes(outcomes) {
  return outcomes.map((o) => `${o.key}:${o.meaning}=${o.label}`).join(';');
}

const DURATION = /^(?:(\d+(?:\.\d+)?)d)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+)m)?$/;

/** Working minutes of "0.5d", "4h", "1d4h", "30m"; 0 for "" or "0"; null when unreadable. */
export function durationMinutes(text) {
  const s = (text || '').trim();
  if (s === '' || s === '0') return 0;
  const m = DURATION.exec(s);
  if (!m || !(m[1] || m[2] || m[3])) return null;
  return Math.round((parseFloat(m[1] || 0) * 8 + parseFloat(m[2] || 0)) * 60 + parseInt(m[3] || 0, 10));
}

/** The condition an outcome choice writes, and the outcome key a condition tests. */
export function outcomeCondition(key) {
  return `outcome == "${key}"`;
}

export function conditionOutcome(body) {
  const m = /^\s*outcome\s*==\s*["']([a-z][a-z0-9_]*)["']\s*$/.exec(body || '');
  return m ? m[1] : null;
}

/** Working minutes as a designer reads them, the way the server's messages write them:
 * 240 -> "0,5 ngày", 60 -> "1 giờ", 570 -> "1 ngày 1 giờ 30 phút", 0 -> "không tính". */
export function durationText(minutes) {
  if (!minutes) return 'không tính';
  if (minutes % 240 === 0) return `${String(minutes / 480).replace('.', ',')} ngày`;
  const days = Math.floor(minutes / 480);
  const hours = Math.floor((minutes % 480) / 60);
  const mins = minutes % 60;
  return [days && `${days} ngày`, hours && `${hours} giờ`, mins && `${mins} phút`].filter(Boolean).join(' ');
}

const WORDS = { 'ngày': 'd', 'giờ': 'h', 'tiếng': 'h', 'phút': 'm' };

/** A time as decisions write it ("0,5 ngày", "04 giờ", "1 ngày 4 giờ") in the dialect's
 * form ("0.5d", "4h", "1d4h"); anything else is left as written for the server to judge. */
export function dialectDuration(text) {
  const s = (text || '').trim().toLowerCase();
  const parts = [...s.matchAll(/(\d+(?:[.,]\d+)?)\s*(ngày|giờ|tiếng|phút)(?:\s*làm việc)?/g)];
  if (!parts.length || s.replace(/(\d+(?:[.,]\d+)?)\s*(ngày|giờ|tiếng|phút)(?:\s*làm việc)?/g, '').trim()) return (text || '').trim();
  return parts.map(([, n, unit]) => `${String(parseFloat(n.replace(',', '.')))}${WORDS[unit]}`).join('');
}
