// watchTraining: one job's live state over the live contract (docs/live-protocol.md), by WebSocket
// or Server-Sent Events, with reconnects (exponential backoff + jitter) on transient closes and
// after the server's hint on a watcher quota (4029), a resume after the last folded seq on every
// reconnect, and a full resync on a seq gap; with `maxRate`, at the update rate the watcher
// chose (the server folds products into summaries).

import { TrainingFold } from './fold.js';
import { QUOTA_CLOSE, closeAction, describeClose, describeQuota, readQuotaReason } from './messages.js';
import { checkMaxRate, liveUrl } from './urls.js';

const DEFAULTS = {
  initialBackoffMs: 250,
  maxBackoffMs: 10_000,
  maxReconnectAttempts: 30, // consecutive attempts without a snapshot; then "unreachable" (or 4029)
  pingIntervalMs: 15_000,
  maxMessageBytes: 32 * 1024 * 1024,
};

// A server's retry hint (4029) longer than this is taken as this: a watch left waiting longer looks
// dead to the person, and setTimeout cannot wait past 2^31 ms anyway.
const MAX_RETRY_HINT_S = 3600;

const TRANSPORTS = ['websocket', 'sse', 'auto'];
// Every `event:` the server sends over SSE; `message` catches an event without a type, should a
// proxy strip it. `close` is handled apart: it ends the stream.
const SSE_EVENTS = ['connected', 'started', 'progress', 'product_completed', 'progress_summary', 'completed',
  'failed', 'watchers', 'message'];
// In 'auto', this many WebSocket attempts in a row that end with 1006 before any message, while
// no WebSocket of the watch has ever delivered one, mean the path does not carry WebSockets.
const FAILED_UPGRADES_BEFORE_SSE = 2;

function required(options, name) {
  const v = options[name];
  if (typeof v !== 'string' || v === '') {
    throw new TypeError(`watchTraining: option "${name}" must be a non-empty string`);
  }
  return v;
}

function textOf(data) {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
  return null;
}

/** The `data` of an SSE `event: close`: {code, reason}; a garbled one counts as a drop (1006). */
function closeOf(data) {
  try {
    const c = JSON.parse(textOf(data) ?? '');
    if (Number.isInteger(c?.code)) return { code: c.code, reason: typeof c.reason === 'string' ? c.reason : '' };
  } catch {
    // fall through
  }
  return { code: 1006, reason: 'unreadable close event' };
}

/** `state.quota` / `info.quota`: the 4029 reason's fields (null where it lacks one) and the sentence to show. */
function quotaOf(reason, message) {
  const said = readQuotaReason(reason);
  return Object.freeze({
    limit: said?.limit ?? null,
    value: said?.value ?? null,
    used: said?.used ?? null,
    retryAfterS: said?.retryAfterS ?? null,
    message,
  });
}

export function backoffDelay(attempt, { initialBackoffMs, maxBackoffMs }, random = Math.random) {
  const ceiling = Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.min(attempt, 30));
  // "Equal jitter": at least half the ceiling, so retries never hammer, spread over the rest.
  return ceiling / 2 + random() * (ceiling / 2);
}

function pickTransports(options) {
  const wanted = options.transport ?? 'auto';
  if (!TRANSPORTS.includes(wanted)) {
    throw new TypeError(`watchTraining: option "transport" must be 'websocket', 'sse' or 'auto', not ${JSON.stringify(wanted)}`);
  }
  const WS = options.WebSocket ?? globalThis.WebSocket;
  const ES = options.EventSource ?? globalThis.EventSource;
  const hasWS = typeof WS === 'function';
  const hasES = typeof ES === 'function';
  if (wanted === 'sse' && !hasES) {
    throw new TypeError(
      'watchTraining: no EventSource implementation; pass one as the "EventSource" option (Node has none)');
  }
  if ((wanted === 'websocket' && !hasWS) || (wanted === 'auto' && !hasWS && !hasES)) {
    throw new TypeError(
      'watchTraining: no WebSocket implementation; pass one as the "WebSocket" option (e.g. from the "ws" package)' +
      (wanted === 'auto' ? ', or an "EventSource"' : ''));
  }
  return {
    WS,
    ES,
    first: wanted === 'sse' || (wanted === 'auto' && !hasWS) ? 'sse' : 'websocket',
    canFallBack: wanted === 'auto' && hasES,
  };
}

