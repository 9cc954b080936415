// The forecast chart of one product: recent sales, the forecast and its 80% band, drawn with
// uPlot (served from web/node_modules, never from a CDN).

import uPlot from '../node_modules/uplot/dist/uPlot.esm.js';
import { getForecasts, listModels } from '../client/levain-client.js';
import { byId, el } from './dom.js';

const DAY = 86400;

/** Aligns history and forecast on one day axis: [xs, sales, yhat, lower, upper]. */
export function chartData(history, points) {
  const byDay = new Map();
  const row = (t) => {
    if (!byDay.has(t)) byDay.set(t, [null, null, null, null]);
    return byDay.get(t);
  };
  for (const [t, q] of history) row(Math.round(t / DAY) * DAY)[0] = q;
  for (const p of points) {
    const t = Date.parse(`${p.date}T00:00:00Z`) / 1000;
    if (!Number.isFinite(t)) continue;
    const r = row(t);
    r[1] = p.yhat;
    r[2] = p.yhat_lower;
    r[3] = p.yhat_upper;
  }
  const xs = [...byDay.keys()].sort((a, b) => a - b);
  const cols = [0, 1, 2, 3].map((i) => xs.map((t) => byDay.get(t)[i]));
  return [xs, ...cols];
}

export class ForecastView {
  /** ctx: { auth(), errors, history: SalesHistory, onAuthError(err) } */
  constructor(ctx) {
    this.ctx = ctx;
    this.select = byId('forecast-product');
    this.box = byId('chart');
    this.note = byId('chart-note');
    this.plot = null;
    this.request = 0;
    this.select.addEventListener('change', () => this.show(this.select.value));
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

  clear(note = '') {
    this.plot?.destroy();
    this.plot = null;
    this.box.replaceChildren();
    this.box.dataset.points = '0';
    this.box.dataset.history = '0';
    this.note.textContent = note;
  }

  async show(product) {
    if (!product) return;
    const ticket = ++this.request; // a slower earlier answer must not replace a newer chart
    const auth = this.ctx.auth();
    let res;
    try {
      res = await getForecasts({ ...auth, product });
    } catch (err) {
      if (ticket !== this.request) return;
      this.clear();
      this.ctx.errors.showError(err);
      this.ctx.onAuthError(err);
      return;
    }
    if (ticket !== this.request) return;
    const history = Array.isArray(res.history)
      ? res.history.map((h) => [Date.parse(`${h.date}T00:00:00Z`) / 1000, h.quantity])
      : this.ctx.history.series(auth.tenantId, product);
    this.#draw(product, chartData(history, res.points ?? []));
    this.box.dataset.product = product;
    this.box.dataset.points = String(res.points?.length ?? 0);
    this.box.dataset.history = String(history.length);
    const m = res.metrics ?? {};
    const mape = Number.isFinite(m.mape) ? `${m.mape.toFixed(1)}%` : '—';
    const mase = Number.isFinite(m.mase) ? m.mase.toFixed(2) : '—';
    this.note.textContent =
      `${res.model}${res.fallback ? ' (seasonal-naive fallback)' : ''} · hold-out MAPE ${mape}, MASE ${mase}` +
      (history.length ? '' : ' · upload the sales CSV in this browser to see recent history');
  }

  #size() {
    return { width: Math.max(320, this.box.clientWidth || 800), height: 300 };
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
        { label: 'Sales', stroke: '#5d4037', width: 1.5, points: { show: false } },
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
