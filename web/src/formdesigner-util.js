// Small helpers of the form designer's page (formdesigner.js): no state of their own.

/** `fn`, called once the calls have stopped for `ms` milliseconds. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** An API error as one line: its message, then each detail with its field. */
export function errorText(data) {
  const error = data && data.error;
  if (!error) return 'Máy chủ không trả lời được, thử lại sau.';
  const details = (error.details || []).map((d) => `${d.field ? `${d.field}: ` : ''}${d.message}`);
  return [error.message, ...details].join(' — ');
}

export function button(text, onclick, cls = 'secondary') {
  const node = document.createElement('button');
  node.type = 'button';
  node.className = cls;
  node.textContent = text;
  node.addEventListener('click', onclick);
  return node;
}
