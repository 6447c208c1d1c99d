// Pick-list options built from the page's data islands (roles, units, agencies, documents,
// the procedure's steps) and the draft's forms: nothing here is typed by the designer.
import { durationMinutes, durationText } from '../dialect.js';

export function roleOptions(config) {
  return config.roles.map((r) => ({ value: r.value, label: r.label }));
}

export function unitOptions(config) {
  return [
    { label: 'Theo hồ sơ', children: config.selectors.map((s) => ({ value: s.value, label: s.label })) },
    {
      label: 'Cơ quan, đơn vị cụ thể',
      children: config.agencies.map((a) => ({
        value: a.code,
        label: `${'\u2003'.repeat(a.depth)}${a.name} (${a.code})`
      }))
    }
  ];
}

export function labelOf(list, value) {
  const found = list.find((o) => o.value === value || o.code === value);
  return found ? found.label || found.name : value;
}

export function unitLabel(config, value) {
  const selector = config.selectors.find((s) => s.value === value);
  if (selector) return selector.label;
  const agency = config.agencies.find((a) => a.code === value);
  return agency ? agency.name : value;
}

export function formOptions(config) {
  return Object.keys(config.forms).sort().map((key) => {
    const title = (config.forms[key].schema || {}).title;
    return { value: key, label: title ? `${title} (${key})` : key };
  });
}

/** Top-level fields of a form's JSON Schema whose type can hold what ``types`` ask for. */
export function fieldOptions(config, formKey, types) {
  const form = config.forms[formKey];
  const props = (form && form.schema && form.schema.properties) || {};
  return Object.keys(props)
    .filter((name) => !props[name].type || types.includes(props[name].type))
    .map((name) => ({ value: name, label: props[name].title ? `${props[name].title} (${name})` : name }));
}

export function documentOptions(config) {
  return config.documents.map((d) => ({ value: d.value, label: d.label }));
}

export function rowOptions(config) {
  return config.steps.map((s) => {
    const minutes = durationMinutes(s.time);
    const time = minutes === null ? s.time : durationText(minutes);
    return { value: String(s.no), label: `Bước ${s.no}: ${s.work}${time ? ` (${time})` : ''}` };
  });
}

export function meaningOptions(config) {
  return config.meanings.map((m) => ({ value: m.value, label: m.label }));
}
