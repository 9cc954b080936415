// The client's folding rules on their own: snapshot + events, duplicates, older and gapped seq,
// progress that never decreases, the end of a job, and a resumed "connected" without a snapshot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrainingFold, describeClose, closeAction, backoffDelay, liveUrl } from '../../web/client/levain-client.js';

const snapshot = (seq, extra = {}) => ({
  type: 'connected', seq, job_id: 'j1', tenant_id: 't1',
  data: { snapshot: { job_id: 'j1', tenant_id: 't1', status: 'running', progress: 20, seq,
    total_products: 3, products_completed: 0, current_step: 'Model Training', products: [], ...extra } },
});
const done = (seq, name, progress, completed) => ({
  type: 'product_completed', seq, data: { product_name: name, status: 'succeeded', progress,
    products_completed: completed, total_products: 3, current_step: 'Model Training',
    model: 'additive', fallback: false, metrics: { mape: 8.25, mase: 0.7 } },
});

test('snapshot then events in order fold into one state', () => {
  const f = new TrainingFold('t1', 'j1');
  assert.equal(f.apply(snapshot(2)), 'applied');
  assert.equal(f.apply(done(3, 'Baguette', 40, 1)), 'applied');
  assert.equal(f.apply(done(4, 'Croissant', 60, 2)), 'applied');
  const s = f.view();
  assert.equal(s.seq, 4);
  assert.equal(s.progress, 60);
  assert.equal(s.productsCompleted, 2);
  assert.deepEqual(s.products.map((p) => p.name), ['Baguette', 'Croissant']);
  assert.equal(s.products[0].metrics.mape, 8.25);
  assert.equal(s.products[0].fallback, false);
});

test('duplicate and older seq are ignored; a gap is reported, not applied', () => {
  const f = new TrainingFold();
  f.apply(snapshot(2));
  f.apply(done(3, 'Baguette', 40, 1));
  assert.equal(f.apply(done(3, 'Baguette', 40, 1)), 'duplicate');
  assert.equal(f.apply(done(2, 'Old', 30, 0)), 'duplicate');
  assert.equal(f.apply(done(5, 'Pan', 80, 3)), 'gap');
  const s = f.view();
  assert.equal(s.seq, 3);
  assert.equal(s.products.length, 1);
  assert.equal(s.progress, 40);
});

test('progress never decreases, even if a message says so', () => {
  const f = new TrainingFold();
  f.apply(snapshot(0, { progress: 50 }));
  f.apply({ type: 'progress', seq: 1, data: { progress: 20, current_step: 'Data Analysis' } });
  assert.equal(f.view().progress, 50);
  assert.equal(f.view().currentStep, 'Data Analysis');
});

test('an older snapshot (lagging replica) does not roll the state back', () => {
  const f = new TrainingFold();
  f.apply(snapshot(4, { progress: 60, products_completed: 2 }));
  assert.equal(f.apply(snapshot(2, { progress: 40 })), 'duplicate');
  assert.equal(f.view().seq, 4);
  assert.equal(f.view().progress, 60);
});

test('completed sets 100 and the summary; nothing after the end reopens the job', () => {
  const f = new TrainingFold();
  f.apply(snapshot(0));
  f.apply({ type: 'completed', seq: 1,
    data: { progress: 100, successful_trainings: 3, failed_trainings: 0, total_duration: 1.5 } });
  f.apply({ type: 'progress', seq: 2, data: { progress: 20 } });
  const s = f.view();
  assert.equal(s.status, 'completed');
  assert.equal(s.progress, 100);
  assert.deepEqual({ ...s.summary }, { successfulTrainings: 3, failedTrainings: 0, totalDurationSeconds: 1.5 });
});

test('failed keeps the server reason; a cancelled job is "cancelled"', () => {
  const f = new TrainingFold();
  f.apply(snapshot(0));
  f.apply({ type: 'failed', seq: 1, data: { progress: 20, error: 'interrupted by restart' } });
  assert.equal(f.view().status, 'failed');
  assert.equal(f.view().error, 'interrupted by restart');
  const c = new TrainingFold();
  c.apply(snapshot(0));
  c.apply({ type: 'failed', seq: 1, data: { reason: 'cancelled', error: 'cancelled by a user' } });
  assert.equal(c.view().status, 'cancelled');
});

