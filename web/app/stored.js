// What the server already holds for the bakery (GET …/sales): products with their date ranges,
// the overall range and the last upload. Shown at sign-in and after every upload, so a person
// sees the stored history, not what this browser happens to have sent.

import { getSalesSummary } from '../client/levain-client.js';
import { byId, el, formatTime } from './dom.js';

const count = (n, one, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

export class StoredSalesView {
  /** ctx: { auth(), errors, onAuthError(err) } */
  constructor(ctx) {
    this.ctx = ctx;
    this.box = byId('stored');
    this.text = byId('stored-text');
    this.body = byId('stored-products');
    this.tableBox = byId('stored-table');
    this.request = 0;
  }

  clear() {
    this.request += 1;
    this.box.hidden = true;
    delete this.box.dataset.products;
    delete this.box.dataset.rows;
    this.text.replaceChildren();
    this.body.replaceChildren();
  }

  /** Reloads the summary; resolves with it (null on error, which is shown). */
  async refresh() {
    const ticket = ++this.request; // a slower earlier answer must not replace a newer one
    let s;
    try {
      s = await getSalesSummary(this.ctx.auth());
    } catch (err) {
      if (ticket !== this.request) return null;
      this.ctx.errors.showError(err);
      this.ctx.onAuthError(err);
      return null;
    }
    if (ticket !== this.request) return null;
    this.render(s);
    return s;
  }

  render(s) {
    const d = this.box.dataset;
    d.products = String(s.product_count);
    d.rows = String(s.rows);
    d.firstDate = s.first_date ?? '';
    d.lastDate = s.last_date ?? '';
    d.lastUpload = s.last_upload?.at ?? '';
    this.box.hidden = false;
    if (s.product_count === 0) {
      this.text.replaceChildren(el('span', { 'data-testid': 'stored-empty' },
        'The server holds no sales for this bakery yet: upload a CSV to start.'));
      this.tableBox.hidden = true;
      this.body.replaceChildren();
      return;
    }
    const upload = s.last_upload
      ? `last upload ${formatTime(s.last_upload.at)} (${count(s.last_upload.rows, 'row')})`
      : 'time of the last upload not recorded';
    this.text.replaceChildren(
      el('strong', {}, 'Stored on the server: '),
      el('span', { 'data-testid': 'stored-counts' },
        `${count(s.product_count, 'product')}, ${count(s.rows, 'row')} of daily sales`),
      ', ',
      el('span', { 'data-testid': 'stored-range' }, `${s.first_date} to ${s.last_date}`),
      ', ',
      el('span', { 'data-testid': 'stored-last-upload' }, `${upload}.`),
    );
    const rows = s.products.map((p) => el('tr', { 'data-testid': 'stored-row', 'data-product': p.product },
      el('td', {}, p.product),
      el('td', {}, p.first_date),
      el('td', {}, p.last_date),
      el('td', { class: 'num' }, p.rows.toLocaleString('en'))));
    if (s.products_truncated) {
      rows.push(el('tr', {}, el('td', { colspan: 4, class: 'muted' },
        `… and ${count(s.product_count - s.products.length, 'more product')}.`)));
    }
    this.body.replaceChildren(...rows);
    this.tableBox.hidden = false;
  }
}
