// useTrainingProgress in a real React renderer: it follows a job to its end, re-subscribes when
// the job changes, and closes its socket on unmount.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket, loadReact } from './harness/deps.js';
import { ScriptedServer, completedMsg, productMsg, snapshotMsg } from './harness/scripted_ws.js';
import { useTrainingProgress } from '../../web/client/react.js';
import { coalesce, connectedAt, fullRun } from './harness/progress_stream.js';

const { React, TestRenderer } = loadReact();
globalThis.IS_REACT_ACT_ENVIRONMENT = true;
// React 19 marks react-test-renderer deprecated and says so once per render tree; the warning is
// about the test tool, not about the hook under test.
const consoleError = console.error;
console.error = (...args) => {
  if (!String(args[0]).includes('react-test-renderer is deprecated')) consoleError(...args);
};

function Probe({ seen, ...options }) {
  const result = useTrainingProgress({ WebSocket, pingIntervalMs: 0, ...options });
  seen.push(result);
  return React.createElement('span', null, result.state ? `${result.state.progress}%` : '…');
}

async function until(cond, what) {
  const deadline = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await TestRenderer.act(() => new Promise((r) => setTimeout(r, 10)));
  }
}

test('the hook renders the live state until the job ends, then its close info', async (t) => {
  const server = await new ScriptedServer([
    (socket, { send }) => {
      send(snapshotMsg(2));
      for (let n = 2; n <= 6; n += 1) send(productMsg(n));
      send(completedMsg(8));
      socket.close(1000, 'job completed');
    },
  ]).start();
  t.after(() => server.stop());
  const seen = [];
  const props = { seen, baseUrl: server.baseUrl, tenantId: 't1', jobId: 'j1', token: 'tok' };
  let root;
  await TestRenderer.act(() => {
    root = TestRenderer.create(React.createElement(Probe, props));
  });
  await until(() => seen.at(-1)?.closeInfo, 'the close info');
  const last = seen.at(-1);
  assert.equal(last.closeInfo.code, 1000);
  assert.equal(last.state.status, 'completed');
  assert.equal(last.state.products.length, 6);
  assert.deepEqual(root.toJSON().children, ['100%']);
  const progress = seen.filter((r) => r.state).map((r) => r.state.progress);
  assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'progress never decreases');
  await TestRenderer.act(() => root.unmount());
});

test('a new jobId re-subscribes; unmounting closes the socket', async (t) => {
  const server = await new ScriptedServer([(_, { send }) => send(snapshotMsg(2))]).start();
  t.after(() => server.stop());
  const seen = [];
  const props = { seen, baseUrl: server.baseUrl, tenantId: 't1', jobId: 'j1', token: 'tok' };
  let root;
  await TestRenderer.act(() => {
    root = TestRenderer.create(React.createElement(Probe, props));
  });
  await until(() => seen.at(-1)?.state?.connection === 'live', 'the first job live');
  await TestRenderer.act(() => root.update(React.createElement(Probe, { ...props, jobId: 'j2' })));
  await until(() => server.connections === 2 && seen.at(-1)?.state?.connection === 'live', 'the second job live');
  assert.match(server.urls[1], /\/jobs\/j2\/live/);
  assert.equal(seen.at(-1).closeInfo, null);
  await TestRenderer.act(() => root.unmount());
  await server.until(() => server.sockets.size === 0, 'every socket closed');
});

test('without a tenant, job or token the hook watches nothing', async () => {
  const seen = [];
  let root;
  await TestRenderer.act(() => {
    const props = { seen, baseUrl: 'http://127.0.0.1:1', tenantId: 't1', jobId: '', token: 'tok' };
    root = TestRenderer.create(React.createElement(Probe, props));
  });
  assert.deepEqual(seen.at(-1), { state: null, closeInfo: null });
  await TestRenderer.act(() => root.unmount());
});

test('the hook shows ETA, in-flight, accuracy, the report and watchers; a new maxRate re-subscribes', async (t) => {
  const events = fullRun();
  const upTo = events.findIndex((m) => m.type === 'product_completed' && m.data.eta_s !== null) + 1;
  const server = await new ScriptedServer([(_, { send }) => {
    send(connectedAt(events, 0, { watchers: 2 }));
    for (const m of coalesce(events.slice(0, upTo + 2), () => true)) send(m);
  }]).start();
  t.after(() => server.stop());
  const seen = [];
  const props = { seen, baseUrl: server.baseUrl, tenantId: 't1', jobId: 'j1', token: 'tok', maxRate: 1 };
  let root;
  await TestRenderer.act(() => {
    root = TestRenderer.create(React.createElement(Probe, props));
  });
  await until(() => seen.at(-1)?.state?.seq === events[upTo + 1].seq, 'the products folded');
  const { state } = seen.at(-1);
  assert.equal(state.watchers, 2);
  assert.equal(state.etaSeconds, events[upTo + 1].data.eta_s);
  assert.equal(state.elapsedSeconds, events[upTo + 1].data.elapsed_s);
  assert.deepEqual(state.inFlight, events[upTo + 1].data.in_flight);
  assert.equal(state.accuracy.worst[0].name, events[upTo + 1].data.summary.worst[0].product_name);
  assert.equal(state.report.shortHistory[0], 'New Cake');
  assert.equal(state.lastEventType, 'progress_summary');
  assert.match(server.urls[0], /[?&]max_rate=1(&|$)/);
  await TestRenderer.act(() => root.update(React.createElement(Probe, { ...props, maxRate: 5 })));
  await until(() => server.connections === 2, 'the watch at the new rate');
  assert.match(server.urls[1], /[?&]max_rate=5(&|$)/);
  await TestRenderer.act(() => root.unmount());
  await server.until(() => server.sockets.size === 0, 'every socket closed');
});