test('malformed messages are reported and change nothing', () => {
  const f = new TrainingFold();
  assert.equal(f.apply(null), 'malformed');
  assert.equal(f.apply({ seq: 1 }), 'malformed');
  assert.equal(f.apply(done(1, 'x', 30, 1)), 'malformed'); // before any snapshot
  f.apply(snapshot(0));
  assert.equal(f.apply({ type: 'progress', seq: 'one', data: {} }), 'malformed');
  assert.equal(f.apply({ type: 'progress', seq: 1 }), 'malformed');
  assert.equal(f.apply({ type: 'pong' }), 'ignored');
  assert.equal(f.view().seq, 0);
});

test('close policy, messages, backoff and URLs', () => {
  assert.equal(closeAction(1000), 'finish');
  for (const c of [4001, 4003, 4004]) assert.equal(closeAction(c), 'stop');
  for (const c of [1001, 1006, 1008, 1011, 1012, 4029]) assert.equal(closeAction(c), 'reconnect');
  assert.match(describeClose(4001, 'token expired at 2026-01-01T00:00:00Z'), /expired/);
  assert.match(describeClose(4003), /access to this bakery/);
  const cfg = { initialBackoffMs: 100, maxBackoffMs: 1000 };
  assert.equal(backoffDelay(0, cfg, () => 0), 50);
  assert.equal(backoffDelay(3, cfg, () => 1), 800);
  assert.equal(backoffDelay(20, cfg, () => 1), 1000);
  assert.equal(liveUrl('https://x.example/base/', 'a b', 'j', 't=1'),
    'wss://x.example/base/api/v1/tenants/a%20b/training/jobs/j/live?token=t%3D1');
});

test('a resumed "connected" at the folded seq keeps the state; the events after it apply', () => {
  const f = new TrainingFold('t1', 'j1');
  f.apply(snapshot(2));
  f.apply(done(3, 'Baguette', 40, 1));
  const before = f.view();
  const resumed = { type: 'connected', seq: 3, job_id: 'j1', tenant_id: 't1', timestamp: 'later', data: { resumed: true } };
  assert.equal(f.apply(resumed), 'resumed');
  assert.deepEqual(f.view(), before, 'nothing in the state changed');
  assert.equal(f.apply(done(4, 'Croissant', 60, 2)), 'applied');
  assert.deepEqual(f.view().products.map((p) => p.name), ['Baguette', 'Croissant']);
  assert.equal(f.view().seq, 4);
});

test('a resumed "connected" that does not line up is a gap and changes nothing', () => {
  const f = new TrainingFold();
  // Nothing folded yet: there is nothing to resume.
  assert.equal(f.apply({ type: 'connected', seq: 3, data: { resumed: true } }), 'gap');
  assert.equal(f.view().hasSnapshot, false);
  f.apply(snapshot(2));
  f.apply(done(3, 'Baguette', 40, 1));
  const before = f.view();
  for (const seq of [2, 4, 9]) assert.equal(f.apply({ type: 'connected', seq, data: { resumed: true } }), 'gap');
  assert.deepEqual(f.view(), before);
  assert.equal(f.apply({ type: 'connected', seq: 'x', data: { resumed: true } }), 'malformed');
  // Not resumed and no snapshot: not a message of the contract.
  assert.equal(f.apply({ type: 'connected', seq: 3, data: { resumed: false } }), 'malformed');
});

test('a "connected" with a snapshot is a snapshot, whatever "resumed" says', () => {
  const f = new TrainingFold();
  f.apply(snapshot(2));
  const msg = snapshot(5, { progress: 80, products_completed: 2 });
  msg.data.resumed = true;
  assert.equal(f.apply(msg), 'applied');
  assert.equal(f.view().seq, 5);
  assert.equal(f.view().progress, 80);
  const fresh = snapshot(6, { progress: 90 });
  fresh.data.resumed = false;
  assert.equal(f.apply(fresh), 'applied');
  assert.equal(f.view().seq, 6);
});

test('live URLs: since only when > 0, http(s) for an event stream', () => {
  assert.equal(liveUrl('http://h:1', 't', 'j', 'k', { since: 7 }), 'ws://h:1/api/v1/tenants/t/training/jobs/j/live?token=k&since=7');
  assert.equal(liveUrl('https://h', 't', 'j', 'k', { since: 7, sse: true }), 'https://h/api/v1/tenants/t/training/jobs/j/live?token=k&since=7');
  for (const since of [0, -1, 1.5, undefined, Number.NaN]) {
    assert.equal(liveUrl('http://h', 't', 'j', 'k', { since, sse: true }), 'http://h/api/v1/tenants/t/training/jobs/j/live?token=k');
  }
});
