// Issue 15 through the JavaScript client against the real service and gateway: maxRate over
// WebSocket and SSE (direct and through the gateway) ends where a full-rate watcher ends, with
// summaries instead of products and the milestones as they are; watchers counted live; one job
// at a time (409) unless allowConcurrent; Cancel ends the job cancelled; ETA, in-flight, durations
// and the report in the folded view; a max_rate the server refuses is a 400 before any upgrade.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { recordingTransports } from './harness/recording.js';
import { WebSocket } from './harness/deps.js';
import { Stack, demoCsv, waitFor } from './harness/stack.js';
import { watchRun } from './harness/watch_run.js';
import { LevainError, cancelJob, getJob, startTraining, uploadSales } from '../../web/client/levain-client.js';

const TENANT = 'bakery-a';
let stack;
let token;

before(async () => {
  // One thread keeps the watched job running long enough for every step of the watchers test
  // (in_flight names the product the freed thread takes next, so it is not empty on one).
  stack = await new Stack().start({ serviceArgs: ['--train-threads', '1'] });
  token = await stack.token({ tenants: [TENANT] });
});
after(() => stack?.stop());

const rest = () => ({ baseUrl: stack.url, tenantId: TENANT, token });

const watch = (jobId, extra = {}) => watchRun(rest(), jobId, extra);

/** What a watcher at any rate must end with (not how it got there, nor who else watched). */
function endState(s) {
  return {
    status: s.status, progress: s.progress, seq: s.seq, totalProducts: s.totalProducts,
    productsCompleted: s.productsCompleted, error: s.error, products: s.products,
    summary: s.summary && { successful: s.summary.successfulTrainings, failed: s.summary.failedTrainings },
    elapsedSeconds: s.elapsedSeconds, etaSeconds: s.etaSeconds, inFlight: s.inFlight, accuracy: s.accuracy,
    report: s.report, etaError: s.etaError,
  };
}

test('maxRate over WebSocket and SSE, direct and through the gateway: the full-rate end, in summaries', async () => {
  await uploadSales({ ...rest(), csv: await demoCsv(60) });
  const job = await startTraining(rest());
  const cases = [
    { name: 'full rate, WebSocket, gateway', transport: 'websocket', baseUrl: stack.url },
    { name: 'max_rate=1, WebSocket, gateway', transport: 'websocket', baseUrl: stack.url, maxRate: 1 },
    { name: 'max_rate=2, SSE, gateway', transport: 'sse', baseUrl: stack.url, maxRate: 2 },
    { name: 'max_rate=1, WebSocket, service', transport: 'websocket', baseUrl: stack.service.url, maxRate: 1 },
    { name: 'max_rate=0.5, SSE, service', transport: 'sse', baseUrl: stack.service.url, maxRate: 0.5 },
  ].map((c) => {
    const t = recordingTransports();
    return { ...c, t, run: watch(job.job_id, { ...c, WebSocket: t.WebSocket, EventSource: t.EventSource }) };
  });
  const ends = await Promise.all(cases.map((c) => c.run.done));
  const [full] = ends;
  assert.equal(full.info.code, 1000, full.info.message);
  assert.equal(full.info.state.status, 'completed');
  assert.equal(full.info.state.products.length, 60);
  cases.forEach((c, i) => {
    const { info } = ends[i];
    assert.equal(info.code, 1000, `${c.name}: ${info.message}`);
    assert.equal(c.t.connections.length, 1, `${c.name}: one connection, no resync`);
    const url = new URL(c.t.connections[0].url);
    assert.equal(url.searchParams.get('max_rate'), c.maxRate === undefined ? null : String(c.maxRate), c.name);
    assert.deepEqual(endState(info.state), endState(full.info.state), `${c.name}: the full-rate end`);
    if (c.maxRate === undefined) return;
    // Presence counts have no seq and may come at any point: not part of the order.
    const got = c.t.connections[0].received.filter((m) => m.type !== 'close' && m.type !== 'watchers');
    const succeeded = (m) => m.type === 'product_completed' && m.data.status === 'succeeded';
    assert.equal(got.filter(succeeded).length, 0, `${c.name}: every successful product came in a summary`);
    const summaries = got.filter((m) => m.type === 'progress_summary');
    assert.ok(summaries.length > 0, `${c.name}: summaries came`);
    assert.equal(got.at(-1).type, 'completed', `${c.name}: the end as it is`);
    got.slice(1).forEach((m, k) => assert.ok(m.seq > got[k].seq, `${c.name}: seq strictly increases at ${m.type} ${m.seq}`));
    // Paced summaries are 1/R s apart; one more may go out right before each milestone.
    const milestones = got.filter((m) => m.type !== 'progress_summary' && m.type !== 'connected');
    const span = (Date.parse(got.at(-1).timestamp) - Date.parse(got[0].timestamp)) / 1000;
    assert.ok(summaries.length <= Math.floor(span * c.maxRate) + 1 + milestones.length,
      `${c.name}: ${summaries.length} summaries in ${span} s at ${c.maxRate}/s with ${milestones.length} milestones`);
    for (const m of summaries) {
      for (const key of ['progress', 'products_completed', 'total_products', 'elapsed_s', 'eta_s', 'in_flight', 'summary']) {
        assert.ok(Object.hasOwn(m.data, key), `${c.name}: progress_summary has ${key}`);
      }
      assert.ok(m.data.products.every((p) => p.status === 'succeeded' && Number.isFinite(p.duration_ms)));
    }
  });
});

