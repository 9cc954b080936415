// watchTraining against a scripted WebSocket server: orders and close codes the real server never
// produces on purpose (out-of-order seq, drops, every close code), to test the client's logic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from './harness/deps.js';
import { watchTraining } from '../../web/client/levain-client.js';
import { ScriptedServer, completedMsg, productMsg, snapshotMsg } from './harness/scripted_ws.js';

const FAST = { initialBackoffMs: 10, maxBackoffMs: 40, maxReconnectAttempts: 5 };

/** Watches through the scripted server; resolves {updates, close} once the watch ends. */
function watch(server, extra = {}) {
  const updates = [];
  let handle;
  const closed = new Promise((resolve) => {
    handle = watchTraining({
      baseUrl: server.baseUrl, tenantId: 't1', jobId: 'j1', token: 'tok', WebSocket,
      reconnect: FAST, pingIntervalMs: 0, ...extra,
      onUpdate: (s) => updates.push(s),
      onClose: resolve,
    });
  });
  return { updates, closed, handle };
}

function assertMonotonic(updates) {
  for (let i = 1; i < updates.length; i += 1) {
    assert.ok(updates[i].progress >= updates[i - 1].progress, `progress went back at update ${i}`);
    assert.ok(updates[i].seq >= updates[i - 1].seq, `seq went back at update ${i}`);
  }
}

test('duplicate, older and out-of-order seq: ignored, and a gap resyncs from a new snapshot', async (t) => {
  const server = await new ScriptedServer([
    (_, { send }) => {
      send(snapshotMsg(2)); // P1 done
      send(productMsg(2)); // seq 3
      send(productMsg(2)); // duplicate
      send(productMsg(1)); // older
      send(productMsg(4)); // seq 5 before seq 4: a gap
      send(productMsg(3)); // seq 4, too late: the client already left this connection
    },
    (socket, { send }) => {
      send(snapshotMsg(5)); // P1..P4
      send(productMsg(5));
      send(productMsg(6));
      send(completedMsg(8));
      socket.close(1000, 'job completed');
    },
  ]).start();
  t.after(() => server.stop());
  const { updates, closed } = watch(server);
  const info = await closed;
  assert.equal(info.code, 1000);
  assert.equal(server.connections, 2);
  assert.equal(info.state.status, 'completed');
  assert.equal(info.state.progress, 100);
  assert.deepEqual(info.state.products.map((p) => p.name), ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
  assert.equal(info.state.summary.successfulTrainings, 6);
  assertMonotonic(updates);
  // The duplicate and the older event made no update: seq 3 is seen once.
  assert.equal(updates.filter((u) => u.seq === 3 && u.connection === 'live').length, 1);
  assert.ok(updates.some((u) => u.connection === 'reconnecting'));
});

test('reconnects with backoff after a dropped connection and after 1001, 1008, 1011 and 1012', async (t) => {
  const closeWith = (code) => (socket, { send }) => {
    send(snapshotMsg(2));
    socket.close(code, `scripted ${code}`);
  };
  const server = await new ScriptedServer([
    (socket, { send }) => {
      send(snapshotMsg(2));
      send(productMsg(2));
      socket.terminate(); // no close frame: the client sees 1006
    },
    closeWith(1001), closeWith(1008), closeWith(1011), closeWith(1012),
    (socket, { send }) => {
      send(snapshotMsg(3));
      send(productMsg(3));
      send(productMsg(4));
      send(productMsg(5));
      send(productMsg(6));
      send(completedMsg(8));
      socket.close(1000, 'job completed');
    },
  ]).start();
  t.after(() => server.stop());
  const { updates, closed } = watch(server);
  const info = await closed;
  assert.equal(info.code, 1000);
  assert.equal(server.connections, 6);
  assert.equal(info.state.reconnects, 5);
  assert.equal(info.state.progress, 100);
  assert.equal(info.state.products.length, 6);
  assertMonotonic(updates);
  const states = updates.map((u) => u.connection);
  assert.ok(states.includes('reconnecting') && states.includes('live') && states.at(-1) === 'closed');
  // The token goes along on every attempt.
  for (const url of server.urls) assert.match(url, /^\/api\/v1\/tenants\/t1\/training\/jobs\/j1\/live\?token=tok$/);
});

for (const code of [4001, 4003, 4004]) {
  test(`no reconnect after ${code}`, async (t) => {
    const server = await new ScriptedServer([(socket) => socket.close(code, `refused ${code}`)]).start();
    t.after(() => server.stop());
    const { closed, handle } = watch(server);
    const info = await closed;
    assert.equal(info.code, code);
    assert.equal(info.reason, `refused ${code}`);
    assert.equal(handle.state.connection, 'closed');
    // Ten times the longest backoff: a reconnect, had one been scheduled, would have arrived.
    await new Promise((r) => setTimeout(r, FAST.maxBackoffMs * 10));
    assert.equal(server.connections, 1);
  });
}

test('gives up after maxReconnectAttempts connections without a snapshot', async (t) => {
  const server = await new ScriptedServer([(socket) => socket.terminate()]).start();
  t.after(() => server.stop());
  const { closed } = watch(server);
  const info = await closed;
  assert.equal(info.code, 1006);
  assert.match(info.message, /cannot be reached/);
  assert.equal(server.connections, FAST.maxReconnectAttempts);
});

test('pings the server, and reconnects when it stops answering', async (t) => {
  const server = await new ScriptedServer([
    (_, { send }) => send(snapshotMsg(2)), // then silence: no pong, no event
    (socket, { send }) => {
      send(snapshotMsg(7, { status: 'completed', progress: 100, products_completed: 6 }));
      socket.close(1000, 'job already ended');
    },
  ]).start();
  t.after(() => server.stop());
  const { closed } = watch(server, { pingIntervalMs: 40 });
  const info = await closed;
  assert.ok(server.received.includes('{"type":"ping"}'), 'the client sent the contract ping');
  assert.equal(server.connections, 2);
  assert.equal(info.state.status, 'completed');
});

test('close() ends the watch at once and cancels a pending reconnect', async (t) => {
  const server = await new ScriptedServer([(socket) => socket.close(1012, 'upstream lost')]).start();
  t.after(() => server.stop());
  const { closed, handle, updates } = watch(server, { reconnect: { ...FAST, initialBackoffMs: 60_000, maxBackoffMs: 60_000 } });
  await server.until(() => server.connections === 1, 'the first connection');
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      if (updates.at(-1)?.connection === 'reconnecting') {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  handle.close();
  const info = await closed;
  assert.equal(info.byClient, true);
  assert.equal(server.connections, 1);
});

test('bad options are refused with a clear error', () => {
  assert.throws(() => watchTraining({ tenantId: 't', jobId: 'j', token: 't', baseUrl: 'http://x' }),
    /no WebSocket implementation/);
  assert.throws(() => watchTraining({ tenantId: '', jobId: 'j', token: 't', WebSocket }), /tenantId/);
  assert.throws(() => watchTraining({ tenantId: 't', jobId: 'j', token: 't', WebSocket, baseUrl: 'not a url' }),
    /not a URL/);
});
