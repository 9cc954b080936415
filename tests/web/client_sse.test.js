// The JavaScript client over Server-Sent Events and with resume, against the real training
// service and the gateway in front of it: the same final state as over WebSocket, refusals as
// `event: close`, and a watcher cut off mid-job that comes back with `since` and gets only the
// events it missed, whether the job is still running or has just ended.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { recordingTransports } from './harness/recording.js';
import { Stack, demoCsv, waitFor } from './harness/stack.js';
import { watchRun } from './harness/watch_run.js';
import { getJob, startTraining, uploadSales } from '../../web/client/levain-client.js';

const TENANT = 'bakery-a';
let stack;
let token;

before(async () => {
  stack = await new Stack().start({ serviceArgs: ['--train-threads', '1'] });
  token = await stack.token({ tenants: [TENANT] });
});
after(() => stack?.stop());

const rest = () => ({ baseUrl: stack.url, tenantId: TENANT, token });

// A `watchers` count may come between any two events: it has no seq and is no part of their order.
const noPresence = (messages) => messages.filter((m) => m.type !== 'watchers');

/** Watches a job; resolves {updates, info} when the watch ends. */
const watch = (jobId, extra = {}) => watchRun(rest(), jobId, extra);

/**
 * What every watcher of a job must agree on at its end. Products sorted by name: a watcher that
 * joined late has some of them from the snapshot. The duration is left out: from a snapshot it is
 * computed from timestamps, from the `completed` event it is the server's own figure.
 */
function finalState(s) {
  return {
    status: s.status, progress: s.progress, seq: s.seq, totalProducts: s.totalProducts,
    productsCompleted: s.productsCompleted, error: s.error,
    products: [...s.products].sort((a, b) => a.name.localeCompare(b.name)),
    summary: s.summary && { successful: s.summary.successfulTrainings, failed: s.summary.failedTrainings },
  };
}

function assertSseClosedOnce(transports) {
  for (const c of transports.connections) assert.equal(c.kind, 'sse');
  for (const c of transports.connections) assert.equal(c.closedByClient, true, `${c.url} closed by the client`);
}

test('over SSE, on the service and through the gateway, a job ends in the same state as over WebSocket', async () => {
  await uploadSales({ ...rest(), csv: await demoCsv(12) });
  const job = await startTraining(rest());
  const direct = recordingTransports();
  const viaGateway = recordingTransports();
  const runs = await Promise.all([
    watch(job.job_id, { transport: 'websocket' }).done,
    watch(job.job_id, { transport: 'sse', baseUrl: stack.service.url, EventSource: direct.EventSource }).done,
    watch(job.job_id, { transport: 'sse', EventSource: viaGateway.EventSource }).done,
  ]);
  const [ws, ...sse] = runs;
  assert.equal(ws.info.code, 1000, ws.info.message);
  assert.equal(ws.info.state.transport, 'websocket');
  assert.equal(ws.info.state.status, 'completed');
  assert.equal(ws.info.state.products.length, 12);
  for (const run of sse) {
    assert.equal(run.info.code, 1000, run.info.message);
    assert.equal(run.info.reason, 'job completed');
    assert.equal(run.info.state.transport, 'sse');
    assert.ok(run.updates.every((u) => u.transport === 'sse'));
    assert.deepEqual(finalState(run.info.state), finalState(ws.info.state));
    for (let i = 1; i < run.updates.length; i += 1) {
      assert.ok(run.updates[i].progress >= run.updates[i - 1].progress, 'progress never decreases');
      assert.ok(run.updates[i].seq >= run.updates[i - 1].seq, 'seq never decreases');
    }
  }
  for (const t of [direct, viaGateway]) {
    assertSseClosedOnce(t);
    assert.equal(t.connections.length, 1);
    const got = noPresence(t.connections[0].received);
    assert.equal(got[0].type, 'connected');
    assert.equal(got[0].data.resumed, false, 'a first join is never resumed');
    assert.ok(got[0].data.snapshot);
    assert.deepEqual(got.at(-1), { type: 'close', code: 1000, reason: 'job completed' });
    // Events after the snapshot come one by one, in seq order.
    const events = got.slice(1, -1);
    events.forEach((m, i) => assert.equal(m.seq, got[0].seq + i + 1));
  }

  // A late joiner over SSE gets the whole job in its first message, then `event: close` 1000.
  const late = recordingTransports();
  const run = await watch(job.job_id, { transport: 'sse', EventSource: late.EventSource }).done;
  assert.equal(run.info.code, 1000);
  assert.deepEqual(finalState(run.info.state), finalState(ws.info.state));
  assert.deepEqual(noPresence(late.connections[0].received).map((m) => m.type), ['connected', 'close']);
  assertSseClosedOnce(late);
});

