// watchTraining with maxRate against a scripted WebSocket server and scripted EventSources: the
// rate goes into every URL (reconnects and resumes too), progress_summary and watchers messages
// are folded over both transports, and a watchers message never makes the client resync.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from './harness/deps.js';
import { TrainingFold, watchTraining } from '../../web/client/levain-client.js';
import { coalesce, connectedAt, fullRun } from './harness/progress_stream.js';
import { ScriptedServer } from './harness/scripted_ws.js';
import { scriptedEventSources } from './harness/scripted_sse.js';

const FAST = { initialBackoffMs: 10, maxBackoffMs: 40, maxReconnectAttempts: 5 };
const events = fullRun();
const watchersMsg = (n) => ({ type: 'watchers', job_id: 'j1', tenant_id: 't1', timestamp: 'now', data: { watchers: n } });
// Two products a summary; a presence count between every two messages.
const stream = coalesce(events, (i) => i % 2 === 1).flatMap((m, i) => (i % 2 ? [m, watchersMsg(2 + (i % 3))] : [m]));

function fullRateEnd() {
  const f = new TrainingFold('t1', 'j1');
  for (const m of [connectedAt(events, 0), ...events]) f.apply(m);
  return f.view();
}

// A connection the test did not expect ends the watch (4004 is never retried) instead of looping.
const unexpected = (socket) => socket.close(4004, 'unexpected reconnect');

const folded = (s) => {
  const { connection, transport, reconnects, reconnectAttempt, quota, watchers, lastEventType, ...rest } = s;
  return rest;
};

function watch(extra) {
  return new Promise((resolve) => {
    const updates = [];
    watchTraining({
      tenantId: 't1', jobId: 'j1', token: 'tok', reconnect: FAST, pingIntervalMs: 0, maxRate: 2, ...extra,
      onUpdate: (s) => updates.push(s),
      onClose: (info) => resolve({ info, updates }),
    });
  });
}

test('over WebSocket: summaries and presence fold to the full-rate end on one connection', async (t) => {
  const server = await new ScriptedServer([
    (socket, { send }) => {
      send(connectedAt(events, 0, { watchers: 1 }));
      for (const m of stream) send(m);
      socket.close(1000, 'job completed');
    },
    unexpected,
  ]).start();
  t.after(() => server.stop());
  const { info, updates } = await watch({ baseUrl: server.baseUrl, WebSocket });
  assert.equal(info.code, 1000, info.message);
  assert.equal(server.connections, 1, 'no message of the stream was taken for a gap');
  assert.deepEqual(server.urls, ['/api/v1/tenants/t1/training/jobs/j1/live?token=tok&max_rate=2']);
  assert.deepEqual(folded(info.state), folded(fullRateEnd()));
  assert.equal(info.state.watchers, stream.filter((m) => m.type === 'watchers').at(-1).data.watchers);
  assert.ok(updates.some((u) => u.watchers === 1) && updates.some((u) => u.watchers === 4), 'each count was shown');
  assert.ok(updates.some((u) => u.lastEventType === 'progress_summary'));
});

test('over WebSocket: a drop resumes with since and the same max_rate', async (t) => {
  const cutAfter = stream.findIndex((m) => m.type === 'progress_summary');
  const server = await new ScriptedServer([
    (socket, { send }) => {
      send(connectedAt(events, 0));
      for (const m of stream.slice(0, cutAfter + 1)) send(m);
      socket.terminate();
    },
    (socket, { send }) => {
      send({ type: 'connected', job_id: 'j1', tenant_id: 't1', seq: stream[cutAfter].seq, data: { resumed: true, watchers: 1 } });
      for (const m of stream.slice(cutAfter + 1)) send(m);
      socket.close(1000, 'job completed');
    },
    unexpected,
  ]).start();
  t.after(() => server.stop());
  const { info } = await watch({ baseUrl: server.baseUrl, WebSocket, maxRate: 0.5 });
  assert.equal(info.code, 1000, info.message);
  assert.deepEqual(server.urls, ['/api/v1/tenants/t1/training/jobs/j1/live?token=tok&max_rate=0.5',
    `/api/v1/tenants/t1/training/jobs/j1/live?token=tok&max_rate=0.5&since=${stream[cutAfter].seq}`]);
  assert.deepEqual(folded(info.state), folded(fullRateEnd()));
});

test('over SSE: progress_summary and watchers are listened to and folded', async () => {
  const es = scriptedEventSources([
    (source) => {
      source.send(connectedAt(events, 0, { watchers: 1 }));
      for (const m of stream) source.send(m);
      source.end(1000, 'job completed');
    },
    (source) => source.end(4004, 'unexpected reconnect'),
  ]);
  const { info } = await watch({ baseUrl: 'http://127.0.0.1:9', transport: 'sse', EventSource: es.EventSource });
  assert.equal(info.code, 1000, info.message);
  assert.equal(es.made.length, 1);
  assert.equal(es.made[0].url, 'http://127.0.0.1:9/api/v1/tenants/t1/training/jobs/j1/live?token=tok&max_rate=2');
  assert.deepEqual(folded(info.state), folded(fullRateEnd()));
  assert.equal(info.state.watchers, stream.filter((m) => m.type === 'watchers').at(-1).data.watchers);
});

test('a watchers message is not an event: a second gap right after a resync still waits', async (t) => {
  const server = await new ScriptedServer([
    (_, { send }) => {
      send(connectedAt(events, 0));
      send(events[0]);
      send(events[2]); // seq 3 after 1: a gap, resynced at once
    },
    (_, { send }) => {
      send(connectedAt(events, 1));
      send(watchersMsg(3));
      send(events[3]); // seq 4 after 1: a gap again, so this resync waits for the backoff
    },
    (socket, { send }) => {
      send(connectedAt(events, events.at(-1).seq));
      socket.close(1000, 'job completed');
    },
    unexpected,
  ]).start();
  t.after(() => server.stop());
  let backoffs = 0;
  const random = () => {
    backoffs += 1;
    return 0;
  };
  const { info } = await watch({ baseUrl: server.baseUrl, WebSocket, maxRate: undefined, random });
  assert.equal(info.code, 1000, info.message);
  assert.equal(server.connections, 3);
  assert.equal(backoffs, 1, 'only the second resync drew a backoff delay');
  assert.ok(server.urls.every((u) => !u.includes('max_rate')), 'no rate asked, none sent');
});
