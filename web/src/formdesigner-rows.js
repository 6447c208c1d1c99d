// The field rows of the form designer: one card per field (title, type, required, and the
// settings its type has), groups holding rows of their own. The state is the rows' JSON as the
// server reads it (design/formdesign/rows.py); the cards only edit it. Text typed changes the
// state in place (the focus stays put); adding, removing, moving a row or changing its type
// draws the list again.

import { el } from './dom.js';

const LENGTH = new Set(['text', 'textarea', 'email', 'list']);
const NUMBER = new Set(['integer', 'number']);
const ROWS = new Set(['group', 'list']);
const CHOICE = new Set(['select', 'radio']);
const PATTERN = new Set(['text', 'list']);
const NESTED = new Set(['group', 'section']);
const PLACEHOLDER = new Set(['text', 'textarea', 'email', 'integer', 'number', 'list', 'officer']);
const DEFAULTS = new Set(['text', 'textarea', 'email', 'date', 'datetime', 'integer', 'number',
  'select', 'radio', 'boolean']);
// Settings a type does not have are dropped when the type changes, so none lingers unseen.
const SETTINGS = {
  min_length: LENGTH, max_length: LENGTH, minimum: NUMBER, maximum: NUMBER,
  min_rows: ROWS, max_rows: ROWS, pattern: PATTERN, placeholder: PLACEHOLDER,
};

let counter = 0;
const uid = () => `r${++counter}`;

export function newRow(type) {
  return {
    key: '', title: '', type, required: false, help: '', placeholder: '',
    min_length: null, max_length: null, minimum: null, maximum: null,
    min_rows: null, max_rows: null, options: CHOICE.has(type) ? [{ label: '', value: '' }] : [],
    pattern: '', role: '', rows: NESTED.has(type) ? [newRow('text')] : [], locked: false,
    help_in_ui: false, default: null,
  };
}

function field(id, label, control, hint) {
  return el('div', { class: 'fd-field' }, el('label', { for: id, text: label }), control,
    hint ? el('p', { class: 'hint', text: hint }) : null);
}

export class RowsEditor {
  // ctx: {types, patterns, roles, readOnly, changed(structural)}
  constructor(container, ctx) {
    this.container = container;
    this.ctx = ctx;
    this.rows = [];
    this.open = new Set(); // rows whose settings the user unfolded, kept across redraws
  }

  show(rows) {
    this.rows = rows;
    this.draw();
  }

  draw(focusId) {
    const list = this.list(this.rows, 'Thêm trường', 0);
    this.container.replaceChildren(list);
    if (focusId) document.getElementById(focusId)?.focus();
  }

  changed(structural, focusId) {
    if (structural) this.draw(focusId);
    this.ctx.changed(structural);
  }

  list(rows, addLabel, depth) {
    const items = rows.map((row, index) => this.card(rows, row, index, depth));
    const wrap = el('div', { class: `fd-rows depth-${depth}` },
      items.length ? el('ol', { class: 'fd-row-list' }, items)
        : el('p', { class: 'muted', text: depth ? 'Nhóm chưa có trường nào.' : 'Biểu mẫu chưa có trường nào.' }));
    if (!this.ctx.readOnly) wrap.append(this.adder(rows, addLabel, depth));
    return wrap;
  }

  adder(rows, label, depth) {
    const id = `${uid()}-add`;
    const types = this.ctx.types.filter((t) => t.value !== 'advanced'
      && !(depth >= 3 && NESTED.has(t.value)));
    const select = el('select', { id, 'aria-label': 'Loại trường mới' },
      types.map((t) => el('option', { value: t.value, text: t.label })));
    const add = () => {
      const row = newRow(select.value);
      row._id = uid();
      rows.push(row);
      this.changed(true, `${row._id}-title`);
    };
    return el('div', { class: 'fd-adder' }, select,
      el('button', { type: 'button', class: 'fd-add', onclick: add, text: label }));
  }