test('refusals over SSE are one `event: close` each, never retried: 4001, 4003, 4004', async () => {
  const job = await startTraining(rest());
  const cases = [
    { code: 4001, opts: { token: stack.expiredToken({ tenants: [TENANT] }) }, text: /expired/ },
    { code: 4003, opts: { tenantId: 'bakery-b' }, text: /access to this bakery/ },
    { code: 4004, opts: { jobId: 'no-such-job' }, text: /does not exist/ },
  ];
  for (const baseUrl of [stack.url, stack.service.url]) {
    for (const c of cases) {
      const t = recordingTransports();
      const run = await watch(c.opts.jobId ?? job.job_id, { transport: 'sse', baseUrl, EventSource: t.EventSource, ...c.opts }).done;
      assert.equal(run.info.code, c.code, `${baseUrl}: ${run.info.message}`);
      assert.match(run.info.message, c.text);
      assert.equal(t.connections.length, 1);
      assert.deepEqual(t.connections[0].received.map((m) => m.type), ['close']);
      assertSseClosedOnce(t);
    }
  }
  await waitFor(async () => (await getJob({ ...rest(), jobId: job.job_id })).status === 'completed', 'the job to end');
});

test('a watcher cut off mid-job resumes with since and gets exactly the events it missed', async () => {
  await uploadSales({ ...rest(), csv: await demoCsv(60) });
  const job = await startTraining(rest());
  const ended = waitFor(async () => {
    const j = await getJob({ ...rest(), jobId: job.job_id });
    return j.status === 'completed' && j;
  }, 'the job to end');
  // Four watchers, each cut off after its second finished product: over WebSocket and SSE,
  // through the gateway and on the service; half of them come back at once (the job runs on),
  // half only once the job has ended (within the replica's grace for resumes).
  const cases = [
    { transport: 'websocket', baseUrl: stack.url, afterEnd: true },
    { transport: 'sse', baseUrl: stack.url, afterEnd: true },
    { transport: 'websocket', baseUrl: stack.service.url, afterEnd: false },
    { transport: 'sse', baseUrl: stack.service.url, afterEnd: false },
  ];
  const reference = watch(job.job_id, { transport: 'websocket' });
  const runs = cases.map((c) => {
    const t = recordingTransports();
    let products = 0;
    t.cutWhen((m) => m.type === 'product_completed' && ++products === 2);
    const run = watch(job.job_id, {
      transport: c.transport, baseUrl: c.baseUrl, WebSocket: t.WebSocket, EventSource: t.EventSource,
    });
    // The first connection is open by now; the one after the cut waits until the job has ended.
    if (c.afterEnd) t.holdNext(ended);
    return { ...c, t, run };
  });
  const ref = await reference.done;
  const record = await ended;
  assert.equal(ref.info.code, 1000);
  for (const { transport, baseUrl, afterEnd, t, run } of runs) {
    const where = `${transport} on ${baseUrl === stack.url ? 'the gateway' : 'the service'}${afterEnd ? ', after the end' : ''}`;
    const { info } = await run.done;
    assert.equal(info.code, 1000, `${where}: ${info.message}`);
    assert.equal(t.connections.length, 2, `${where}: one reconnect`);
    const [first, second] = t.connections;
    const cutAt = first.received.at(-1);
    assert.equal(cutAt.type, 'product_completed', `${where}: cut after a product`);
    assert.equal(new URL(first.url).searchParams.get('since'), null);
    assert.equal(new URL(second.url).searchParams.get('since'), String(cutAt.seq), `${where}: resumes after the last seq`);
    const [hello, ...tail] = noPresence(second.received);
    assert.equal(hello.type, 'connected');
    assert.equal(hello.data.resumed, true, `${where}: resumed`);
    assert.equal(hello.seq, cutAt.seq);
    assert.equal(hello.data.snapshot, undefined, `${where}: no snapshot on a resume`);
    const events = transport === 'sse' ? tail.slice(0, -1) : tail;
    if (transport === 'sse') assert.deepEqual(tail.at(-1), { type: 'close', code: 1000, reason: 'job completed' });
    assert.deepEqual(events.map((m) => m.seq), Array.from({ length: record.seq - cutAt.seq }, (_, i) => cutAt.seq + 1 + i),
      `${where}: exactly the events after the cut`);
    assert.equal(events.at(-1).type, 'completed');
    assert.equal(info.state.transport, transport);
    assert.deepEqual(finalState(info.state), finalState(ref.info.state), `${where}: the same end as a watcher never cut off`);
    assert.equal(info.state.products.length, 60);
    if (transport === 'sse') {
      assertSseClosedOnce(t);
      for (const c of t.connections) assert.ok(c.url.startsWith('http://'));
    }
  }
});
