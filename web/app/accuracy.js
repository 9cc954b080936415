// "Accuracy": the forecasts the server served, checked against the sales that then arrived
// (GET …/accuracy). A baker sees per product how far off the forecasts were 1, 7 and 14 days
// ahead, and which products "drifted" (their recent error grew well past what the model showed on
// its hold-out days), so that a retrain of just those can be started from here.

import { LevainError, getAccuracy } from '../client/levain-client.js';
import { byId, el, formatNumber } from './dom.js';

/** The days ahead the table shows, as the report's keys. */
export const LEADS = ['1', '7', '14'];
export const EMPTY_NOTE = 'No forecast has met its sales yet: accuracy appears after the next sales upload ' +
  'covers forecast days.';

/** 0.85 → "85%"; "—" for null or anything not a number. */
export const formatPercent = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '—');

/** "2 products drifted: retrain them" (a count from the upload's answer). */
export function driftedSentence(n) {
  return n === 1 ? '1 product drifted: retrain it' : `${n} products drifted: retrain them`;
}

const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Drifted products first, then by name; a new array (the server's order is not relied on). */
export function sortProducts(products) {
  return [...(Array.isArray(products) ? products : [])]
    .sort((a, b) => Number(b?.drifted === true) - Number(a?.drifted === true) ||
      byName(String(a?.product ?? ''), String(b?.product ?? '')));
}

const count = (lead) => (Number.isInteger(lead?.forecasts) && lead.forecasts > 0 ? lead.forecasts : 0);

/** The cells of one set of leads ({"1": {...}, "7": …}); a lead that is missing reads "—". */
function leadCells(leads) {
  const at = (k) => (leads && typeof leads === 'object' ? leads[k] : undefined);
  return {
    mae: LEADS.map((k) => formatNumber(at(k)?.mae)),
    forecasts: LEADS.map((k) => count(at(k))),
    mase1: formatNumber(at('1')?.mase, 2),
    coverage1: formatPercent(at('1')?.coverage_80),
  };
}

/**
 * What the table says for a report, as text: {rows, overall, drifted (names), checked (forecasts
 * met by their sales, over the leads shown), empty}. Empty means there is nothing to judge yet:
 * no forecast met its sales and nothing drifted.
 */
export function accuracyTable(report) {
  const rows = sortProducts(report?.products).map((p) => {
    const drifted = p.drifted === true;
    return {
      product: String(p.product ?? ''),
      drifted,
      version: Number.isFinite(p.model_version) ? `v${p.model_version}` : '—',
      ...leadCells(p.leads),
      recentVsHoldout: `${formatNumber(p.recent_mae)} / ${formatNumber(p.holdout_mae)}`,
      verdict: drifted ? 'drifted' : Number.isFinite(p.recent_mae) ? 'ok' : '—',
    };
  });
  const overall = leadCells(report?.overall);
  const fromOverall = overall.forecasts.reduce((a, b) => a + b, 0);
  // An answer without `overall` still says what its products were checked against.
  const checked = fromOverall || rows.reduce((n, r) => n + r.forecasts.reduce((a, b) => a + b, 0), 0);
  const drifted = rows.filter((r) => r.drifted).map((r) => r.product);
  return { rows, overall, drifted, checked, empty: checked === 0 && drifted.length === 0 };
}

/** "above 1.5× the model's hold-out error over the last 14 days", from the report's own settings. */
function driftRule(report) {
  const ratio = Number.isFinite(report?.drift_ratio) ? `${report.drift_ratio}×` : 'well above';
  const days = Number.isInteger(report?.drift_window_days) ? `the last ${report.drift_window_days} days` : 'recent days';
  return `its error over ${days} is above ${ratio} the model's error on its hold-out days`;
}

export class AccuracyView {
  /** ctx: { auth(), errors, onAuthError(err), onRetrain() } */
  constructor(ctx) {
    this.ctx = ctx;
    this.box = byId('acc-view');
    this.note = byId('acc-note');
    this.actions = byId('acc-actions');
    this.retrain = byId('acc-retrain');
    this.tableBox = byId('acc-table-box');
    this.body = byId('acc-rows');
    this.foot = byId('acc-overall');
    this.legend = byId('acc-legend');
    this.request = 0;
    this.retrain.addEventListener('click', () => this.ctx.onRetrain());
  }

  clear() {
    this.request += 1;
    this.#empty('idle', '');
  }

  /** While a job runs the server refuses another: main.js says when one may start. */
  allowRetrain(on) {
    this.retrain.disabled = !on;
  }

  /** Loads the report; resolves with it, null if none. */
  async refresh() {
    const ticket = ++this.request; // a slower earlier answer must not replace a newer one
    this.box.dataset.state = 'loading';
    let report;
    try {
      report = await getAccuracy(this.ctx.auth());
    } catch (err) {
      if (ticket === this.request) this.#failed(err);
      return null;
    }
    if (ticket !== this.request) return null;
    this.render(report);
    return report;
  }

  render(report) {
    const table = accuracyTable(report);
    if (table.empty) {
      this.#empty('empty', EMPTY_NOTE);
      return;
    }
    const d = this.box.dataset;
    d.state = 'ready';
    d.products = String(table.rows.length);
    d.drifted = String(table.drifted.length);
    d.checked = String(table.checked);
    delete d.errorCode;
    this.note.className = '';
    this.note.replaceChildren(
      `${table.checked} forecast${table.checked === 1 ? '' : 's'} checked against what was sold` +
        `${Number.isInteger(report?.days) ? ` in the last ${report.days} days of sales` : ''}. `,
      table.drifted.length ? el('strong', {}, `${driftedSentence(table.drifted.length)}.`) : 'No product has drifted.');
    this.actions.hidden = table.drifted.length === 0;
    this.body.replaceChildren(...table.rows.map((r) => el('tr', { 'data-testid': 'accuracy-row',
      'data-product': r.product, 'data-drifted': String(r.drifted), class: r.drifted ? 'drifted' : '' },
    el('td', { class: 'product' }, r.product),
    ...r.mae.map((m, i) => el('td', { class: 'num', title: `${r.forecasts[i]} checked` }, m)),
    el('td', { class: 'num' }, r.mase1),
    el('td', { class: 'num' }, r.coverage1),
    el('td', { class: 'num' }, r.recentVsHoldout),
    el('td', { class: 'num' }, r.version),
    el('td', { class: 'drift' }, r.drifted
      ? el('span', { class: 'badge drifted', 'data-testid': 'accuracy-drifted' }, 'drifted')
      : el('span', { class: 'muted' }, r.verdict)))));
    const o = table.overall;
    this.foot.replaceChildren(el('tr', { 'data-testid': 'accuracy-overall' },
      el('td', { class: 'product' }, 'All products'),
      ...o.mae.map((m, i) => el('td', { class: 'num', title: `${o.forecasts[i]} checked` }, m)),
      el('td', { class: 'num' }, o.mase1), el('td', { class: 'num' }, o.coverage1), el('td', {}), el('td', {}),
      el('td', { class: 'drift' })));
    this.tableBox.hidden = false;
    this.legend.textContent = 'MAE is the average miss in units for forecasts made 1, 7 and 14 days ahead; ' +
      'MASE below 1 beats repeating last week\'s sales; the 80% band should hold about 80% of days. ' +
      `A product has drifted when ${driftRule(report)}: retraining it on the new sales should bring it back.`;
    this.legend.hidden = false;
  }

  /**
   * No report. A 404 (no model yet, or a server without accuracy) is this view's own note, so it
   * does not take the error area from what the person is doing; anything else is shown there.
   */
  #failed(err) {
    const notFound = err instanceof LevainError && err.kind === 'not_found';
    this.#empty(notFound ? 'none' : 'error', notFound
      ? (err.code === 'no_models' ? EMPTY_NOTE : `No accuracy report: ${err.message.replace(/\.?$/, '.')}`)
      : 'No accuracy to show: see the message above.');
    if (err instanceof LevainError && err.code) this.box.dataset.errorCode = err.code;
    if (!notFound) {
      this.ctx.errors.showError(err);
      this.ctx.onAuthError(err);
    }
  }

  #empty(state, note) {
    const d = this.box.dataset;
    d.state = state;
    for (const key of ['products', 'drifted', 'checked', 'errorCode']) delete d[key];
    this.note.className = state === 'idle' ? '' : 'muted';
    this.note.replaceChildren(note);
    this.actions.hidden = true;
    this.body.replaceChildren();
    this.foot.replaceChildren();
    this.tableBox.hidden = true;
    this.legend.hidden = true;
  }
}
