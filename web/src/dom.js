// One way to build a page's elements in script: el('td', { class: 'x', onclick: fn }, ...).
// A null, undefined or false attribute is left out, true is a bare attribute, "text" sets the
// text (never HTML), "on…" adds a listener; children may be nested lists, nulls are skipped.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}
