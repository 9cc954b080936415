// The fold of issue 15's keys and messages on crafted sequences: ETA, elapsed time, in-flight
// products, running accuracy, the data report, durations, eta_error; `progress_summary` folding to
// exactly the full-rate state at every step; `watchers` never a gap or a duplicate; maxRate in
// the live URL; a 409 `job_running` from startTraining.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  LevainError, TrainingFold, describeEta, liveUrl, startTraining, watchTraining,
} from '../../web/client/levain-client.js';
import { REPORT, coalesce, connectedAt, fullRun, prng } from './harness/progress_stream.js';

function foldAll(messages, fold = new TrainingFold('t1', 'j1')) {
  for (const m of messages) assert.equal(fold.apply(m), 'applied', `${m.type} seq ${m.seq}: ${fold.problem}`);
  return fold;
}

// What a message type changes in the view and nothing else: the two that name the message.
const comparable = (view) => ({ ...view, lastEventType: null });

test('every event folds elapsed, eta, in-flight, the running accuracy, the report and durations', () => {
  const events = fullRun();
  const f = foldAll([connectedAt(events, 0, { watchers: 2 }), events[0]]);
  let s = f.view();
  assert.equal(s.status, 'running');
  assert.equal(s.elapsedSeconds, 0);
  assert.equal(s.etaSeconds, null, 'null until the server can estimate');
  assert.deepEqual(s.inFlight, []);
  assert.equal(s.accuracy, null);
  assert.equal(s.report, null);
  assert.equal(s.watchers, 2);

  foldAll([events[1]], f);
  s = f.view();
  assert.deepEqual({ ...s.report, rowsPerProduct: { ...s.report.rowsPerProduct } }, {
    products: 6, days: 730, firstDate: '2024-01-01', lastDate: '2025-12-31',
    rowsPerProduct: { min: 40, median: 730, max: 730 }, productsWithGaps: 1, missingDays: 7,
    gaps: [{ name: 'Rye', missingDays: 7 }], negativeValues: 0, unknownValues: 3,
    shortHistory: ['New Cake'], shortHistoryCount: 1, stale: [{ name: 'Stollen', lastSale: '2025-01-06' }],
    staleCount: 1, closedDays: ['2025-12-25'], closedDaysCount: 1,
    soldOutDays: [{ name: 'Baguette', date: '2025-06-03' }], soldOutDaysCount: 1, duplicatesReplaced: 4,
  });
  assert.ok(Object.isFrozen(s.report) && Object.isFrozen(s.report.gaps[0]));

  foldAll(events.slice(2, 5), f); // Baguette, Rye, Croissant
  s = f.view();
  assert.equal(s.elapsedSeconds, 3);
  assert.equal(s.etaSeconds, 4.5);
  assert.deepEqual(s.inFlight, ['New Cake', 'Stollen']);
  assert.equal(s.products[2].durationMs, 15);
  assert.equal(s.accuracy.fallbacks, 1);
  assert.equal(s.accuracy.failed, 0);
  assert.deepEqual(s.accuracy.worst.map((w) => w.name), ['Croissant', 'Rye', 'Baguette']);
  assert.equal(s.accuracy.worst[0].mase, events[4].data.metrics.mase);
  assert.equal(s.accuracy.medianMase, events[4].data.summary.median_mase);
  assert.equal(s.accuracy.meanMape, 10);
  assert.equal(s.report.products, 6, 'the report stays once given');

  foldAll(events.slice(5), f);
  s = f.view();
  assert.equal(s.status, 'completed');
  assert.equal(s.accuracy.failed, 1, 'completed carries the final summary');
  assert.deepEqual(s.inFlight, [], 'nothing trains after the end');
  assert.equal(s.etaSeconds, null);
  assert.equal(s.elapsedSeconds, 7);
  assert.deepEqual(s.etaError.map((e) => ({ ...e })), [{ atPercent: 50, productsCompleted: 3, etaSeconds: 4.5,
    actualSeconds: 4, errorSeconds: 0.5, errorPercent: 12.5 }]);
  assert.equal(s.products.find((p) => p.name === 'Stollen').status, 'failed');
  assert.deepEqual({ ...s.summary }, { successfulTrainings: 5, failedTrainings: 1, totalDurationSeconds: 7 });
});

