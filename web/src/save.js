// Drafts that never lose work: every change is saved (debounced) as a new revision with the
// revision we hold, so a stale one gets a 409 instead of overwriting someone else's work;
// until the server has it, the XML is also kept in localStorage, and leaving asks first.

const DEBOUNCE_MS = 800;
const RETRY_MS = 5000;

export class Api {
  constructor(urls, csrf) {
    this.urls = urls;
    this.csrf = csrf;
  }

  async send(method, url, body) {
    const response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': this.csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    return { status: response.status, ok: response.ok, data };
  }
}

export class Backup {
  constructor(draftId) {
    this.key = `motcua.draft.${draftId}`;
  }

  read() {
    try {
      return JSON.parse(localStorage.getItem(this.key) || 'null');
    } catch {
      return null;
    }
  }

  write(revision, xml) {
    try {
      localStorage.setItem(this.key, JSON.stringify({ revision, xml, at: new Date().toISOString() }));
    } catch {
      // A full or disabled storage only loses the extra copy; the server save goes on.
    }
  }

  clear() {
    try {
      localStorage.removeItem(this.key);
    } catch {
      // nothing to clear
    }
  }
}

export class Autosave {
  /**
   * @param {object} o
   * @param {object} o.modeler  the bpmn-js modeler
   * @param {Api} o.api
   * @param {Backup} o.backup
   * @param {number} o.revision the revision the page was built from
   * @param {Function} o.onSaved (revision, problems)
   * @param {Function} o.onStatus (state, text)
   * @param {Function} o.onConflict (latestRevision)
   * @param {Function} o.onRefused (details)
   * @param {boolean} [o.readOnly] a published draft takes no more saves
   */
  constructor(o) {
    Object.assign(this, o);
    this.dirty = false;
    this.saving = null;
    this.timer = null;
    this.conflict = false;
    this.changeCount = 0;
    // An import clears the stack and fires 'changed' too: that is no edit.
    this.modeler.on('commandStack.changed', (event) => {
      if (event.trigger !== 'clear') this.changed();
    });
    window.addEventListener('beforeunload', (event) => {
      if (!this.dirty && !this.saving) return;
      event.preventDefault();
      event.returnValue = '';
    });
  }

  /** Save nothing (edits stay dirty, the leave warning on) until release(): while the
   *  designer has not agreed that a save drops what bpmn-js could not read in the file. */
  hold() {
    this.held = true;
    clearTimeout(this.timer);
  }

  release() {
    this.held = false;
    if (this.dirty) this.save();
  }

  changed() {
    if (this.readOnly) {
      this.onStatus('readonly', 'Bản nháp đã công bố: thay đổi không được lưu.');
      return;
    }
    this.dirty = true;
    this.changeCount += 1;
    if (this.held) {
      this.onStatus('held', 'Có thay đổi chưa lưu: hãy trả lời thông báo phía trên.');
      return;
    }
    this.onStatus('dirty', 'Có thay đổi chưa lưu…');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), DEBOUNCE_MS);
  }

  /** Save now (and wait for it); resolves true when the server holds the current diagram. */
  async flush() {
    clearTimeout(this.timer);
    if (this.saving) await this.saving;
    if (this.dirty && !this.conflict) await this.save();
    return !this.dirty && !this.conflict;
  }

  async save() {
    if (this.conflict || this.held) return;
    if (this.saving) {
      // One request at a time: the revision of the next one comes from the answer.
      await this.saving;
      if (this.dirty) this.timer = setTimeout(() => this.save(), 0);
      return;
    }
    this.saving = this._save();
    try {
      await this.saving;
    } finally {
      this.saving = null;
    }
  }

  async _save() {
    const count = this.changeCount;
    const { xml } = await this.modeler.saveXML({ format: false });
    this.backup.write(this.revision, xml);
    this.onStatus('saving', 'Đang lưu…');
    let answer;
    try {
      answer = await this.api.send('PUT', this.api.urls.draft, { revision: this.revision, bpmn: xml });
    } catch {
      this.onStatus('offline', 'Không kết nối được máy chủ: bản nháp được giữ trong trình duyệt, sẽ thử lưu lại.');
      this.timer = setTimeout(() => this.save(), RETRY_MS);
      return;
    }
    if (answer.ok) {
      this.revision = answer.data.revision;
      if (count === this.changeCount) {
        this.dirty = false;
        this.backup.clear();
        this.onStatus('saved', `Đã lưu (bản ${this.revision}).`);
      }
      this.onSaved(this.revision, answer.data.problems || []);
      return;
    }
    if (answer.status === 409) {
      this.conflict = true;
      const latest = await this.api.send('GET', this.api.urls.draft);
      const revision = latest.ok ? latest.data.revision : null;
      this.onStatus('conflict', 'Xung đột: chưa lưu.');
      this.onConflict(revision);
      return;
    }
    const error = (answer.data && answer.data.error) || {};
    this.onStatus('refused', error.message || `Máy chủ không nhận bản nháp (mã ${answer.status}).`);
    this.onRefused(error.details || []);
  }
}
