// What a manager acts on while a job runs: elapsed time and "about 2 min left", the products
// being fitted now, how many are watching, and the running accuracy with the worst five. Drawn
// from watchTraining's state; the clock ticks between messages so a quiet stretch still counts.

import { describeEta } from '../client/levain-client.js';
import { byId, el, formatDuration, formatNumber } from './dom.js';

const TICK_MS = 1000;

export function formatElapsed(seconds) {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

const running = (status) => status === 'pending' || status === 'running';

export class InsightView {
  constructor() {
    this.elapsed = byId('elapsed');
    this.eta = byId('eta');
    this.inFlight = byId('in-flight');
    this.inFlightNames = byId('in-flight-names');
    this.watchers = byId('watchers');
    this.accuracy = byId('accuracy');
    this.timer = null;
    this.clear();
  }

  clear() {
    clearInterval(this.timer);
    this.timer = null;
    this.anchor = null;
    this.shown = { inFlight: null, accuracy: undefined };
    for (const node of [this.elapsed, this.eta, this.inFlight, this.watchers, this.accuracy]) node.hidden = true;
    this.accuracy.replaceChildren();
    this.inFlightNames.replaceChildren();
  }

  /** `watching`: the watch is open, so the clock may run and the count of watchers is current. */
  render(state, watching) {
    this.#renderTiming(state, watching);
    this.#renderInFlight(state.inFlight ?? []);
    // Who watches a job matters while it runs; a count after the end would be stale at once.
    this.#renderWatchers(watching && !['completed', 'failed', 'cancelled'].includes(state.status) ? state.watchers : null);
    this.#renderAccuracy(state.accuracy ?? null, state.status);
  }

  #renderTiming(state, watching) {
    const elapsed = state.elapsedSeconds ?? null;
    const eta = state.etaSeconds ?? null;
    // Not watched any more (refused, unreachable): the last numbers stand, the clock stops.
    const live = running(state.status) && watching;
    const a = this.anchor;
    // A new message restarts the local clock from the server's numbers.
    if (!a || a.elapsed !== elapsed || a.eta !== eta || a.seq !== state.seq) {
      this.anchor = { elapsed, eta, seq: state.seq, at: performance.now() };
    }
    Object.assign(this.anchor, { live, running: running(state.status) });
    setData(this.elapsed, 'elapsedS', elapsed);
    setData(this.eta, 'etaS', eta);
    this.#tick();
    if (live && (elapsed !== null || eta !== null) && !this.timer) {
      this.timer = setInterval(() => this.#tick(), TICK_MS);
    } else if (!live && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  #tick() {
    const { elapsed, eta, at, live } = this.anchor;
    const since = live ? (performance.now() - at) / 1000 : 0;
    this.elapsed.hidden = elapsed === null;
    if (elapsed !== null) {
      // A running clock in whole seconds; a finished job as precisely as the summary says it.
      this.elapsed.textContent = this.anchor.running ? `Elapsed ${formatElapsed(elapsed + since)}`
        : `Took ${formatDuration(elapsed)}`;
    }
    this.eta.hidden = !live || (elapsed === null && eta === null);
    if (eta === null) {
      this.eta.textContent = 'estimating time left…';
    } else {
      const left = eta - since;
      this.eta.textContent = left > 0 ? describeEta(left) : 'almost done';
    }
  }

  #renderInFlight(names) {
    if (this.shown.inFlight === names) return;
    this.shown.inFlight = names;
    this.inFlight.dataset.count = String(names.length);
    this.inFlightNames.replaceChildren(...names.map((n) =>
      el('span', { class: 'chip', 'data-testid': 'in-flight-product', 'data-product': n }, n)));
    this.inFlight.hidden = names.length === 0;
  }

  #renderWatchers(n) {
    this.watchers.hidden = !Number.isInteger(n) || n < 1;
    if (this.watchers.hidden) {
      delete this.watchers.dataset.watchers;
      return;
    }
    this.watchers.dataset.watchers = String(n);
    this.watchers.textContent = `${n} watching`;
    this.watchers.title = n === 1 ? 'Only you are watching this job live.' : `${n} screens are watching this job live, yours included.`;
  }

  #renderAccuracy(acc, status) {
    if (this.shown.accuracy === acc && this.shown.status === status) return;
    this.shown.accuracy = acc;
    this.shown.status = status;
    this.accuracy.hidden = acc === null;
    if (acc === null) {
      this.accuracy.replaceChildren();
      return;
    }
    const d = this.accuracy.dataset;
    setData(this.accuracy, 'medianMase', acc.medianMase);
    setData(this.accuracy, 'meanMape', acc.meanMape);
    d.fallbacks = String(acc.fallbacks);
    d.failed = String(acc.failed);
    const ended = !running(status) && status !== 'unknown';
    this.accuracy.replaceChildren(
      el('h3', {}, ended ? 'Accuracy' : 'Accuracy so far'),
      el('dl', { class: 'facts' },
        fact('Median MASE', formatNumber(acc.medianMase, 2), 'accuracy-median-mase'),
        fact('Mean MAPE', Number.isFinite(acc.meanMape) ? `${formatNumber(acc.meanMape)}%` : '—', 'accuracy-mean-mape'),
        fact('Fallbacks', String(acc.fallbacks), 'accuracy-fallbacks'),
        fact('Failed', String(acc.failed), 'accuracy-failed')),
      el('p', { class: 'muted' }, 'MASE below 1: the model beats repeating last week\'s sales.'),
      ...(acc.worst.length === 0 ? [] : [
        el('h4', {}, ended ? 'Worst products' : 'Worst so far'),
        el('ol', { class: 'worst', 'data-testid': 'accuracy-worst' }, ...acc.worst.map((w) =>
          el('li', { 'data-product': w.name, 'data-mase': w.mase ?? '' }, `${w.name} `,
            el('span', { class: 'num' }, `MASE ${formatNumber(w.mase, 2)}`)))),
      ]));
  }
}

function fact(term, value, testid) {
  return el('div', {}, el('dt', {}, term), el('dd', { 'data-testid': testid }, value));
}

/** data-* of a number the server sent: the number as written, or absent for null. */
function setData(node, key, value) {
  if (Number.isFinite(value)) node.dataset[key] = String(value);
  else delete node.dataset[key];
}