test('a snapshot carries the same keys; one from a server without them leaves them unknown', () => {
  const events = fullRun();
  const f = foldAll([connectedAt(events, 4, { watchers: 3 })]);
  const s = f.view();
  assert.equal(s.seq, 4);
  assert.equal(s.etaSeconds, events[3].data.eta_s);
  assert.deepEqual(s.inFlight, events[3].data.in_flight);
  assert.equal(s.accuracy.worst.length, 2);
  assert.equal(s.report.closedDays[0], '2025-12-25');
  assert.equal(s.products[0].durationMs, 13);
  assert.equal(s.watchers, 3);

  // connected.data.watchers (this connection's count) wins over the snapshot's own.
  const both = connectedAt(events, 4, { watchers: 3 });
  both.data.watchers = 5;
  assert.equal(new TrainingFold().apply(both), 'applied');
  const g = new TrainingFold();
  g.apply(both);
  assert.equal(g.view().watchers, 5);

  // A fresh snapshot is the whole job: keys it lacks are not kept from before.
  const old = { type: 'connected', seq: 6, data: { snapshot: { status: 'running', seq: 6, progress: 60, products: [] } } };
  assert.equal(f.apply(old), 'applied');
  const o = f.view();
  assert.deepEqual([o.elapsedSeconds, o.etaSeconds, o.accuracy, o.report, o.etaError], [null, null, null, null, null]);
  assert.deepEqual(o.inFlight, []);
});

test('a "watchers" message has no seq: never a gap, never a duplicate, the seq stands', () => {
  const events = fullRun();
  const f = foldAll([connectedAt(events, 2)]);
  const msg = (n, extra = {}) => ({ type: 'watchers', job_id: 'j1', tenant_id: 't1', timestamp: 'now', data: { watchers: n }, ...extra });
  assert.equal(f.apply(msg(2)), 'applied');
  assert.equal(f.view().watchers, 2);
  assert.equal(f.view().seq, 2);
  assert.equal(f.apply(events[2]), 'applied', 'the next event still lines up');
  assert.equal(f.apply(msg(4, { seq: 1 })), 'applied', 'even a seq on it is not read as order');
  assert.equal(f.apply(msg(3, { seq: 99 })), 'applied');
  assert.equal(f.view().watchers, 3);
  assert.equal(f.apply(events[3]), 'applied');
  assert.equal(f.view().seq, 4);
  assert.equal(f.view().lastEventType, 'product_completed', 'presence is not an event');
  assert.equal(f.apply({ type: 'watchers', data: { watchers: -1 } }), 'malformed');
  assert.equal(f.apply({ type: 'watchers', data: {} }), 'malformed');
  assert.equal(f.view().watchers, 3);
  // A resumed connection's count is taken too; the state otherwise stands.
  assert.equal(f.apply({ type: 'connected', seq: 4, data: { resumed: true, watchers: 7 } }), 'resumed');
  assert.equal(f.view().watchers, 7);
});

test('progress_summary folds to the full-rate state after every message, for any pacing', () => {
  const events = fullRun();
  const full = new TrainingFold('t1', 'j1');
  full.apply(connectedAt(events, 0));
  const atSeq = new Map();
  for (const m of events) {
    full.apply(m);
    atSeq.set(m.seq, comparable(full.view()));
  }
  for (let seed = 1; seed <= 200; seed += 1) {
    const random = prng(seed);
    const p = random();
    const stream = coalesce(events, () => random() < p);
    assert.ok(stream.some((m) => m.type === 'progress_summary'), `seed ${seed}: something was folded`);
    const seqs = stream.map((m) => m.seq);
    seqs.forEach((s, i) => i === 0 || assert.ok(s > seqs[i - 1], `seed ${seed}: seq strictly increases`));
    // Milestones are all there, as they are: started, the analysis, the failed product, completed.
    assert.deepEqual(stream.filter((m) => m.type !== 'progress_summary'),
      events.filter((m) => m.type !== 'product_completed' || m.data.status !== 'succeeded'));
    const f = new TrainingFold('t1', 'j1');
    f.apply(connectedAt(events, 0));
    for (const m of stream) {
      assert.equal(f.apply(m), 'applied', `seed ${seed}: ${m.type} at ${m.seq}: ${f.problem}`);
      assert.deepEqual(comparable(f.view()), atSeq.get(m.seq), `seed ${seed}: the state at seq ${m.seq}`);
    }
    assert.deepEqual(f.view(), full.view(), `seed ${seed}: the end is the full-rate end`);
  }
});

