// The forecast chart of one product: the sales the server stored (GET …/sales), the forecast and
// its 80% band, drawn with uPlot (served from web/node_modules, never from a CDN). On demand, each
// forecast day explained in a sentence (explain=1: the parts that add up to it).

import uPlot from '../node_modules/uplot/dist/uPlot.esm.js';
import { LevainError, getForecasts, getSalesHistory, listModels } from '../client/levain-client.js';
import { byId, el } from './dom.js';
import { explainSentence } from './explain.js';

const DAY = 86400;
const HISTORY_DAYS = 120; // of stored sales before the forecast starts

const dayOf = (iso) => Date.parse(`${iso}T00:00:00Z`) / 1000;
const isoDay = (t) => new Date(t * 1000).toISOString().slice(0, 10);

/**
 * One column per calendar day from the first to the last known day: [xs, sales, yhat, lower,
 * upper]. A day the server holds no row for is null, so the sales line shows a gap there instead
 * of a straight line across it.
 */
export function chartData(history, points) {
  const sales = new Map();
  for (const h of history) {
    const t = dayOf(h.date);
    if (Number.isFinite(t) && Number.isFinite(h.quantity)) sales.set(t, h.quantity);
  }
  const forecast = new Map();
  for (const p of points) {
    const t = dayOf(p.date);
    if (Number.isFinite(t)) forecast.set(t, p);
  }
  const days = [...sales.keys(), ...forecast.keys()];
  const xs = [];
  if (days.length) {
    const last = days.reduce((a, b) => Math.max(a, b));
    for (let t = days.reduce((a, b) => Math.min(a, b)); t <= last; t += DAY) xs.push(t);
  }
  const pick = (m, f) => xs.map((t) => (m.has(t) ? f(m.get(t)) : null));
  return [xs, pick(sales, (q) => q), pick(forecast, (p) => p.yhat),
    pick(forecast, (p) => p.yhat_lower), pick(forecast, (p) => p.yhat_upper)];
}

/** Days without a stored row between the first and the last stored day. */
export function countGaps(salesColumn) {
  const first = salesColumn.findIndex((v) => v !== null);
  if (first < 0) return 0;
  let last = salesColumn.length - 1;
  while (salesColumn[last] === null) last -= 1;
  return salesColumn.slice(first, last + 1).filter((v) => v === null).length;
}

