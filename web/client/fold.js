// Folds the live protocol (docs/live-protocol.md) into one job state: the `connected` snapshot
// resets it, a resumed `connected` (no snapshot) keeps it, events apply in `seq` order,
// duplicates and older messages are ignored, a gap is reported so the caller can resynchronise,
// and progress never goes backwards. A `progress_summary` (max_rate) stands for the events it
// folded; a `watchers` count has no seq and never takes part in the order.

import { normaliseAccuracy, normaliseEtaError, normaliseReport, num } from './insight.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function isTerminalStatus(status) {
  return TERMINAL.has(status);
}

// Integers may arrive as any JSON number; anything else is treated as absent.
function int(value) {
  return Number.isFinite(value) && Math.trunc(value) === value ? value : undefined;
}

function str(value) {
  return typeof value === 'string' ? value : undefined;
}

function clampCount(n) {
  return Math.max(0, Math.min(n, Number.MAX_SAFE_INTEGER));
}

function normaliseMetrics(m) {
  const out = {};
  if (m && typeof m === 'object') {
    for (const key of ['mae', 'rmse', 'mape', 'smape', 'mase']) {
      out[key] = Number.isFinite(m[key]) ? m[key] : null;
    }
  }
  return out;
}

/** A product result from a snapshot's `products` or a `product_completed` event's `data`. */
function normaliseProduct(p) {
  return Object.freeze({
    name: str(p.product_name) ?? '',
    status: str(p.status) ?? 'unknown',
    model: str(p.model) ?? null,
    fallback: p.fallback === true,
    fallbackReason: str(p.fallback_reason) ?? null,
    metrics: Object.freeze(normaliseMetrics(p.metrics)),
    error: str(p.error) ?? null,
    durationMs: num(p.duration_ms) ?? null,
  });
}

export function emptyState(tenantId = '', jobId = '') {
  return {
    tenantId,
    jobId,
    status: 'unknown',
    progress: 0,
    seq: 0,
    totalProducts: 0,
    productsCompleted: 0,
    currentStep: '',
    stepDetails: '',
    products: [],
    error: null,
    summary: null,
    elapsedSeconds: null,
    etaSeconds: null,
    inFlight: Object.freeze([]),
    accuracy: null,
    report: null,
    watchers: null,
    etaError: null,
    lastEventType: null,
    lastEventTimestamp: null,
    hasSnapshot: false,
  };
}

/**
 * Mutable fold of one job's messages. `apply(message)` answers one of: 'applied', 'duplicate'
 * (seq at or below the folded one, or an older snapshot), 'resumed' (a `connected` with
 * `data.resumed: true` at exactly the folded seq: the state stands, the events after it follow),
 * 'gap' (a seq was skipped, or a resume that does not line up with the folded state: reconnect
 * for a fresh snapshot), 'ignored' (no job state, e.g. pong), 'malformed'.
 */
export class TrainingFold {
  constructor(tenantId = '', jobId = '') {
    this.state = emptyState(tenantId, jobId);
    this.products = new Map(); // name -> product, in completion order
    this.problem = '';
  }

  get terminal() {
    return isTerminalStatus(this.state.status);
  }

  /** A frozen copy, safe to hand to callers and to compare by identity (React). */
  view() {
    return Object.freeze({ ...this.state, products: Object.freeze([...this.products.values()]) });
  }

