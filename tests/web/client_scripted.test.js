// watchTraining against a scripted WebSocket server and scripted EventSources: orders and close
// codes the real server never produces on purpose (out-of-order seq, drops, every close code, a
// resume that does not line up, a path without WebSockets), to test the client's logic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from './harness/deps.js';
import { watchTraining } from '../../web/client/levain-client.js';
import { ScriptedServer, completedMsg, productMsg, snapshotMsg } from './harness/scripted_ws.js';
import { scriptedEventSources } from './harness/scripted_sse.js';

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
  // The resync after the gap asks for a full snapshot: no `since`.
  assert.deepEqual(server.urls, ['/api/v1/tenants/t1/training/jobs/j1/live?token=tok',
    '/api/v1/tenants/t1/training/jobs/j1/live?token=tok']);
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
  // The token goes along on every attempt; every reconnect asks to resume after the last seq
  // folded (3: the snapshots at 2 that came after it were older and changed nothing).
  assert.equal(server.urls[0], '/api/v1/tenants/t1/training/jobs/j1/live?token=tok');
  for (const url of server.urls.slice(1)) assert.equal(url, '/api/v1/tenants/t1/training/jobs/j1/live?token=tok&since=3');
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
  assert.throws(() => watchTraining({ tenantId: 't', jobId: 'j', token: 't', baseUrl: 'http://x', WebSocket, transport: 'sse' }),
    /no EventSource implementation/);
  assert.throws(() => watchTraining({ tenantId: 't', jobId: 'j', token: 't', baseUrl: 'http://x', WebSocket, transport: 'ws' }),
    /"transport" must be 'websocket', 'sse' or 'auto'/);
  assert.throws(() => watchTraining({ tenantId: '', jobId: 'j', token: 't', WebSocket }), /tenantId/);
  assert.throws(() => watchTraining({ tenantId: 't', jobId: 'j', token: 't', WebSocket, baseUrl: 'not a url' }),
    /not a URL/);
});

const resumedMsg = (seq) => ({ type: 'connected', seq, job_id: 'j1', tenant_id: 't1', data: { resumed: true } });
const LIVE_PATH = '/api/v1/tenants/t1/training/jobs/j1/live?token=tok';

