// The live view of one job: progress bar, step, "N of M products", time and ETA, what trains
// now, watchers, the running accuracy, the data report, the per-product table, the connection
// indicator, Cancel and the final summary, all drawn from watchTraining's state.

import { LevainError, cancelJob, describeJobEnd, watchTraining } from '../client/levain-client.js';
import { byId, el, formatDuration, formatNumber } from './dom.js';
import { InsightView } from './insight.js';
import { ReportCard } from './report.js';

const CONNECTION_TEXT = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' };
const CANCEL_TEXT = 'Cancel training';

export class LiveView {
  /**
   * ctx: { auth(), errors: ErrorArea, onEnded(state), onRefused(info), onAuthError(err),
   *        onState(state) (every render), maxRate (messages per second, or undefined) }
   */
  constructor(ctx) {
    this.ctx = ctx;
    this.handle = null;
    this.state = null; // the last state drawn
    this.insight = new InsightView();
    this.report = new ReportCard();
    this.cancelButton = byId('cancel');
    this.cancelButton.addEventListener('click', () => this.#cancel());
    this.rows = new Map(); // product name -> {row: <tr>, product} (the product object it shows)
    this.bar = byId('progress');
    this.fill = byId('progress-fill');
    this.percent = byId('percent');
    this.step = byId('step');
    this.count = byId('count');
    this.table = byId('products');
    this.summary = byId('summary');
    this.conn = document.querySelector('[data-testid="connection-status"]');
    this.jobLabel = byId('job-label');
  }

  get jobId() {
    return this.handle ? this.watchedJob : '';
  }

  watch(jobId) {
    this.stop();
    this.#resetView();
    this.watchedJob = jobId;
    this.jobLabel.textContent = `Job ${jobId}`;
    this.jobLabel.dataset.jobId = jobId;
    const { baseUrl, token, tenantId } = this.ctx.auth();
    this.handle = watchTraining({
      baseUrl,
      token,
      tenantId,
      jobId,
      // WebSocket first; SSE by itself where the WebSocket does not get through (some proxies).
      transport: 'auto',
      maxRate: this.ctx.maxRate,
      onUpdate: (state) => this.render(state),
      onClose: (info) => this.#closed(info),
    });
  }

  stop() {
    const h = this.handle;
    this.handle = null;
    h?.close();
    if (this.state) this.#renderLive(this.state); // no clock, no count, no Cancel for a job not watched
  }

  render(state) {
    // Back live: a "server cannot be reached" message is no longer true.
    if (state.connection === 'live') this.ctx.errors.clearKind('unreachable');
    this.#renderQuota(state);
    this.#renderConnection(state.connection, state.reconnectAttempt, state.transport, state.quota);
    const p = Math.round(state.progress);
    this.bar.setAttribute('aria-valuenow', String(p));
    this.bar.setAttribute('aria-valuetext', `${p}%${state.currentStep ? `, ${state.currentStep}` : ''}`);
    this.bar.dataset.status = state.status;
    this.fill.style.width = `${p}%`;
    this.percent.textContent = `${p}%`;
    this.step.textContent = state.currentStep || statusWord(state.status);
    this.count.textContent = `${state.productsCompleted} of ${state.totalProducts} products`;
    for (const product of state.products) this.#renderRow(product);
    if (state.summary) this.#renderSummary(state);
    this.report.render(state.report ?? null);
    this.#renderLive(state);
    this.ctx.onState?.(state);
  }

  // What is only true while the watch is open: the ticking clock, the watchers, Cancel.
  #renderLive(state) {
    this.state = state;
    const watching = Boolean(this.handle) && state.connection !== 'closed';
    this.insight.render(state, watching);
    const cancellable = watching && (state.status === 'pending' || state.status === 'running');
    this.cancelButton.hidden = !cancellable;
    if (!cancellable) {
      this.cancelButton.disabled = false;
      this.cancelButton.textContent = CANCEL_TEXT;
    }
  }