  apply(message) {
    if (message === null || typeof message !== 'object' || Array.isArray(message)) {
      return this.#malformed('message is not a JSON object');
    }
    const type = str(message.type);
    if (type === undefined) return this.#malformed('message has no string "type"');
    if (type === 'connected') return this.#connected(message);
    // Presence, not an event: whatever its seq says, it never counts as a gap or a duplicate.
    if (type === 'watchers') return this.#watchers(message.data);
    if (message.seq === undefined) return 'ignored'; // pong, error replies: no job state
    const seq = int(message.seq);
    if (seq === undefined || seq < 1) {
      return this.#malformed(`"${type}" has a "seq" that is not a positive integer`);
    }
    const data = message.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      return this.#malformed(`"${type}" (seq ${seq}) has no "data" object`);
    }
    if (!this.state.hasSnapshot) return this.#malformed(`"${type}" arrived before "connected"`);
    if (seq <= this.state.seq) return 'duplicate';
    if (type === 'progress_summary') return this.#progressSummary(seq, data, str(message.timestamp));
    if (seq > this.state.seq + 1) return 'gap';
    this.#event(type, seq, data, str(message.timestamp));
    return 'applied';
  }

  #watchers(data) {
    const n = int(data?.watchers);
    if (n === undefined || n < 0) return this.#malformed('"watchers" has no non-negative integer "data.watchers"');
    this.state.watchers = n;
    return 'applied';
  }

  /**
   * A summary at `seq` folds one successful product_completed per entry of `products`, the last
   * of them at `seq`: its first product is event seq - products.length + 1, which must follow the
   * folded seq as an event would (else something was missed: a gap). Products at or below the
   * folded seq (an overlap no server should send) are skipped, so nothing is folded twice.
   */
  #progressSummary(seq, data, timestamp) {
    const products = data.products;
    if (!Array.isArray(products) || !products.every((p) => p !== null && typeof p === 'object' && !Array.isArray(p))) {
      return this.#malformed(`"progress_summary" (seq ${seq}) has no "products" array of objects`);
    }
    const first = seq - products.length + 1;
    if (first > this.state.seq + 1) return 'gap';
    const fresh = products.slice(this.state.seq + 1 - first);
    this.#event('progress_summary', seq, data, timestamp, fresh);
    return 'applied';
  }

  #malformed(why) {
    this.problem = why;
    return 'malformed';
  }

  #connected(message) {
    const data = message.data;
    const snap = data?.snapshot;
    // A snapshot, when there is one, always wins: it is the whole job.
    if ((snap === undefined || snap === null) && data?.resumed === true) return this.#resumed(message);
    const outcome = this.#snapshot(message);
    // The count at this connection (it includes this watcher), fresher than the snapshot's.
    if (outcome === 'applied' || outcome === 'duplicate') this.#connectionWatchers(data);
    return outcome;
  }

  #connectionWatchers(data) {
    const n = int(data?.watchers);
    if (n !== undefined && n >= 0) this.state.watchers = n;
  }

  #resumed(message) {
    const seq = int(message.seq);
    if (seq === undefined || seq < 0) return this.#malformed('resumed "connected" has no integer "seq"');
    // The server resumes after the seq we asked for; only then do the events it sends next
    // continue what is folded here. Anything else (no state yet, another seq) cannot be trusted to
    // line up, so it is handled like a gap: a fresh connection for a full snapshot.
    if (!this.state.hasSnapshot || seq !== this.state.seq) return 'gap';
    this.#connectionWatchers(message.data);
    return 'resumed';
  }

  #snapshot(message) {
    const snap = message.data?.snapshot;
    if (snap === null || typeof snap !== 'object' || Array.isArray(snap)) {
      return this.#malformed('"connected" has no "data.snapshot" object');
    }
    const status = str(snap.status);
    const seq = int(snap.seq);
    if (status === undefined || seq === undefined || seq < 0) {
      return this.#malformed('"connected" snapshot lacks a string "status" or an integer "seq"');
    }
    // A snapshot behind what we folded (a lagging replica) must not roll the view back.
    if (this.state.hasSnapshot && seq < this.state.seq) return 'duplicate';
    const s = this.state;
    s.hasSnapshot = true;
    s.seq = seq;
    s.status = status;
    s.jobId = str(snap.job_id) ?? s.jobId;
    s.tenantId = str(snap.tenant_id) ?? s.tenantId;
    s.error = str(snap.error) ?? null;
    s.lastEventType = 'connected';
    s.lastEventTimestamp = str(message.timestamp) ?? s.lastEventTimestamp;
    // A snapshot is the whole job: what it lacks (an older server) is unknown, not kept.
    Object.assign(s, { elapsedSeconds: null, etaSeconds: null, inFlight: Object.freeze([]), accuracy: null,
      report: null, etaError: null });
    this.#common(snap);
    this.#connectionWatchers(snap);
    if (Object.hasOwn(snap, 'eta_error')) s.etaError = normaliseEtaError(snap.eta_error);
    if (Array.isArray(snap.products)) {
      this.products.clear();
      for (const p of snap.products) {
        if (p && typeof p === 'object') this.#addProduct(normaliseProduct(p));
      }
    }
    if (status === 'completed') s.progress = 100;
    if (isTerminalStatus(status)) {
      s.summary = this.#summaryFromSnapshot(snap);
      this.#ended();
    }
    return 'applied';
  }

  /** `products`: a progress_summary's products still to fold; a product_completed is its own. */
  #event(type, seq, data, timestamp, products = [data]) {
    const s = this.state;
    s.seq = seq;
    s.lastEventType = type;
    s.lastEventTimestamp = timestamp ?? s.lastEventTimestamp;
    if (this.terminal) return; // nothing after the end may reopen the job
    this.#common(data);
    if (type === 'started' || type === 'progress') {
      s.status = 'running';
    } else if (type === 'product_completed' || type === 'progress_summary') {
      s.status = 'running';
      for (const p of products) this.#addProduct(normaliseProduct(p));
    } else if (type === 'completed') {
      s.status = 'completed';
      s.progress = 100;
      s.summary = Object.freeze({
        successfulTrainings: int(data.successful_trainings) ?? this.#count('succeeded'),
        failedTrainings: int(data.failed_trainings) ?? this.#count('failed'),
        totalDurationSeconds: Number.isFinite(data.total_duration) ? data.total_duration : null,
      });
      if (Object.hasOwn(data, 'eta_error')) s.etaError = normaliseEtaError(data.eta_error);
    } else if (type === 'failed') {
      const reason = str(data.reason);
      s.status = reason === 'cancelled' ? 'cancelled' : 'failed';
      s.error = str(data.error) ?? reason ?? 'no reason given by the server';
      s.summary = Object.freeze({
        successfulTrainings: this.#count('succeeded'),
        failedTrainings: this.#count('failed'),
        totalDurationSeconds: null,
      });
    }
    if (this.terminal) this.#ended();
  }

  // Nothing is fitted or left to estimate once the job is over, whatever the last message said.
  #ended() {
    this.state.inFlight = Object.freeze([]);
    this.state.etaSeconds = null;
  }

  #common(fields) {
    const s = this.state;
    const progress = int(fields.progress);
    if (progress !== undefined) s.progress = Math.max(s.progress, Math.min(100, Math.max(0, progress)));
    const total = int(fields.total_products);
    if (total !== undefined) s.totalProducts = clampCount(total);
    const done = int(fields.products_completed);
    if (done !== undefined) s.productsCompleted = Math.max(s.productsCompleted, clampCount(done));
    const step = str(fields.current_step);
    if (step !== undefined) s.currentStep = step;
    const details = str(fields.step_details);
    if (details !== undefined) s.stepDetails = details;
    // Each of these is the latest message's when it has the key (null is a value: "not yet").
    if (Object.hasOwn(fields, 'elapsed_s')) s.elapsedSeconds = num(fields.elapsed_s, 0) ?? null;
    if (Object.hasOwn(fields, 'eta_s')) s.etaSeconds = num(fields.eta_s, 0) ?? null;
    if (Array.isArray(fields.in_flight)) {
      s.inFlight = Object.freeze(fields.in_flight.filter((name) => typeof name === 'string'));
    }
    if (Object.hasOwn(fields, 'summary')) s.accuracy = normaliseAccuracy(fields.summary);
    if (Object.hasOwn(fields, 'report')) s.report = normaliseReport(fields.report);
  }

  #addProduct(p) {
    // A product reported twice (it cannot be, by seq) replaces its row rather than adding one.
    this.products.delete(p.name);
    this.products.set(p.name, p);
  }

  #count(status) {
    let n = 0;
    for (const p of this.products.values()) if (p.status === status) n += 1;
    return n;
  }

  #summaryFromSnapshot(snap) {
    const started = Date.parse(snap.started_at ?? '');
    const finished = Date.parse(snap.finished_at ?? '');
    return Object.freeze({
      successfulTrainings: this.#count('succeeded'),
      failedTrainings: this.#count('failed'),
      totalDurationSeconds:
        Number.isFinite(started) && Number.isFinite(finished) ? (finished - started) / 1000 : null,
    });
  }
}
