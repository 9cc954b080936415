// watchTraining against a scripted WebSocket server and scripted EventSources that refuse with
// 4029 (a watcher quota): the server's message shown as it is, a reconnect only after the
// server's `retry_after_s` and with the usual `since`, a reason that is not JSON, and a quota
// that never frees. Orders of events are asserted, not durations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from './harness/deps.js';
import { closeAction, describeClose, watchTraining } from '../../web/client/levain-client.js';
import { ScriptedServer, completedMsg, productMsg, snapshotMsg } from './harness/scripted_ws.js';
import { scriptedEventSources } from './harness/scripted_sse.js';

// A backoff far below the 1 s hint: a reconnect that ignored the hint would come long before it.
const FAST = { initialBackoffMs: 10, maxBackoffMs: 40, maxReconnectAttempts: 5 };
const LIVE_PATH = '/api/v1/tenants/t1/training/jobs/j1/live?token=tok';
const quotaReason = (extra = {}) => JSON.stringify({ limit: 'watchers_per_job', value: 2, used: 2, retry_after_s: 1,
  message: 'quota exceeded: watchers_per_job is 2', ...extra });

const resumedMsg = (seq) => ({ type: 'connected', seq, job_id: 'j1', tenant_id: 't1', data: { resumed: true } });
const finishFrom = (seq, send, close) => {
  send(resumedMsg(seq));
  for (let n = seq; n <= 6; n += 1) send(productMsg(n));
  send(completedMsg(8));
  close(1000, 'job completed');
};

/** Watches through the scripted server; `log` gets each state change and what the server saw, in order. */
function watch(server, log, extra = {}) {
  const updates = [];
  const closed = new Promise((resolve) => {
    watchTraining({
      baseUrl: server.baseUrl, tenantId: 't1', jobId: 'j1', token: 'tok', WebSocket,
      reconnect: FAST, pingIntervalMs: 0, ...extra,
      onUpdate: (s) => {
        updates.push(s);
        const last = log.at(-1);
        const entry = `${s.connection}${s.quota ? ' (quota)' : ''}`;
        if (last !== entry) log.push(entry);
      },
      onClose: resolve,
    });
  });
  return { updates, closed };
}

test('describeClose(4029): the server\'s message as it is, then when the client tries again', () => {
  assert.equal(closeAction(4029), 'reconnect', 'a quota is waited out, not a stop like the other 4xxx');
  assert.equal(describeClose(4029, quotaReason({ retry_after_s: 10 })),
    'quota exceeded: watchers_per_job is 2. Trying again in 10 s.');
  // A message that ends a sentence itself gets no second stop.
  assert.equal(describeClose(4029, quotaReason({ message: 'At most 3 watchers per bakery.', retry_after_s: 300 })),
    'At most 3 watchers per bakery. Trying again in 5 min.');
  // Not JSON, or JSON without a message: a sentence of the client's own; no hint, no number.
  for (const reason of ['quota', '', '{"limit":', '[1,2]', JSON.stringify({ limit: 'watchers_per_job' })]) {
    assert.equal(describeClose(4029, reason), 'Too many live watchers for this job or bakery right now. Trying again shortly.',
      `reason ${JSON.stringify(reason)}`);
  }
  assert.equal(describeClose(4029, JSON.stringify({ retry_after_s: 2 })),
    'Too many live watchers for this job or bakery right now. Trying again in 2 s.');
});

