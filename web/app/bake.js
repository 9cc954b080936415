// "Tomorrow's bake": how much of each product to bake (GET …/bake-plan), as the server planned it
// from the forecasts and the products' prices and costs, for the day after the latest sales or a
// day the person picks; the same plan as the server's CSV for a spreadsheet.

import { LevainError, bakePlan, bakePlanCsv, describeError } from '../client/levain-client.js';
import { byId, el, formatNumber } from './dom.js';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];

/** "Thursday 3 December 2026" for "2026-12-03". */
function longDay(iso) {
  const d = new Date(`${iso}T00:00:00Z`);
  if (!Number.isFinite(d.getTime())) return String(iso ?? '');
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

const percent = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '—');
const byProduct = (a, b) => (a.product < b.product ? -1 : a.product > b.product ? 1 : 0) ||
  (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);

export class BakeView {
  /** ctx: { auth(), errors, onAuthError(err) } */
  constructor(ctx) {
    this.ctx = ctx;
    this.box = byId('bake');
    this.dateInput = byId('bake-date');
    this.tomorrowButton = byId('bake-tomorrow');
    this.csvButton = byId('bake-csv');
    this.note = byId('bake-note');
    this.tableBox = byId('bake-table-box');
    this.body = byId('bake-rows');
    this.legend = byId('bake-legend');
    this.skippedBox = byId('bake-skipped');
    this.skippedList = byId('bake-skipped-list');
    this.request = 0;
    this.chosen = undefined; // the day asked for; undefined: the server's "tomorrow"
    this.fileUrl = '';
    this.dateInput.addEventListener('change', () => {
      this.chosen = this.dateInput.value || undefined;
      this.refresh();
    });
    this.tomorrowButton.addEventListener('click', () => {
      this.chosen = undefined;
      this.refresh();
    });
    this.csvButton.addEventListener('click', () => this.download());
  }

  /** Empties the view (sign-out, another bakery): the next refresh plans "tomorrow" again. */
  clear() {
    this.request += 1;
    this.chosen = undefined;
    this.#empty('idle', '');
    this.dateInput.value = '';
    this.#forgetFile();
  }

  /** Loads the plan for the chosen day (or the server's default); resolves with it, null if none. */
  async refresh() {
    const ticket = ++this.request; // a slower earlier answer must not replace a newer one
    const date = this.chosen;
    this.box.dataset.state = 'loading';
    this.csvButton.disabled = true;
    this.tomorrowButton.hidden = date === undefined;
    let plan;
    try {
      plan = await bakePlan({ ...this.ctx.auth(), date });
    } catch (err) {
      if (ticket !== this.request) return null;
      this.#failed(err);
      return null;
    }
    if (ticket !== this.request) return null;
    this.render(plan, date);
    return plan;
  }

  render(plan, asked) {
    const lines = [...(plan.plan ?? [])].sort(byProduct);
    const skipped = plan.skipped ?? [];
    const d = this.box.dataset;
    d.state = 'ready';
    d.date = plan.date ?? '';
    d.products = String(lines.length);
    d.skipped = String(skipped.length);
    delete d.errorCode;
    this.dateInput.value = plan.date ?? '';
    this.note.className = '';
    this.note.replaceChildren(
      el('strong', {}, `Plan for ${longDay(plan.date)}`),
      asked === undefined ? ', the day after the latest sales.' : '.',
      lines.length ? '' : ' No product has a forecast for this day.');
    this.body.replaceChildren(...lines.map((l) => el('tr', { 'data-testid': 'bake-row', 'data-product': l.product,
      'data-quantity': l.quantity, 'data-date': l.date },
    el('td', { class: 'product' }, l.product),
    el('td', { class: 'num qty', 'data-testid': 'bake-quantity' }, Number.isFinite(l.quantity) ? String(l.quantity) : '—'),
    el('td', { class: 'num' }, formatNumber(l.median)),
    el('td', { class: 'num' }, formatNumber(l.expected_sold)),
    el('td', { class: 'num' }, formatNumber(l.expected_waste)),
    el('td', { class: 'num' }, formatNumber(l.expected_lost_sales)),
    el('td', { class: 'num', 'data-testid': 'bake-profit' }, formatNumber(l.expected_profit, 2)),
    el('td', { class: 'num' }, percent(l.service_level)),
    el('td', { class: 'num', title: l.model ?? '' }, Number.isFinite(l.model_version) ? `v${l.model_version}` : '—'))));
    this.tableBox.hidden = lines.length === 0;
    this.#legend(lines, plan.default_economics);
    this.skippedList.replaceChildren(...skipped.map((s) => el('li', { 'data-testid': 'bake-skipped-product',
      'data-product': s.product }, el('strong', {}, s.product), `: ${s.reason}`)));
    this.skippedBox.hidden = skipped.length === 0;
    this.csvButton.disabled = false;
  }