  async #cancel() {
    const jobId = this.watchedJob;
    if (!this.handle || !jobId) return;
    if (!window.confirm(`Cancel training job ${jobId}? It stops after the products being fitted now.`)) return;
    this.cancelButton.disabled = true;
    this.cancelButton.textContent = 'Cancelling…';
    try {
      // The job then ends `cancelled`, and the live view says so.
      await cancelJob({ ...this.ctx.auth(), jobId });
    } catch (err) {
      if (err instanceof LevainError && err.code === 'job_finished') return; // it ended meanwhile: the view shows how
      this.ctx.errors.showError(err);
      this.ctx.onAuthError?.(err);
      if (this.watchedJob === jobId) {
        this.cancelButton.disabled = false;
        this.cancelButton.textContent = CANCEL_TEXT;
      }
    }
  }

  // A watcher quota (4029) holds the watch back: the server's sentence and when the client tries
  // again, where every other close message goes, for as long as it holds.
  #renderQuota(state) {
    const errors = this.ctx.errors;
    if (!(state.quota && state.connection === 'reconnecting' && this.handle)) {
      errors.clearKind('quota');
      return;
    }
    if (errors.kind === 'quota' && !errors.node.hidden && errors.node.textContent === state.quota.message) return;
    errors.show(state.quota.message, [], 'quota');
  }

  #closed(info) {
    this.render(info.state);
    if (info.byClient) return;
    let short = info.code === 1000 ? (info.reason || 'job ended') : (info.reason || `code ${info.code}`);
    if (info.code === 4029) short = 'watcher limit reached'; // its reason is JSON, for programs
    this.conn.dataset.state = 'closed';
    this.conn.dataset.code = String(info.code);
    this.conn.textContent = `closed: ${short}`;
    const endMessage = describeJobEnd(info.state);
    if (info.code === 1000 && endMessage) this.ctx.errors.show(endMessage);
    else if (info.code !== 1000) {
      this.ctx.errors.show(info.message);
      this.ctx.onRefused(info);
    }
    this.handle = null;
    this.ctx.onEnded(info.state);
  }

  #resetView() {
    this.rows.clear();
    this.table.replaceChildren();
    this.summary.hidden = true;
    this.summary.replaceChildren();
    this.insight.clear();
    this.report.clear();
    this.render({ connection: 'connecting', reconnectAttempt: 0, progress: 0, currentStep: '',
      status: 'unknown', productsCompleted: 0, totalProducts: 0, products: [], summary: null });
  }

  #renderConnection(connection, attempt, transport, quota) {
    if (!this.handle && connection !== 'connecting') return; // #closed draws the final text
    this.conn.dataset.state = connection;
    const held = connection === 'reconnecting' && quota;
    if (held) this.conn.dataset.code = '4029';
    else delete this.conn.dataset.code;
    if (transport) {
      this.conn.dataset.transport = transport;
      this.conn.title = transport === 'sse' ? 'over Server-Sent Events' : 'over WebSocket';
    } else {
      delete this.conn.dataset.transport;
      this.conn.removeAttribute('title');
    }
    let text = CONNECTION_TEXT[connection] ?? connection;
    if (held) text += ` (watcher limit reached, attempt ${attempt})`;
    else if (connection === 'reconnecting' && attempt >= 3) text += ` (server unreachable, attempt ${attempt})`;
    this.conn.textContent = text;
  }

  #renderRow(p) {
    const existing = this.rows.get(p.name);
    if (existing?.product === p) return; // unchanged: a long job must not redraw every row per event
    const cells = [
      el('td', {}, p.name),
      el('td', { class: `st-${p.status}`, title: p.error ?? '' },
        p.status === 'failed' && p.error ? `failed: ${p.error}` : p.status),
      el('td', {}, p.model ?? '—'),
      el('td', { class: 'num' }, Number.isFinite(p.metrics.mape) ? `${formatNumber(p.metrics.mape)}%` : '—'),
      el('td', { class: 'num' }, formatNumber(p.metrics.mase, 2)),
      el('td', { title: p.fallbackReason ?? '' }, p.fallback ? 'yes (seasonal naive)' : 'no'),
    ];
    if (existing) {
      existing.row.replaceChildren(...cells);
      existing.row.dataset.status = p.status;
      existing.product = p;
      return;
    }
    const row = el('tr', { 'data-testid': 'product-row', 'data-product': p.name, 'data-status': p.status }, ...cells);
    this.rows.set(p.name, { row, product: p });
    this.table.append(row);
  }

  #renderSummary(state) {
    const s = state.summary;
    const bad = state.status !== 'completed';
    const what = bad ? describeJobEnd(state) : 'Training completed.';
    this.summary.className = `summary${bad ? ' bad' : ''}`;
    this.summary.dataset.status = state.status;
    this.summary.replaceChildren(el('strong', {}, what), ' ',
      `${s.successfulTrainings} products trained, ${s.failedTrainings} failed` +
      (s.totalDurationSeconds !== null ? `, in ${formatDuration(s.totalDurationSeconds)}.` : '.'));
    this.summary.hidden = false;
  }
}

function statusWord(status) {
  return { pending: 'Waiting to start', running: 'Running', completed: 'Completed', failed: 'Failed',
    cancelled: 'Cancelled' }[status] ?? '';
}