export class ForecastView {
  /** ctx: { auth(), errors, onAuthError(err) } */
  constructor(ctx) {
    this.ctx = ctx;
    this.select = byId('forecast-product');
    this.box = byId('chart');
    this.note = byId('chart-note');
    this.explainButton = byId('explain-toggle');
    this.explainBox = byId('explain');
    this.explainList = byId('explain-days');
    this.explaining = false;
    this.plot = null;
    this.request = 0;
    this.select.addEventListener('change', () => this.show(this.select.value));
    // Asked for, not always fetched: the parts make the answer several times larger.
    this.explainButton.addEventListener('click', () => {
      this.explaining = !this.explaining;
      this.explainButton.setAttribute('aria-pressed', String(this.explaining));
      this.explainButton.textContent = this.explaining ? 'Hide the explanation' : 'Explain each day';
      if (!this.explaining) this.#explain(null);
      else this.reshow();
    });
    window.addEventListener('resize', () => this.plot?.setSize(this.#size()));
  }

  /** Lists the bakery's trained products; shows the first (or the one already chosen). */
  async refresh() {
    let models;
    try {
      models = await listModels(this.ctx.auth());
    } catch (err) {
      this.ctx.errors.showError(err);
      this.ctx.onAuthError(err);
      return;
    }
    const names = models.map((m) => m.product).filter((p) => typeof p === 'string').sort();
    const keep = names.includes(this.select.value) ? this.select.value : names[0];
    this.select.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
    if (!keep) {
      this.clear('No trained products yet: train a job to see forecasts.');
      return;
    }
    this.select.value = keep;
    await this.show(keep);
  }

  /** Draws the chosen product again (its stored history may have changed). */
  reshow() {
    if (this.select.value) this.show(this.select.value);
  }

  clear(note = '') {
    this.plot?.destroy();
    this.plot = null;
    this.box.replaceChildren();
    this.box.dataset.points = '0';
    this.box.dataset.history = '0';
    this.box.dataset.gaps = '0';
    this.note.textContent = note;
    this.explainButton.hidden = true;
    this.#explain(null);
  }

  async show(product) {
    if (!product) return;
    const ticket = ++this.request; // a slower earlier answer must not replace a newer chart
    const auth = this.ctx.auth();
    let res;
    let history;
    try {
      res = await getForecasts({ ...auth, product, explain: this.explaining || undefined });
      const first = res.points?.[0]?.date;
      const from = first ? isoDay(dayOf(first) - HISTORY_DAYS * DAY) : undefined;
      history = await this.#history({ ...auth, product, from });
    } catch (err) {
      if (ticket !== this.request) return;
      this.clear();
      this.ctx.errors.showError(err);
      this.ctx.onAuthError(err);
      return;
    }
    if (ticket !== this.request) return;
    const data = chartData(history, res.points ?? []);
    this.#draw(product, data);
    const d = this.box.dataset;
    d.product = product;
    d.points = String(res.points?.length ?? 0);
    d.history = String(history.length);
    d.gaps = String(countGaps(data[1]));
    d.historyFrom = history[0]?.date ?? '';
    d.historyTo = history.at(-1)?.date ?? '';
    const m = res.metrics ?? {};
    const mape = Number.isFinite(m.mape) ? `${m.mape.toFixed(1)}%` : '—';
    const mase = Number.isFinite(m.mase) ? m.mase.toFixed(2) : '—';
    this.note.textContent =
      `${res.model}${res.fallback ? ' (seasonal-naive fallback)' : ''} · hold-out MAPE ${mape}, MASE ${mase}` +
      (history.length ? '' : ` · the server holds no sales of ${product} for the ${HISTORY_DAYS} days before the forecast`);
    this.explainButton.hidden = false;
    this.#explain(this.explaining ? res : null);
  }

  /** One sentence per forecast day of `res`; hidden for null. Says so when the server sent no parts. */
  #explain(res) {
    const box = this.explainBox;
    if (!res) {
      box.hidden = true;
      this.explainList.replaceChildren();
      delete box.dataset.product;
      delete box.dataset.days;
      return;
    }
    const points = res.points ?? [];
    const items = [];
    for (const p of points) {
      const sentence = explainSentence(p);
      if (sentence === null) continue;
      const colon = sentence.indexOf(': ') + 1; // the day in bold; the text stays the one sentence
      items.push(el('li', { 'data-testid': 'explain-day', 'data-date': p.date },
        el('strong', {}, sentence.slice(0, colon)), sentence.slice(colon)));
    }
    if (items.length === 0 && points.length > 0) {
      items.push(el('li', { class: 'muted', 'data-testid': 'explain-missing' },
        'This server does not explain its forecasts yet (it sent no parts): update it to see them.'));
    }
    this.explainList.replaceChildren(...items);
    box.dataset.product = res.product ?? '';
    box.dataset.days = String(items.filter((li) => li.dataset.testid === 'explain-day').length);
    box.hidden = false;
  }

  /** The stored days, [] when the server holds none for the product. */
  async #history(options) {
    try {
      return (await getSalesHistory(options)).points ?? [];
    } catch (err) {
      if (err instanceof LevainError && err.kind === 'not_found') return [];
      throw err;
    }
  }

  #size() {
    // The box's own width: a fixed minimum would push a phone's page wider than its screen.
    const width = this.box.clientWidth || 800;
    return { width: Math.max(200, width), height: width < 500 ? 240 : 300 };
  }

  #draw(product, data) {
    this.plot?.destroy();
    this.box.replaceChildren();
    const opts = {
      ...this.#size(),
      title: `${product}: sales and forecast`,
      scales: { x: { time: true } },
      series: [
        {},
        // No spanGaps: a day without sales data stays a gap, it is never drawn as a line.
        { label: 'Sales', stroke: '#5d4037', width: 1.5, spanGaps: false, points: { show: false } },
        { label: 'Forecast', stroke: '#b5651d', width: 2, dash: [6, 4] },
        { label: '80% low', stroke: 'rgba(181,101,29,0.35)', width: 1 },
        { label: '80% high', stroke: 'rgba(181,101,29,0.35)', width: 1 },
      ],
      bands: [{ series: [4, 3], fill: 'rgba(181,101,29,0.15)' }],
      axes: [{}, { label: 'units / day' }],
    };
    this.plot = new uPlot(opts, data, this.box);
  }
}