test('watchers are counted live; a second start is a 409 naming the job; Cancel ends it cancelled', async () => {
  await uploadSales({ ...rest(), csv: await demoCsv(600, 400) });
  const job = await startTraining(rest());
  const a = watch(job.job_id);
  await waitFor(() => a.updates.at(-1)?.watchers === 1 && a.updates.at(-1).status === 'running', 'the first watcher live');
  assert.equal((await getJob({ ...rest(), jobId: job.job_id })).watchers, 1);

  const refused = await startTraining(rest()).then(() => null, (e) => e);
  assert.ok(refused instanceof LevainError, `a second start was refused (${refused})`);
  assert.equal(refused.status, 409);
  assert.equal(refused.code, 'job_running');
  assert.equal(refused.runningJobId, job.job_id);

  const b = watch(job.job_id, { transport: 'sse', EventSource: recordingTransports().EventSource });
  await waitFor(() => b.updates.some((u) => u.watchers === 2), 'the second watcher to be counted with the first');
  await waitFor(() => a.updates.at(-1).watchers === 2, 'the first watcher told of the second');
  assert.equal((await getJob({ ...rest(), jobId: job.job_id })).watchers, 2);
  b.handle.close();
  await waitFor(() => a.updates.at(-1).watchers === 1, 'the first watcher told the second left');

  const other = await startTraining({ ...rest(), allowConcurrent: true });
  assert.notEqual(other.job_id, job.job_id, 'allowConcurrent starts another');
  await cancelJob({ ...rest(), jobId: other.job_id });

  await waitFor(() => a.updates.at(-1).productsCompleted >= 3, 'three products done');
  await cancelJob({ ...rest(), jobId: job.job_id });
  const { info, updates } = await a.done;
  assert.equal(info.code, 1000, info.message);
  assert.equal(info.state.status, 'cancelled');
  assert.equal((await getJob({ ...rest(), jobId: job.job_id })).status, 'cancelled');
  await waitFor(async () => (await getJob({ ...rest(), jobId: other.job_id })).status === 'cancelled', 'the other job cancelled');

  // What the view carried on the way.
  assert.ok(updates.some((u) => Number.isFinite(u.etaSeconds) && u.etaSeconds > 0), 'an ETA was given');
  assert.ok(updates.some((u) => u.elapsedSeconds > 0));
  assert.ok(updates.every((u) => u.inFlight.length <= 2), 'at most the thread count in flight');
  assert.ok(updates.some((u) => u.inFlight.length >= 1), 'what trains now was shown');
  assert.equal(updates.find((u) => u.report)?.report.products, 600, 'the data report');
  assert.ok(info.state.products.every((p) => Number.isFinite(p.durationMs)), 'each product has its fit time');
  assert.equal(info.state.accuracy?.worst.length > 0, true, 'a running accuracy');
  assert.deepEqual(info.state.inFlight, []);
});

/** What a refused live request answers: the HTTP status and error code, or how the stream ended. */
async function refusal(url) {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { Accept: 'text/event-stream' }, signal: ac.signal });
  const body = await res.text().catch(() => '');
  ac.abort();
  let code = '';
  try {
    code = JSON.parse(body).error.code;
  } catch {
    code = body.split('\n').find((l) => l.startsWith('data:')) ?? body.slice(0, 80);
  }
  const ws = await new Promise((resolve) => {
    const s = new WebSocket(url.replace(/^http/, 'ws'));
    s.on('unexpected-response', (_, r) => {
      resolve(r.statusCode);
      s.terminate();
    });
    s.on('close', (c, why) => resolve(`closed ${c} ${why}`));
    s.on('error', () => {});
  });
  return { sse: `${res.status} ${code}`, ws };
}

test('a max_rate the server refuses is a 400 with the JSON error, before any upgrade, at both doors', async () => {
  const job = await startTraining(rest());
  const got = {};
  const want = {};
  for (const [door, base] of [['gateway', stack.url], ['service', stack.service.url]]) {
    for (const rate of ['0', '-1', '1001', 'fast', '']) {
      const url = `${base}/api/v1/tenants/${TENANT}/training/jobs/${job.job_id}/live?token=${token}&max_rate=${rate}`;
      got[`${door} max_rate=${rate}`] = await refusal(url);
      want[`${door} max_rate=${rate}`] = { sse: '400 invalid_request', ws: 400 };
    }
  }
  await cancelJob({ ...rest(), jobId: job.job_id });
  assert.deepEqual(got, want);
});