test('4029 with a JSON reason: the message as is, a reconnect after retry_after_s, resuming', async (t) => {
  const log = [];
  const server = await new ScriptedServer([
    (socket, { send }) => {
      send(snapshotMsg(2)); // P1
      send(productMsg(2)); // seq 3
      socket.terminate(); // a drop: the next connection resumes after 3
    },
    (socket) => {
      log.push('server: refused');
      socket.close(4029, quotaReason());
      // Half the hint, and far past any backoff: a reconnect that came before this ignored the hint.
      setTimeout(() => log.push('server: half the hint'), 500);
    },
    (socket, { send }) => {
      log.push('server: admitted');
      finishFrom(3, send, (c, r) => socket.close(c, r));
    },
  ]).start();
  t.after(() => server.stop());
  const { updates, closed } = watch(server, log);
  const info = await closed;
  assert.equal(info.code, 1000, info.message);
  assert.equal(info.quota, null);
  assert.equal(server.connections, 3);
  assert.deepEqual(server.urls, [LIVE_PATH, `${LIVE_PATH}&since=3`, `${LIVE_PATH}&since=3`]);
  assert.deepEqual(info.state.products.map((p) => p.name), ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
  assert.equal(info.state.reconnects, 2);
  assert.equal(info.state.quota, null);
  assert.deepEqual(log, ['connecting', 'live', 'reconnecting', 'server: refused', 'reconnecting (quota)',
    'server: half the hint', 'server: admitted', 'live', 'closed']);

  const waiting = updates.find((u) => u.quota);
  assert.equal(waiting.connection, 'reconnecting');
  assert.equal(waiting.reconnectAttempt, 1, 'the refusal counts as an attempt');
  assert.deepEqual({ ...waiting.quota }, { limit: 'watchers_per_job', value: 2, used: 2, retryAfterS: 1,
    message: 'quota exceeded: watchers_per_job is 2. Trying again in 1 s.' });
  assert.ok(Object.isFrozen(waiting.quota));
  // The folded state stood through the refusal.
  assert.deepEqual(waiting.products.map((p) => p.name), ['P1', 'P2']);
});

test('4029 with a reason that is not JSON: the generic sentence, and the usual backoff', async (t) => {
  const log = [];
  const server = await new ScriptedServer([
    (socket) => socket.close(4029, 'too many watchers'),
    (socket, { send }) => {
      send(snapshotMsg(2));
      send(productMsg(2));
      for (let n = 3; n <= 6; n += 1) send(productMsg(n));
      send(completedMsg(8));
      socket.close(1000, 'job completed');
    },
  ]).start();
  t.after(() => server.stop());
  const { updates, closed } = watch(server, log);
  const info = await closed;
  assert.equal(info.code, 1000, info.message);
  assert.equal(server.connections, 2);
  assert.deepEqual(log, ['connecting', 'reconnecting (quota)', 'live', 'closed']);
  const waiting = updates.find((u) => u.quota);
  assert.deepEqual({ ...waiting.quota }, { limit: null, value: null, used: null, retryAfterS: null,
    message: 'Too many live watchers for this job or bakery right now. Trying again shortly.' });
});

test('a quota that stays full: the watch ends with 4029 after maxReconnectAttempts, not "unreachable"', async (t) => {
  const server = await new ScriptedServer([
    (socket) => socket.close(4029, quotaReason({ limit: 'watchers_per_tenant', value: 5, used: 6, retry_after_s: 0.02,
      message: 'at most 5 watchers per tenant' })),
  ]).start();
  t.after(() => server.stop());
  const { updates, closed } = watch(server, []);
  const info = await closed;
  assert.equal(info.code, 4029);
  assert.equal(server.connections, FAST.maxReconnectAttempts);
  assert.equal(info.message, 'at most 5 watchers per tenant. Gave up after 5 attempts: reload the page to try again.');
  assert.deepEqual({ ...info.quota }, { limit: 'watchers_per_tenant', value: 5, used: 6, retryAfterS: 0.02,
    message: info.message });
  assert.equal(info.state.quota, info.quota);
  assert.equal(info.state.connection, 'closed');
  assert.equal(info.state.reconnectAttempt, FAST.maxReconnectAttempts);
  assert.equal(info.state.reconnects, FAST.maxReconnectAttempts - 1);
  // Every refusal after the first was news (used may change), though the watch stayed 'reconnecting'.
  assert.equal(updates.filter((u) => u.connection === 'reconnecting' && u.quota).length, FAST.maxReconnectAttempts - 1);
});

test('a refusal that is followed by a drop: state.quota no longer holds', async (t) => {
  const server = await new ScriptedServer([
    (socket) => socket.close(4029, quotaReason({ retry_after_s: 0.02 })),
    (socket) => socket.terminate(),
    (socket, { send }) => {
      send(snapshotMsg(7, { status: 'completed', progress: 100, products_completed: 6 }));
      socket.close(1000, 'job already ended');
    },
  ]).start();
  t.after(() => server.stop());
  const log = [];
  const { closed } = watch(server, log);
  const info = await closed;
  assert.equal(info.code, 1000, info.message);
  assert.deepEqual(log, ['connecting', 'reconnecting (quota)', 'reconnecting', 'live', 'closed']);
});

test('SSE: `event: close` with 4029 waits for the hint, then a new EventSource resumes', async () => {
  const log = [];
  const es = scriptedEventSources([
    (s) => {
      s.send(snapshotMsg(2));
      s.send(productMsg(2));
      s.drop();
    },
    (s) => {
      log.push('server: refused');
      s.end(4029, quotaReason());
      setTimeout(() => log.push('server: half the hint'), 500);
    },
    (s) => {
      log.push('server: admitted');
      finishFrom(3, (m) => s.send(m), (c, r) => s.end(c, r));
    },
  ]);
  const updates = [];
  const info = await new Promise((resolve) => {
    watchTraining({
      baseUrl: 'http://127.0.0.1:9', tenantId: 't1', jobId: 'j1', token: 'tok', transport: 'sse',
      EventSource: es.EventSource, reconnect: FAST,
      onUpdate: (s) => {
        updates.push(s);
        const entry = `${s.connection}${s.quota ? ' (quota)' : ''}`;
        if (log.at(-1) !== entry) log.push(entry);
      },
      onClose: resolve,
    });
  });
  assert.equal(info.code, 1000, info.message);
  assert.deepEqual(es.made.map((s) => new URL(s.url).searchParams.get('since')), [null, '3', '3']);
  assert.equal(es.made[1].closedAtOnce, true, 'closed on `event: close`, before it could reconnect by itself');
  assert.deepEqual(log, ['connecting', 'live', 'reconnecting', 'server: refused', 'reconnecting (quota)',
    'server: half the hint', 'server: admitted', 'live', 'closed']);
  assert.equal(updates.find((u) => u.quota).quota.message, 'quota exceeded: watchers_per_job is 2. Trying again in 1 s.');
  assert.equal(info.state.products.length, 6);
});