test('progress_summary joins a snapshot mid-job; a missed one is a gap; an old one a duplicate', () => {
  const events = fullRun(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'], { failed: [] });
  // Summaries of two products each: seq 4 (A, B), 6, 8, 10, then completed at 11.
  const stream = coalesce(events, (i) => i % 2 === 1);
  const at = (seq) => stream.find((m) => m.seq === seq);
  const f = foldAll([connectedAt(events, 4), at(6)]);
  assert.deepEqual(f.view().products.map((p) => p.name), ['A', 'B', 'C', 'D']);
  assert.equal(f.apply(at(6)), 'duplicate');
  assert.equal(f.apply(at(4)), 'duplicate');
  assert.equal(f.apply(at(10)), 'gap', 'seq 7 and 8 were never folded');
  assert.equal(f.view().seq, 6);
  assert.equal(f.apply(at(8)), 'applied');
  // A summary that overlaps what is folded (no server should send one) adds only what is new.
  const overlap = structuredClone(at(10));
  overlap.data.products.unshift(structuredClone(at(8).data.products[1]));
  overlap.data.products[0].metrics.mape = 99;
  assert.equal(f.apply(overlap), 'applied');
  assert.deepEqual(f.view().products.map((p) => p.name), ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
  assert.notEqual(f.view().products[5].metrics.mape, 99, 'F was not folded twice');
  const bad = new TrainingFold();
  bad.apply(connectedAt(events, 2));
  assert.equal(bad.apply({ ...at(4), data: { ...at(4).data, products: 'A,B' } }), 'malformed');
  assert.equal(bad.apply({ ...at(4), data: { ...at(4).data, products: [] } }), 'gap', 'no product cannot advance the seq');
  assert.equal(bad.view().seq, 2);
});

test('maxRate goes into every live URL; anything but (0, 1000] is refused before connecting', () => {
  assert.equal(liveUrl('http://h:1', 't', 'j', 'k', { maxRate: 1 }), 'ws://h:1/api/v1/tenants/t/training/jobs/j/live?token=k&max_rate=1');
  assert.equal(liveUrl('https://h', 't', 'j', 'k', { maxRate: 0.5, since: 9, sse: true }),
    'https://h/api/v1/tenants/t/training/jobs/j/live?token=k&max_rate=0.5&since=9');
  assert.equal(liveUrl('http://h', 't', 'j', 'k', { maxRate: 1000 }), 'ws://h/api/v1/tenants/t/training/jobs/j/live?token=k&max_rate=1000');
  class NeverWebSocket {
    constructor() {
      throw new Error('no connection may be opened for a refused option');
    }
  }
  for (const maxRate of [0, -1, 1000.5, 2000, Number.NaN, Infinity, '5', true]) {
    assert.throws(() => liveUrl('http://h', 't', 'j', 'k', { maxRate }), /maxRate/);
    assert.throws(() => watchTraining({ baseUrl: 'http://h', tenantId: 't', jobId: 'j', token: 'k', maxRate,
      WebSocket: NeverWebSocket }), (e) => e instanceof TypeError && /watchTraining: option "maxRate"/.test(e.message));
  }
});

test('startTraining: a 409 job_running names the running job; allowConcurrent asks for another', async () => {
  const sent = [];
  const fetch = async (url, init) => {
    sent.push({ url, body: JSON.parse(init.body) });
    const body = { error: { code: 'job_running', message: 'a training job of this bakery is already running' }, job_id: 'job-7', status: 'running' };
    return new Response(JSON.stringify(body), { status: 409, headers: { 'Content-Type': 'application/json' } });
  };
  const base = { baseUrl: 'http://h', tenantId: 't', token: 'k', fetch };
  const err = await startTraining(base).then(() => null, (e) => e);
  assert.ok(err instanceof LevainError);
  assert.equal(err.kind, 'conflict');
  assert.equal(err.status, 409);
  assert.equal(err.code, 'job_running');
  assert.equal(err.runningJobId, 'job-7');
  assert.equal(err.userMessage, 'Not started: a training job of this bakery is already running.');
  await startTraining({ ...base, allowConcurrent: true, horizonDays: 7 }).catch(() => {});
  await startTraining({ ...base, allowConcurrent: false }).catch(() => {});
  assert.deepEqual(sent.map((s) => s.body), [{}, { horizon_days: 7, allow_concurrent: true }, {}]);
  assert.throws(() => startTraining({ ...base, allowConcurrent: 'yes' }), /allowConcurrent/);
  assert.equal(new LevainError({ kind: 'conflict', code: 'job_finished', message: 'x', body: { job_id: 'j' } }).runningJobId, null);
});

test('describeEta rounds the way a person says it', () => {
  assert.equal(describeEta(null), '');
  assert.equal(describeEta(4), 'a few seconds left');
  assert.equal(describeEta(42), 'about 40 s left');
  assert.equal(describeEta(131), 'about 2 min left');
  assert.equal(describeEta(3 * 3600 + 5 * 60), 'about 3 h 5 min left');
  assert.equal(describeEta(7200), 'about 2 h left');
  assert.equal(REPORT.products, 6);
});