  card(rows, row, index, depth) {
    row._id = row._id || uid();
    const id = row._id;
    const ro = this.ctx.readOnly;
    const typeLabel = (this.ctx.types.find((t) => t.value === row.type) || {}).label || row.type;
    const set = (name, value, structural = false, focusId = null) => {
      row[name] = value;
      this.changed(structural, focusId);
    };
    const title = el('input', {
      id: `${id}-title`, value: row.title, required: true, maxlength: 300, disabled: ro || row.type === 'advanced',
      placeholder: 'Ví dụ: Họ và tên', oninput: (e) => set('title', e.target.value),
    });
    const type = row.type === 'advanced'
      ? el('span', { class: 'fd-type-fixed', id: `${id}-type`, text: typeLabel })
      : el('select', {
        id: `${id}-type`, disabled: ro,
        onchange: (e) => this.retype(row, e.target.value),
      }, this.ctx.types.filter((t) => t.value !== 'advanced').map((t) => el('option', {
        value: t.value, text: t.label, selected: t.value === row.type,
      })));
    const required = el('input', {
      type: 'checkbox', id: `${id}-required`, checked: row.required, disabled: ro,
      onchange: (e) => set('required', e.target.checked),
    });
    const key = el('span', { class: 'fd-key', 'data-key-of': id },
      row.locked ? 'Khóa ' : 'Khóa (theo tiêu đề) ', el('code', { text: row.key || '…' }),
      row.locked ? el('span', { class: 'fd-lock', title: 'Đã lưu: khóa là tên dữ liệu, không đổi nữa', text: ' · cố định' }) : null);
    const move = (to) => {
      rows.splice(index, 1);
      rows.splice(to, 0, row);
      this.changed(true, `${id}-${to < index ? 'up' : 'down'}`);
    };
    const tools = ro ? null : el('div', { class: 'fd-row-tools' },
      el('button', { type: 'button', id: `${id}-up`, class: 'secondary', disabled: index === 0, title: 'Chuyển lên', 'aria-label': `Chuyển "${row.title || 'trường'}" lên`, onclick: () => move(index - 1), text: '↑' }),
      el('button', { type: 'button', id: `${id}-down`, class: 'secondary', disabled: index === rows.length - 1, title: 'Chuyển xuống', 'aria-label': `Chuyển "${row.title || 'trường'}" xuống`, onclick: () => move(index + 1), text: '↓' }),
      el('button', { type: 'button', class: 'link danger', onclick: () => { rows.splice(index, 1); this.changed(true); }, text: 'Xóa trường' }));
    const head = el('div', { class: 'fd-row-head' },
      field(`${id}-title`, `Tiêu đề trường ${index + 1}`, title),
      field(`${id}-type`, 'Loại', type),
      el('div', { class: 'fd-field fd-check' }, required, el('label', { for: `${id}-required`, text: 'Bắt buộc' })));
    const card = el('li', { class: `fd-row fd-type-${row.type}`, 'data-row-id': id, 'data-key': row.key },
      head, el('div', { class: 'fd-row-meta' }, key, tools));
    card.append(row.type === 'advanced' ? this.kept(row, true) : this.details(row, set, depth));
    return card;
  }

  retype(row, type) {
    for (const [name, types] of Object.entries(SETTINGS)) {
      if (!types.has(type)) row[name] = name === 'pattern' || name === 'placeholder' ? '' : null;
    }
    if (CHOICE.has(type) && !row.options.length) row.options = [{ label: '', value: '' }];
    if (!CHOICE.has(type)) row.options = [];
    if (NESTED.has(type) && !row.rows.length) row.rows = [newRow('text')];
    if (!NESTED.has(type)) row.rows = [];
    if (type !== 'officer') row.role = '';
    row.default = null; // a value of the old type is seldom one of the new
    row.type = type;
    this.changed(true, `${row._id}-type`);
  }

