// watchTraining: one job's live state over the WebSocket contract (docs/live-protocol.md), with
// reconnects (exponential backoff + jitter) on transient closes and a resync on a seq gap.

import { TrainingFold } from './fold.js';
import { closeAction, describeClose } from './messages.js';
import { liveUrl } from './urls.js';

const DEFAULTS = {
  initialBackoffMs: 250,
  maxBackoffMs: 10_000,
  maxReconnectAttempts: 30, // consecutive attempts without a snapshot; then "unreachable"
  pingIntervalMs: 15_000,
  maxMessageBytes: 32 * 1024 * 1024,
};

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

export function backoffDelay(attempt, { initialBackoffMs, maxBackoffMs }, random = Math.random) {
  const ceiling = Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.min(attempt, 30));
  // "Equal jitter": at least half the ceiling, so retries never hammer, spread over the rest.
  return ceiling / 2 + random() * (ceiling / 2);
}

export function watchTraining(options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('watchTraining: expected an options object');
  }
  const tenantId = required(options, 'tenantId');
  const jobId = required(options, 'jobId');
  const token = required(options, 'token');
  const WS = options.WebSocket ?? globalThis.WebSocket;
  if (typeof WS !== 'function') {
    throw new TypeError(
      'watchTraining: no WebSocket implementation; pass one as the "WebSocket" option (e.g. from the "ws" package)');
  }
  const cfg = { ...DEFAULTS, ...(options.reconnect ?? {}) };
  if (options.pingIntervalMs !== undefined) cfg.pingIntervalMs = options.pingIntervalMs;
  const url = liveUrl(options.baseUrl, tenantId, jobId, token);
  const onUpdate = typeof options.onUpdate === 'function' ? options.onUpdate : () => {};
  const onClose = typeof options.onClose === 'function' ? options.onClose : () => {};
  const random = options.random ?? Math.random;

  const fold = new TrainingFold(tenantId, jobId);
  let connection = 'connecting';
  let attempts = 0; // consecutive connects that did not yield a snapshot
  let reconnects = 0;
  let socket = null;
  let retryTimer = null;
  let pingTimer = null;
  let lastHeard = 0;
  let finished = false;
  let resyncs = 0; // gaps in a row with no event applied in between

  const publish = () => {
    if (finished && connection !== 'closed') return;
    const view = fold.view();
    onUpdate(Object.freeze({ ...view, connection, reconnects, reconnectAttempt: attempts }));
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

  // Detach first: a socket we gave up on must not report anything afterwards.
  const drop = (code, reason) => {
    const s = socket;
    socket = null;
    clearInterval(pingTimer);
    pingTimer = null;
    if (!s) return;
    s.onopen = s.onmessage = s.onerror = s.onclose = null;
    try {
      s.close(code, reason);
    } catch {
      // already closing or never opened: nothing to release
    }
  };

  const finish = (code, reason, byClient = false) => {
    if (finished) return;
    finished = true;
    stopTimers();
    drop(1000, 'client done');
    connection = 'closed';
    const state = Object.freeze({ ...fold.view(), connection, reconnects, reconnectAttempt: attempts });
    onUpdate(state);
    onClose(Object.freeze({ code, reason, byClient, message: describeClose(code, reason), state }));
  };

  const scheduleReconnect = (immediate) => {
    if (attempts >= cfg.maxReconnectAttempts) {
      finish(1006, `server unreachable after ${attempts} attempts`);
      return;
    }
    setConnection('reconnecting');
    const delay = immediate ? 0 : backoffDelay(attempts, cfg, random);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      reconnects += 1;
      connect();
    }, delay);
  };

  const onMessage = (event) => {
    lastHeard = Date.now();
    const text = textOf(event.data);
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
        connection = 'live';
      } else {
        resyncs = 0;
      }
      publish();
    } else if (outcome === 'gap') {
      // Missed events cannot be replayed; a new connection brings a snapshot that has them. The
      // first resync is immediate; a server that keeps skipping gets the usual backoff.
      resyncs += 1;
      drop(1000, 'resync after a seq gap');
      scheduleReconnect(resyncs === 1);
    } else if (outcome === 'duplicate' && message.type === 'connected' && connection !== 'live') {
      attempts = 0;
      setConnection('live');
    }
  };

  const onSocketClose = (event) => {
    socket = null;
    clearInterval(pingTimer);
    pingTimer = null;
    const code = Number.isInteger(event?.code) ? event.code : 1006;
    const reason = typeof event?.reason === 'string' ? event.reason : '';
    if (closeAction(code) === 'reconnect' && !fold.terminal) return scheduleReconnect(false);
    finish(code, reason);
  };

  const heartbeat = () => {
    const s = socket;
    if (!s || s.readyState !== 1) return;
    // A half-open TCP connection never reports a close; silence past 2.5 periods counts as one.
    if (Date.now() - lastHeard > cfg.pingIntervalMs * 2.5) {
      drop(4000, 'no answer to ping');
      return scheduleReconnect(false);
    }
    try {
      s.send('{"type":"ping"}');
    } catch {
      // the close event that follows decides what to do
    }
  };

  function connect() {
    if (finished) return;
    attempts += 1;
    let s;
    try {
      s = new WS(url);
    } catch (e) {
      finish(1006, `cannot open a WebSocket to ${url.split('?')[0]}: ${e.message}`);
      return;
    }
    socket = s;
    lastHeard = Date.now();
    s.onopen = () => {
      lastHeard = Date.now();
      if (cfg.pingIntervalMs > 0) pingTimer = setInterval(heartbeat, cfg.pingIntervalMs);
    };
    s.onmessage = onMessage;
    s.onerror = () => {}; // the close event carries the code
    s.onclose = onSocketClose;
  }

  publish();
  connect();
  return {
    close() {
      finish(1000, 'closed by the client', true);
    },
    get state() {
      return Object.freeze({ ...fold.view(), connection, reconnects, reconnectAttempt: attempts });
    },
  };
}
