// Sales CSV upload: file picker and drag-and-drop, the server's accepted/rejected counts, the
// rejected rows listed by line number, and how many products drifted once the new sales were
// checked against their forecasts (with a button to retrain those).

import { LevainError, describeError, uploadSales } from '../client/levain-client.js';
import { driftedSentence } from './accuracy.js';
import { byId, el } from './dom.js';

const MAX_FILE_BYTES = 64 * 1024 * 1024;

export class UploadView {
  /**
   * ctx: { auth() → {baseUrl, token, tenantId}, errors: ErrorArea, onAuthError(err), onUploaded(),
   * onRetrain() (starts a job for the drifted products) }
   */
  constructor(ctx) {
    this.ctx = ctx;
    this.input = byId('csv');
    this.dropzone = byId('dropzone');
    this.result = byId('upload-result');
    this.rejectedBox = byId('rejected');
    this.rejectedList = byId('rejected-rows');
    this.busy = false;
    this.retrainAllowed = true;
    this.input.addEventListener('change', () => {
      const file = this.input.files?.[0];
      if (file) this.upload(file);
      this.input.value = ''; // choosing the same file again must upload again
    });
    for (const type of ['dragenter', 'dragover']) {
      this.dropzone.addEventListener(type, (e) => {
        e.preventDefault();
        this.dropzone.classList.add('over');
      });
    }
    this.dropzone.addEventListener('dragleave', () => this.dropzone.classList.remove('over'));
    this.dropzone.addEventListener('drop', (e) => {
      e.preventDefault();
      this.dropzone.classList.remove('over');
      const file = e.dataTransfer?.files?.[0];
      if (file) this.upload(file);
    });
  }

  reset() {
    this.result.textContent = '';
    delete this.result.dataset.drifted;
    this.#listRejected([], false);
  }

  /** Off while a job runs (the server would refuse a second one). */
  allowRetrain(on) {
    this.retrainAllowed = on;
    const button = this.result.querySelector('button');
    if (button) button.disabled = !on;
  }

  async upload(file) {
    if (this.busy) return;
    const { errors } = this.ctx;
    errors.clear();
    this.reset();
    if (file.size > MAX_FILE_BYTES) {
      errors.show(`The file is ${(file.size / 1e6).toFixed(1)} MB; ` +
        `the largest accepted here is ${MAX_FILE_BYTES / 1e6} MB.`);
      return;
    }
    this.busy = true;
    this.result.textContent = `Uploading ${file.name}…`;
    try {
      const text = await file.text();
      const res = await uploadSales({ ...this.ctx.auth(), csv: text });
      this.ctx.onUploaded();
      this.result.textContent =
        `${file.name}: ${res.accepted} rows accepted (${res.inserted} new, ${res.updated} updated), ` +
        `${res.rejected} rejected.`;
      this.result.dataset.accepted = String(res.accepted);
      this.#drifted(res.drifted_products);
      this.#listRejected(res.errors ?? [], res.errors_truncated, res.rejected);
    } catch (err) {
      this.result.textContent = '';
      if (err instanceof LevainError && err.kind === 'csv_rejected') {
        // A body refused as a whole (a bad header, an encoding) has no rows to point at.
        const rows = err.rejectedRows;
        errors.show(rows.length > 0 ? `${describeError(err)} See the rejected rows below.`
          : describeError(err));
        this.#listRejected(rows, err.body?.errors_truncated, err.body?.rejected);
      } else {
        errors.showError(err);
        this.ctx.onAuthError(err);
      }
    } finally {
      this.busy = false;
    }
  }

  /** A server older than issue 17 sends no count: nothing is said then, as for 0. */
  #drifted(n) {
    if (!Number.isInteger(n) || n < 0) return;
    this.result.dataset.drifted = String(n);
    if (n === 0) return;
    this.result.append(' ', el('strong', { 'data-testid': 'upload-drifted' }, `${driftedSentence(n)}.`), ' ',
      el('button', { type: 'button', class: 'small', 'data-testid': 'upload-retrain', disabled: !this.retrainAllowed,
        onclick: () => this.ctx.onRetrain() }, 'Retrain drifted'));
  }

  #listRejected(rows, truncated, total = rows.length) {
    this.rejectedList.replaceChildren(
      ...rows.map((r) => el('li', { 'data-testid': 'rejected-row', 'data-line': r.line },
        `Line ${r.line}: ${r.reason}`)));
    if (truncated) {
      this.rejectedList.append(el('li', {}, `… and ${total - rows.length} more rejected rows.`));
    }
    this.rejectedBox.hidden = rows.length === 0;
  }
}