  details(row, set, depth) {
    const id = row._id;
    const ro = this.ctx.readOnly;
    const parts = [];
    const always = [];
    const text = (name, label, attrs = {}, hint = null) => field(`${id}-${name}`, label, el('input', {
      id: `${id}-${name}`, value: row[name] ?? '', disabled: ro, ...attrs,
      oninput: (e) => set(name, e.target.value),
    }), hint);
    // A count (characters, rows) is whole and never negative; a bound of a number may be.
    const number = (name, label, whole, count = whole) => field(`${id}-${name}`, label, el('input', {
      id: `${id}-${name}`, type: 'number', step: whole ? 1 : 'any', min: count ? 0 : null,
      value: row[name] ?? '', disabled: ro, inputmode: whole ? 'numeric' : 'decimal',
      oninput: (e) => set(name, e.target.value === '' ? null : Number(e.target.value)),
    }));
    parts.push(field(`${id}-help`, 'Hướng dẫn hiện dưới tiêu đề', el('textarea', {
      id: `${id}-help`, rows: 2, disabled: ro, oninput: (e) => set('help', e.target.value),
    }, row.help || '')));
    if (PLACEHOLDER.has(row.type)) parts.push(text('placeholder', 'Chữ gợi ý trong ô'));
    if (DEFAULTS.has(row.type)) parts.push(this.defaultField(row, set));
    const limits = [];
    if (LENGTH.has(row.type)) limits.push(number('min_length', 'Ít nhất (ký tự)', true), number('max_length', 'Tối đa (ký tự)', true));
    if (NUMBER.has(row.type)) limits.push(number('minimum', 'Giá trị nhỏ nhất', row.type === 'integer', false), number('maximum', 'Giá trị lớn nhất', row.type === 'integer', false));
    if (ROWS.has(row.type)) limits.push(number('min_rows', 'Ít nhất (dòng)', true), number('max_rows', 'Tối đa (dòng)', true));
    if (limits.length) parts.push(el('div', { class: 'fd-limits' }, limits));
    if (PATTERN.has(row.type)) {
      const select = el('select', {
        id: `${id}-pattern`, disabled: ro,
        onchange: (e) => {
          const chosen = this.ctx.patterns.find((p) => p.value === e.target.value);
          // The ready pattern's hint is offered as the help the error message will quote;
          // another pattern's hint, left from the one picked before, would quote it wrong.
          const offered = !row.help || this.ctx.patterns.some((p) => p.hint === row.help);
          if (offered) row.help = chosen ? chosen.hint : '';
          set('pattern', e.target.value, Boolean(chosen) || offered, `${id}-pattern`);
        },
      }, el('option', { value: '', text: '— Không —' }),
      this.ctx.patterns.map((p) => el('option', { value: p.value, text: p.label, selected: p.value === row.pattern })));
      parts.push(field(`${id}-pattern`, 'Mẫu có sẵn', select));
    }
    if (row.type === 'officer') {
      const select = el('select', { id: `${id}-role`, disabled: ro, onchange: (e) => set('role', e.target.value) },
        el('option', { value: '', text: '— Chọn vai trò —' }),
        this.ctx.roles.map((r) => el('option', { value: r.value, text: r.label, selected: r.value === row.role })));
      parts.push(field(`${id}-role`, 'Chọn cán bộ có vai trò', select,
        'Danh sách cán bộ lấy theo vai trò, ở đơn vị xử lý hoặc cơ quan của thủ tục.'));
    }
    if (row.advanced) parts.push(this.kept(row, false));
    if (CHOICE.has(row.type)) always.push(this.options(row));
    if (NESTED.has(row.type)) {
      always.push(el('fieldset', { class: 'fd-nested' },
        el('legend', { text: row.type === 'group' ? 'Các cột của mỗi dòng' : 'Các trường của nhóm' }),
        this.list(row.rows, 'Thêm trường vào nhóm', depth + 1)));
    }
    const said = [row.help && 'hướng dẫn', row.placeholder && 'chữ gợi ý',
      row.default !== null && row.default !== undefined && 'giá trị mặc định',
      [row.min_length, row.max_length, row.minimum, row.maximum, row.min_rows, row.max_rows]
        .some((v) => v !== null && v !== undefined) && 'giới hạn',
      row.pattern && 'mẫu có sẵn', row.role && 'vai trò', row.advanced && 'phần nâng cao']
      .filter(Boolean);
    // A row just added shows its settings; saved rows fold them, so the list stays short.
    const more = el('details', { class: 'fd-more', open: !row.locked || this.open.has(id),
      ontoggle: (e) => { if (e.target.open) this.open.add(id); else this.open.delete(id); } },
    el('summary', { text: `Thiết lập${said.length ? `: ${said.join(', ')}` : ''}` }),
    el('div', { class: 'fd-row-details' }, parts));
    return el('div', { class: 'fd-row-body' }, more, always);
  }

