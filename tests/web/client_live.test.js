// The JavaScript client against the real gateway + training service: REST helpers, a job watched
// from start to end, late joiners, a gateway restart mid-job, refusals and REST errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WebSocket } from './harness/deps.js';
import { Stack, demoCsv, waitFor } from './harness/stack.js';
import {
  LevainError, getForecasts, getJob, listJobs, startTraining, uploadSales, watchTraining,
} from '../../web/client/levain-client.js';

const TENANT = 'bakery-a';
let stack;
let token;
let csv;

before(async () => {
  stack = await new Stack().start({ serviceArgs: ['--train-threads', '1'] });
  token = await stack.token({ tenants: [TENANT] });
  csv = await demoCsv(12);
});
after(() => stack?.stop());

const rest = () => ({ baseUrl: stack.url, tenantId: TENANT, token });

/** Watches a job; resolves {updates, info, connections} when the watch ends. */
function watch(jobId, extra = {}) {
  const updates = [];
  let connections = 0;
  class CountingWebSocket extends WebSocket {
    constructor(url) {
      super(url);
      connections += 1;
    }
  }
  let handle;
  const done = new Promise((resolve) => {
    handle = watchTraining({
      ...rest(), jobId, WebSocket: CountingWebSocket,
      reconnect: { initialBackoffMs: 50, maxBackoffMs: 500 },
      ...extra,
      onUpdate: (s) => updates.push(s),
      onClose: (info) => resolve({ updates, info, connections }),
    });
  });
  return { done, updates, handle };
}

function assertCompleteRun({ updates, info }, total) {
  assert.equal(info.code, 1000, info.message);
  const s = info.state;
  assert.equal(s.status, 'completed');
  assert.equal(s.progress, 100);
  assert.equal(s.productsCompleted, total);
  assert.equal(s.products.length, total);
  assert.equal(new Set(s.products.map((p) => p.name)).size, total);
  for (let i = 1; i < updates.length; i += 1) {
    assert.ok(updates[i].progress >= updates[i - 1].progress, 'progress never decreases');
    assert.ok(updates[i].seq >= updates[i - 1].seq, 'seq never decreases');
  }
}

test('upload, start, and watch a job from its first event to the end', async () => {
  const up = await uploadSales({ ...rest(), csv });
  assert.equal(up.accepted, 4800);
  assert.equal(up.rejected, 0);
  const job = await startTraining(rest());
  assert.match(job.job_id, /^[A-Za-z0-9._-]+$/);
  const run = await watch(job.job_id).done;
  assertCompleteRun(run, 12);
  // The events after the snapshot came one by one: every live update advanced seq by exactly 1.
  const live = run.updates.filter((u) => u.connection === 'live' && u.lastEventType !== 'connected');
  for (let i = 1; i < live.length; i += 1) assert.equal(live[i].seq, live[i - 1].seq + 1);
  assert.equal(run.info.state.summary.successfulTrainings + run.info.state.summary.failedTrainings, 12);
  assert.equal(run.connections, 1);

  // A late joiner gets the whole job in its first message, then 1000.
  const late = await watch(job.job_id).done;
  assertCompleteRun(late, 12);
  assert.equal(late.connections, 1);
  assert.deepEqual(late.info.state.products.map((p) => p.name).sort(), run.info.state.products.map((p) => p.name).sort());

  const record = await getJob({ ...rest(), jobId: job.job_id });
  assert.equal(record.status, 'completed');
  assert.ok((await listJobs(rest())).some((j) => j.job_id === job.job_id));
  const fc = await getForecasts({ ...rest(), product: run.info.state.products[0].name });
  assert.ok(fc.points.length > 0);
  for (const p of fc.points) assert.ok(p.yhat_lower <= p.yhat && p.yhat <= p.yhat_upper);
});

test('a gateway restart mid-job: the watcher reconnects and sees the job to its end', async () => {
  const big = await demoCsv(240, 400);
  await uploadSales({ ...rest(), csv: big });
  const job = await startTraining(rest());
  const first = watch(job.job_id);
  const second = watch(job.job_id);
  await waitFor(() => first.updates.at(-1)?.productsCompleted >= 2, 'two products done');
  const atKill = first.updates.at(-1);
  const port = stack.gateway.port;
  await stack.gateway.stop('SIGKILL'); // the connection drops without a close frame (1006)
  await waitFor(() => first.updates.at(-1)?.connection === 'reconnecting', 'the watcher to notice');
  await stack.startGateway(port);
  const [a, b] = await Promise.all([first.done, second.done]);
  assert.equal(atKill.status, 'running', 'the job was still running at the restart');
  for (const run of [a, b]) {
    assertCompleteRun(run, 240);
    assert.ok(run.connections >= 2, 'reconnected');
    assert.ok(run.updates.some((u) => u.connection === 'reconnecting'));
  }
});

test('refusals close once and are not retried: 4001, 4003, 4004', async () => {
  const job = (await listJobs(rest()))[0];
  const cases = [
    { code: 4001, opts: { jobId: job.job_id, token: stack.expiredToken({ tenants: [TENANT] }) }, text: /expired/ },
    { code: 4003, opts: { jobId: job.job_id, tenantId: 'bakery-b' }, text: /access to this bakery/ },
    { code: 4004, opts: { jobId: 'no-such-job' }, text: /does not exist/ },
  ];
  for (const c of cases) {
    const run = await watch(c.opts.jobId, c.opts).done;
    assert.equal(run.info.code, c.code, run.info.message);
    assert.match(run.info.message, c.text);
    assert.equal(run.connections, 1);
    assert.equal(run.info.state.connection, 'closed');
  }
});

test('REST errors carry a kind and a message a person can act on', async () => {
  const expect = async (promise, kind, text) => {
    const err = await promise.then(() => null, (e) => e);
    assert.ok(err instanceof LevainError, `expected a LevainError, got ${err}`);
    assert.equal(err.kind, kind, err.message);
    assert.match(err.userMessage, text);
    return err;
  };
  await expect(listJobs({ ...rest(), token: stack.expiredToken({ tenants: [TENANT] }) }), 'expired_token', /expired/);
  await expect(listJobs({ ...rest(), tenantId: 'bakery-b' }), 'forbidden', /bakery "bakery-b"/);
  const watcher = await stack.token({ tenants: [TENANT], roles: [] });
  await expect(startTraining({ ...rest(), token: watcher }), 'forbidden', /trainer/);

  const partly = 'date,product,quantity\n2026-01-01,Baguette,10\nnot-a-date,Baguette,3\n2026-01-02,Baguette,-5\n';
  const res = await uploadSales({ ...rest(), csv: partly });
  assert.equal(res.accepted, 1);
  assert.deepEqual(res.errors.map((e) => e.line), [3, 4]);
  const err = await expect(uploadSales({ ...rest(), csv: 'date,product,quantity\nxx,yy,zz\n' }),
    'csv_rejected', /CSV was rejected/);
  assert.deepEqual(err.rejectedRows.map((r) => r.line), [2]);

  await expect(listJobs({ ...rest(), baseUrl: 'http://127.0.0.1:1' }), 'unreachable', /cannot be reached/);
});