  /** Fetches the same plan as CSV and saves it under the server's file name. */
  async download() {
    const ticket = this.request;
    this.csvButton.disabled = true;
    let file;
    try {
      file = await bakePlanCsv({ ...this.ctx.auth(), date: this.chosen });
    } catch (err) {
      this.ctx.errors.showError(err);
      this.ctx.onAuthError(err);
      return;
    } finally {
      if (ticket === this.request) this.csvButton.disabled = false;
    }
    if (ticket !== this.request) return; // signed out or another bakery meanwhile
    this.#forgetFile();
    this.fileUrl = URL.createObjectURL(new Blob([file.csv], { type: 'text/csv;charset=utf-8' }));
    const link = el('a', { href: this.fileUrl, download: file.filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    this.box.dataset.downloaded = file.filename;
  }

  #legend(lines, economics) {
    if (lines.length === 0) {
      this.legend.hidden = true;
      return;
    }
    const text = ['Sold, waste and lost sales are what to expect on average when that quantity is baked; ' +
      'the service level is the share of days the bake should cover, (price − cost) / price.'];
    if (lines.some((l) => l.economics === 'default' || l.expected_profit === null)) {
      const share = economics?.unit_cost_share;
      text.push(` Profit is “—” for products without a price and cost on the server: their service level ` +
        `comes from the bakery's default cost of ${Number.isFinite(share) ? percent(share) : 'a share'} of the price.`);
    }
    this.legend.textContent = text.join('');
    this.legend.hidden = false;
  }

  /**
   * No plan. The server's "no model yet" (404) is this view's own note; anything else is shown where
   * the dashboard shows errors (an expired token also signs out).
   */
  #failed(err) {
    const notFound = err instanceof LevainError && err.kind === 'not_found';
    const message = notFound && err.code === 'no_models'
      ? `${err.message.charAt(0).toUpperCase()}${err.message.slice(1).replace(/\.?$/, '.')}`
      : describeError(err);
    this.#empty(notFound ? 'none' : 'error', notFound ? message : 'No plan to show: see the message above.');
    if (err instanceof LevainError && err.code) this.box.dataset.errorCode = err.code;
    if (!notFound) {
      this.ctx.errors.showError(err);
      this.ctx.onAuthError(err);
    }
  }

  #empty(state, note) {
    const d = this.box.dataset;
    d.state = state;
    for (const key of ['date', 'products', 'skipped', 'errorCode', 'downloaded']) delete d[key];
    this.note.className = state === 'none' ? 'muted' : '';
    this.note.replaceChildren(note);
    this.body.replaceChildren();
    this.tableBox.hidden = true;
    this.legend.hidden = true;
    this.skippedList.replaceChildren();
    this.skippedBox.hidden = true;
    this.csvButton.disabled = true;
    this.tomorrowButton.hidden = this.chosen === undefined;
  }

  #forgetFile() {
    if (this.fileUrl) URL.revokeObjectURL(this.fileUrl);
    this.fileUrl = '';
  }
}