  // What a blank form shows already: a value of the field's type, or nothing.
  defaultField(row, set) {
    const id = `${row._id}-default`;
    const label = 'Giá trị mặc định';
    const ro = this.ctx.readOnly;
    const pick = (choices) => el('select', {
      id, disabled: ro,
      onchange: (e) => set('default', choices.find((c) => String(c.value) === e.target.value)?.value ?? null),
    }, choices.map((c) => el('option', { value: String(c.value), text: c.label, selected: c.value === row.default })));
    if (row.type === 'boolean') {
      return field(id, label, pick([{ value: null, label: '— Không —' },
        { value: true, label: 'Đánh dấu sẵn' }, { value: false, label: 'Không đánh dấu' }]));
    }
    if (CHOICE.has(row.type)) {
      return field(id, label, pick([{ value: null, label: '— Không —' },
        ...row.options.filter((o) => o.value).map((o) => ({ value: o.value, label: o.label || o.value }))]));
    }
    const numeric = NUMBER.has(row.type);
    return field(id, label, el('input', {
      id, disabled: ro, value: row.default ?? '',
      type: numeric ? 'number' : (row.type === 'date' ? 'date' : 'text'),
      step: row.type === 'integer' ? 1 : (numeric ? 'any' : null),
      placeholder: row.type === 'datetime' ? '2026-03-02T09:00:00+07:00' : null,
      oninput: (e) => {
        const typed = e.target.value;
        set('default', typed === '' ? null : (numeric ? Number(typed) : typed));
      },
    }));
  }

  options(row) {
    const id = row._id;
    const ro = this.ctx.readOnly;
    const items = row.options.map((option, i) => {
      return el('li', { class: 'fd-option' },
        field(`${id}-opt-${i}`, `Lựa chọn ${i + 1}`, el('input', {
          id: `${id}-opt-${i}`, value: option.label, disabled: ro,
          oninput: (e) => {
            // The value follows the label until someone writes it: conditions may test it.
            if (option.value === option.label || !option.value) {
              option.value = e.target.value;
              const shown = document.getElementById(`${id}-optv-${i}`);
              if (shown) shown.value = option.value;
            }
            option.label = e.target.value;
            this.changed(false);
          },
        })),
        field(`${id}-optv-${i}`, 'Giá trị lưu', el('input', {
          id: `${id}-optv-${i}`, value: option.value, disabled: ro,
          oninput: (e) => { option.value = e.target.value; this.changed(false); },
        })),
        ro ? null : el('button', { type: 'button', class: 'link danger', onclick: () => { row.options.splice(i, 1); this.changed(true); }, text: 'Bỏ' }));
    });
    const add = ro ? null : el('button', {
      type: 'button', class: 'secondary', text: 'Thêm lựa chọn',
      onclick: () => { row.options.push({ label: '', value: '' }); this.changed(true, `${id}-opt-${row.options.length - 1}`); },
    });
    return el('fieldset', { class: 'fd-options' }, el('legend', { text: 'Các lựa chọn' }), el('ol', {}, items), add);
  }

  kept(row, whole) {
    const text = JSON.stringify(whole ? { schema: row.advanced.schema, ui: row.advanced.ui } : row.advanced, null, 2);
    return el('details', { class: 'fd-kept', open: whole },
      el('summary', { text: whole ? 'Trường nâng cao (chỉ xem)' : 'Phần nâng cao giữ nguyên khi lưu' }),
      el('p', { class: 'hint', text: 'Phần này ngoài những gì các ô trên nói được: giữ nguyên khi lưu; sửa ở chế độ "Nâng cao: JSON".' }),
      el('pre', { text }));
  }
}

// The rows' JSON as the server reads it: no page-only fields, and a row never saved without
// its key, so its key follows its title until the first save.
export function rowsForServer(rows) {
  return rows.map((row) => {
    const out = {};
    for (const [name, value] of Object.entries(row)) {
      if (!name.startsWith('_')) out[name] = value;
    }
    if (!row.locked) out.key = '';
    out.rows = rowsForServer(row.rows || []);
    return out;
  });
}

// Keys the server gave (in the same shape), shown on the cards.
export function takeKeys(rows, answered) {
  rows.forEach((row, i) => {
    const other = answered[i];
    if (!other) return;
    // A saved row's key is the data's name for good: only new rows take the server's.
    if (!row.locked) {
      row.key = other.key;
      document.querySelectorAll(`[data-key-of="${row._id}"] code`).forEach((code) => { code.textContent = row.key || '…'; });
    }
    takeKeys(row.rows || [], other.rows || []);
  });
}

export function lockAll(rows) {
  for (const row of rows) {
    // A row added while the save was on its way has no key yet: it stays new.
    if (row.key) row.locked = true;
    lockAll(row.rows || []);
  }
}