test('a reconnect resumes after the last folded seq: the state stands and only the rest follows', async (t) => {
  const server = await new ScriptedServer([
    (socket, { send }) => {
      send(snapshotMsg(2)); // P1
      send(productMsg(2)); // seq 3
      socket.terminate();
    },
    (socket, { send }) => {
      send(resumedMsg(3));
      for (let n = 3; n <= 6; n += 1) send(productMsg(n));
      send(completedMsg(8));
      socket.close(1000, 'job completed');
    },
  ]).start();
  t.after(() => server.stop());
  const { updates, closed } = watch(server);
  const info = await closed;
  assert.equal(info.code, 1000);
  assert.deepEqual(server.urls, [LIVE_PATH, `${LIVE_PATH}&since=3`]);
  assert.deepEqual(info.state.products.map((p) => p.name), ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
  assert.equal(info.state.status, 'completed');
  assert.equal(info.state.reconnects, 1);
  assertMonotonic(updates);
  // The resumed connection went live without a snapshot resetting anything.
  const resumed = updates.find((u) => u.connection === 'live' && u.reconnects === 1);
  assert.equal(resumed.seq, 3);
  assert.equal(resumed.lastEventType, 'product_completed');
  assert.deepEqual(resumed.products.map((p) => p.name), ['P1', 'P2']);
});

test('a resume at another seq than asked is handled as a gap: a full resync without since', async (t) => {
  const server = await new ScriptedServer([
    (socket, { send }) => {
      send(snapshotMsg(2));
      send(productMsg(2)); // seq 3
      socket.terminate();
    },
    (_, { send }) => {
      send(resumedMsg(5)); // not what was asked: the events that follow would not line up
      send(productMsg(5)); // seq 6, must not be folded
    },
    (socket, { send }) => {
      send(snapshotMsg(5));
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
  assert.deepEqual(server.urls, [LIVE_PATH, `${LIVE_PATH}&since=3`, LIVE_PATH]);
  assert.deepEqual(info.state.products.map((p) => p.name), ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
  assertMonotonic(updates);
  assert.ok(!updates.some((u) => u.seq === 6 && u.reconnects === 1), 'nothing of the bad resume was folded');
});

/** A WebSocket whose upgrade always fails: 1006 without ever opening, as through a proxy that drops it. */
function failingWebSockets() {
  const urls = [];
  class FailingWebSocket {
    constructor(url) {
      urls.push(url);
      this.readyState = 0;
      setTimeout(() => {
        this.readyState = 3;
        this.onerror?.({});
        this.onclose?.({ code: 1006, reason: '' });
      }, 0);
    }

    send() {
      throw new Error('not open');
    }

    close() {
      this.readyState = 3;
    }
  }
  return { WebSocket: FailingWebSocket, urls };
}

const fullRun = (source) => {
  source.send(snapshotMsg(2));
  for (let n = 2; n <= 6; n += 1) source.send(productMsg(n));
  source.send(completedMsg(8));
  source.end(1000, 'job completed');
};

test("'auto': two WebSocket attempts that fail before any message move the watch to SSE for good", async () => {
  const ws = failingWebSockets();
  const es = scriptedEventSources([
    (s) => {
      s.send(snapshotMsg(2));
      s.send(productMsg(2));
      s.drop(); // a break in the stream: reconnect, over SSE still, resuming
    },
    (s) => {
      s.send(resumedMsg(3));
      for (let n = 3; n <= 6; n += 1) s.send(productMsg(n));
      s.send(completedMsg(8));
      s.end(1000, 'job completed');
    },
  ]);
  const updates = [];
  const info = await new Promise((resolve) => {
    watchTraining({
      baseUrl: 'http://127.0.0.1:9', tenantId: 't1', jobId: 'j1', token: 'tok', WebSocket: ws.WebSocket,
      EventSource: es.EventSource, reconnect: FAST, pingIntervalMs: 0,
      onUpdate: (s) => updates.push(s), onClose: resolve,
    });
  });
  assert.equal(info.code, 1000, info.message);
  assert.equal(ws.urls.length, 2, 'two WebSocket attempts, then none');
  assert.deepEqual(es.made.map((s) => s.url), [
    `http://127.0.0.1:9${LIVE_PATH}`, `http://127.0.0.1:9${LIVE_PATH}&since=3`]);
  assert.ok(es.made.every((s) => s.closed), 'every EventSource was closed by the client');
  assert.equal(es.made[1].closedAtOnce, true, 'closed on `event: close`, before it could reconnect');
  assert.equal(info.state.transport, 'sse');
  assert.equal(info.state.status, 'completed');
  assert.deepEqual(info.state.products.map((p) => p.name), ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
  assert.equal(updates[0].transport, 'websocket');
  assert.ok(updates.filter((u) => u.connection === 'live').every((u) => u.transport === 'sse'));
  assertMonotonic(updates);
});

test("'auto': a WebSocket that cannot be constructed goes to SSE at once", async () => {
  let tried = 0;
  class ThrowingWebSocket {
    constructor() {
      tried += 1;
      throw new Error('blocked by policy');
    }
  }
  const es = scriptedEventSources([fullRun]);
  const info = await new Promise((resolve) => {
    watchTraining({
      baseUrl: 'http://127.0.0.1:9', tenantId: 't1', jobId: 'j1', token: 'tok', WebSocket: ThrowingWebSocket,
      EventSource: es.EventSource, reconnect: FAST, onClose: resolve,
    });
  });
  assert.equal(info.code, 1000, info.message);
  assert.equal(tried, 1);
  assert.equal(es.made.length, 1);
  assert.equal(info.state.transport, 'sse');
  assert.equal(info.state.products.length, 6);
});

test("'auto': once a WebSocket delivered a message, later drops stay on WebSocket", async (t) => {
  // After the first connection, the server is away for a while: every attempt fails before any
  // message, as an upgrade refused by a proxy would. That is an outage, not a path without
  // WebSockets, since this path carried one.
  const server = await new ScriptedServer([
    (socket, { send }) => {
      send(snapshotMsg(2));
      socket.terminate();
    },
    (socket) => socket.terminate(),
    (socket) => socket.terminate(),
    (socket) => socket.terminate(),
    (socket, { send }) => {
      send(snapshotMsg(7, { status: 'completed', progress: 100, products_completed: 6 }));
      socket.close(1000, 'job already ended');
    },
  ]).start();
  t.after(() => server.stop());
  const es = scriptedEventSources([fullRun]);
  const { closed } = watch(server, { EventSource: es.EventSource });
  const info = await closed;
  assert.equal(info.code, 1000);
  assert.equal(server.connections, 5);
  assert.equal(es.made.length, 0);
  assert.equal(info.state.transport, 'websocket');
});

test("'websocket' never falls back; 'sse' never tries a WebSocket", async () => {
  const ws = failingWebSockets();
  const es = scriptedEventSources([fullRun]);
  const onlyWs = await new Promise((resolve) => {
    watchTraining({
      baseUrl: 'http://127.0.0.1:9', tenantId: 't1', jobId: 'j1', token: 'tok', transport: 'websocket',
      WebSocket: ws.WebSocket, EventSource: es.EventSource, reconnect: FAST, onClose: resolve,
    });
  });
  assert.equal(onlyWs.code, 1006);
  assert.equal(ws.urls.length, FAST.maxReconnectAttempts);
  assert.equal(es.made.length, 0);

  const ws2 = failingWebSockets();
  const onlySse = await new Promise((resolve) => {
    watchTraining({
      baseUrl: 'http://127.0.0.1:9', tenantId: 't1', jobId: 'j1', token: 'tok', transport: 'sse',
      WebSocket: ws2.WebSocket, EventSource: es.EventSource, reconnect: FAST, onClose: resolve,
    });
  });
  assert.equal(onlySse.code, 1000);
  assert.equal(onlySse.state.transport, 'sse');
  assert.equal(ws2.urls.length, 0);
  assert.equal(es.made.length, 1);
});

for (const code of [4001, 4003, 4004]) {
  test(`SSE: \`event: close\` with ${code} stops; the EventSource is closed and not reopened`, async () => {
    const es = scriptedEventSources([(s) => s.end(code, `refused ${code}`)]);
    const info = await new Promise((resolve) => {
      watchTraining({
        baseUrl: 'http://127.0.0.1:9', tenantId: 't1', jobId: 'j1', token: 'tok', transport: 'sse',
        EventSource: es.EventSource, reconnect: FAST, onClose: resolve,
      });
    });
    assert.equal(info.code, code);
    assert.equal(info.reason, `refused ${code}`);
    await new Promise((r) => setTimeout(r, FAST.maxBackoffMs * 10));
    assert.equal(es.made.length, 1);
    assert.equal(es.made[0].closedAtOnce, true);
  });
}

test('SSE: 1001, 1011, 1012 and a broken stream reconnect with backoff, each resuming', async () => {
  const es = scriptedEventSources([
    (s) => {
      s.send(snapshotMsg(2));
      s.end(1001, 'server shutting down');
    },
    (s) => {
      s.send(resumedMsg(2));
      s.send(productMsg(2));
      s.end(1012, 'upstream lost');
    },
    (s) => {
      s.send(resumedMsg(3));
      s.end(1011, 'internal error');
    },
    (s) => s.drop(), // never got anywhere: a transient 1006 as well
    (s) => {
      s.send(resumedMsg(3));
      for (let n = 3; n <= 6; n += 1) s.send(productMsg(n));
      s.send(completedMsg(8));
      s.end(1000, 'job completed');
    },
  ]);
  const info = await new Promise((resolve) => {
    watchTraining({
      baseUrl: 'http://127.0.0.1:9', tenantId: 't1', jobId: 'j1', token: 'tok', transport: 'sse',
      EventSource: es.EventSource, reconnect: FAST, onClose: resolve,
    });
  });
  assert.equal(info.code, 1000, info.message);
  assert.deepEqual(es.made.map((s) => new URL(s.url).searchParams.get('since')), [null, '2', '3', '3', '3']);
  assert.ok(es.made.every((s) => s.closed));
  assert.equal(info.state.reconnects, 4);
  assert.deepEqual(info.state.products.map((p) => p.name), ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
});

test('SSE: a gap resyncs without since; an unreadable `event: close` counts as a drop', async () => {
  const es = scriptedEventSources([
    (s) => {
      s.send(snapshotMsg(2));
      s.send(productMsg(3)); // seq 4 after 2: a gap
    },
    (s) => {
      s.send(snapshotMsg(4));
      s.emit('close', 'not json');
    },
    (s) => {
      s.send(resumedMsg(4));
      for (let n = 4; n <= 6; n += 1) s.send(productMsg(n));
      s.send(completedMsg(8));
      s.end(1000, 'job completed');
    },
  ]);
  const info = await new Promise((resolve) => {
    watchTraining({
      baseUrl: 'http://127.0.0.1:9', tenantId: 't1', jobId: 'j1', token: 'tok', transport: 'sse',
      EventSource: es.EventSource, reconnect: FAST, onClose: resolve,
    });
  });
  assert.equal(info.code, 1000, info.message);
  assert.deepEqual(es.made.map((s) => new URL(s.url).searchParams.get('since')), [null, null, '4']);
  assert.equal(info.state.products.length, 6);
});