export function watchTraining(options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('watchTraining: expected an options object');
  }
  const tenantId = required(options, 'tenantId');
  const jobId = required(options, 'jobId');
  const token = required(options, 'token');
  const { WS, ES, first, canFallBack } = pickTransports(options);
  const cfg = { ...DEFAULTS, ...(options.reconnect ?? {}) };
  if (options.pingIntervalMs !== undefined) cfg.pingIntervalMs = options.pingIntervalMs;
  const baseUrl = options.baseUrl;
  const maxRate = checkMaxRate(options.maxRate, 'watchTraining');
  liveUrl(baseUrl, tenantId, jobId, token); // a bad baseUrl throws here, not on the first connect
  const onUpdate = typeof options.onUpdate === 'function' ? options.onUpdate : () => {};
  const onClose = typeof options.onClose === 'function' ? options.onClose : () => {};
  const random = options.random ?? Math.random;

  const fold = new TrainingFold(tenantId, jobId);
  let transport = first;
  let connection = 'connecting';
  let attempts = 0; // consecutive connects that did not yield a snapshot
  let reconnects = 0;
  let conn = null; // {kind, handle, heard}: the connection in use; handlers of any other do nothing
  let retryTimer = null;
  let pingTimer = null;
  let lastHeard = 0;
  let finished = false;
  let resyncs = 0; // gaps in a row with no event applied in between
  let needSnapshot = false; // after a gap: the next connection must not resume
  let webSocketWorks = false; // a WebSocket of this watch delivered a message
  let failedUpgrades = 0; // WebSocket attempts in a row that ended with 1006 before any message
  let quota = null; // after a 4029, until a connection is live again: what the refusal said
  let quotaReason = ''; // that close's reason, for the message when the watch gives up

  const current = () =>
    Object.freeze({ ...fold.view(), connection, transport, reconnects, reconnectAttempt: attempts, quota });

  const publish = () => {
    if (finished && connection !== 'closed') return;
    onUpdate(current());
  };

  const setConnection = (next) => {
    if (connection === next) return;
    connection = next;
    publish();
  };

  const stopTimers = () => {
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    retryTimer = pingTimer = null;
  };

  // Detach first: a connection we gave up on must not report anything afterwards.
  const drop = (code, reason) => {
    const c = conn;
    conn = null;
    clearInterval(pingTimer);
    pingTimer = null;
    if (!c) return;
    const h = c.handle;
    if (c.kind === 'websocket') h.onopen = h.onmessage = h.onerror = h.onclose = null;
    try {
      if (c.kind === 'websocket') h.close(code, reason);
      else h.close();
    } catch {
      // already closing or never opened: nothing to release
    }
  };

  const finish = (code, reason, byClient = false, message = describeClose(code, reason)) => {
    if (finished) return;
    finished = true;
    stopTimers();
    drop(1000, 'client done');
    connection = 'closed';
    quota = code === QUOTA_CLOSE ? quotaOf(reason, message) : null;
    const state = current();
    onUpdate(state);
    onClose(Object.freeze({ code, reason, byClient, message, quota: code === QUOTA_CLOSE ? quota : null, state }));
  };

  // `waitMs`: the server said when to come back (4029); else the backoff decides.
  const scheduleReconnect = (immediate, waitMs = null) => {
    if (attempts >= cfg.maxReconnectAttempts) {
      // Refused for a quota every time: the server was there, so "unreachable" would mislead.
      if (quota) finish(QUOTA_CLOSE, quotaReason, false, describeQuota(quotaReason, { gaveUpAfter: attempts }));
      else finish(1006, `server unreachable after ${attempts} attempts`);
      return;
    }
    setConnection('reconnecting');
    const delay = immediate ? 0 : waitMs ?? backoffDelay(attempts, cfg, random);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      reconnects += 1;
      connect();
    }, delay);
  };

  const switchToSse = () => {
    transport = 'sse';
    // A different path: no reason to wait before trying it.
    scheduleReconnect(true);
  };

  const onText = (c, data) => {
    if (conn !== c) return;
    lastHeard = Date.now();
    c.heard = true;
    if (c.kind === 'websocket') webSocketWorks = true;
    const text = textOf(data);
    if (text === null || text.length > cfg.maxMessageBytes) return;
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return; // not JSON: nothing in the contract, so nothing to fold
    }
    const outcome = fold.apply(message);
    if (outcome === 'applied') {
      if (message.type === 'connected') {
        attempts = 0;
        needSnapshot = false;
        connection = 'live';
        quota = null;
      } else if (message.type !== 'watchers') {
        resyncs = 0; // an event moved the fold on; a presence count is not one
      }
      publish();
    } else if (outcome === 'resumed') {
      // The folded state stands; the events after it follow on this connection.
      attempts = 0;
      connection = 'live';
      quota = null;
      publish();
    } else if (outcome === 'gap') {
      // Missed events cannot be trusted to come; a connection without `since` brings a snapshot
      // that has them. The first resync is immediate; a server that keeps skipping gets the
      // usual backoff.
      resyncs += 1;
      needSnapshot = true;
      drop(1000, 'resync after a seq gap');
      scheduleReconnect(resyncs === 1);
    } else if (outcome === 'duplicate' && message.type === 'connected') {
      needSnapshot = false;
      if (connection !== 'live') {
        attempts = 0;
        quota = null;
        setConnection('live');
      }
    }
  };

  const onEnd = (c, code, reason) => {
    if (conn !== c) return;
    drop(1000, 'closed by the server');
    const refusedBefore = quota !== null;
    quota = null;
    if (c.kind === 'websocket' && canFallBack && !webSocketWorks) {
      failedUpgrades = code === 1006 && !c.heard ? failedUpgrades + 1 : 0;
      if (failedUpgrades >= FAILED_UPGRADES_BEFORE_SSE) return switchToSse();
    }
    if (closeAction(code) === 'reconnect' && !fold.terminal) {
      let waitMs = null;
      if (code === QUOTA_CLOSE) {
        // A watcher quota: come back when the server says a place may have freed (its hint),
        // with the usual `since`. Each refusal counts as an attempt, so a quota that never
        // frees ends the watch as an unreachable server would.
        quotaReason = reason;
        quota = quotaOf(reason, describeClose(code, reason));
        if (quota.retryAfterS !== null) waitMs = Math.min(quota.retryAfterS, MAX_RETRY_HINT_S) * 1000;
      }
      const before = connection;
      scheduleReconnect(false, waitMs);
      // Already 'reconnecting' (this attempt never went live): a refusal that came or went is
      // news all the same.
      if (!finished && before === connection && (quota !== null || refusedBefore)) publish();
      return;
    }
    finish(code, reason);
  };

  const heartbeat = () => {
    const c = conn;
    if (!c || c.kind !== 'websocket' || c.handle.readyState !== 1) return;
    // A half-open TCP connection never reports a close; silence past 2.5 periods counts as one.
    if (Date.now() - lastHeard > cfg.pingIntervalMs * 2.5) {
      drop(4000, 'no answer to ping');
      return scheduleReconnect(false);
    }
    try {
      c.handle.send('{"type":"ping"}');
    } catch {
      // the close event that follows decides what to do
    }
  };

  const urlFor = (sse) => {
    const since = !needSnapshot && fold.state.hasSnapshot ? fold.state.seq : 0;
    return liveUrl(baseUrl, tenantId, jobId, token, { since, sse, maxRate });
  };

  function openWebSocket() {
    const url = urlFor(false);
    let s;
    try {
      s = new WS(url);
    } catch (e) {
      if (canFallBack) return switchToSse();
      finish(1006, `cannot open a WebSocket to ${url.split('?')[0]}: ${e.message}`);
      return;
    }
    const c = { kind: 'websocket', handle: s, heard: false };
    conn = c;
    lastHeard = Date.now();
    s.onopen = () => {
      if (conn !== c) return;
      lastHeard = Date.now();
      if (cfg.pingIntervalMs > 0) pingTimer = setInterval(heartbeat, cfg.pingIntervalMs);
    };
    s.onmessage = (event) => onText(c, event.data);
    s.onerror = () => {}; // the close event carries the code
    s.onclose = (event) =>
      onEnd(c, Number.isInteger(event?.code) ? event.code : 1006, typeof event?.reason === 'string' ? event.reason : '');
  }

  function openEventSource() {
    const url = urlFor(true);
    let es;
    try {
      es = new ES(url);
    } catch (e) {
      finish(1006, `cannot open an event stream to ${url.split('?')[0]}: ${e.message}`);
      return;
    }
    const c = { kind: 'sse', handle: es, heard: false };
    conn = c;
    for (const type of SSE_EVENTS) es.addEventListener(type, (event) => onText(c, event.data));
    // What a WebSocket close would say. EventSource would reconnect by itself after the stream
    // ends; onEnd closes it first, and the reconnect (if any) is ours, with backoff and `since`.
    es.addEventListener('close', (event) => {
      const { code, reason } = closeOf(event.data);
      onEnd(c, code, reason);
    });
    // Before any `close` event: the stream dropped or was never served, a transient 1006.
    es.addEventListener('error', () => onEnd(c, 1006, 'event stream interrupted'));
  }

  function connect() {
    if (finished) return;
    attempts += 1;
    if (transport === 'sse') openEventSource();
    else openWebSocket();
  }

  publish();
  connect();
  return {
    close() {
      finish(1000, 'closed by the client', true);
    },
    get state() {
      return current();
    },
  };
}
