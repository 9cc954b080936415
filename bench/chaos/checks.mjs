// The assertions of the chaos run, after the drain: about correctness, never about speed (the
// one bound, recovery within the lease, has generous room). Each failure is one line a person
// can start from, with the job, watcher or tenant it concerns.
import { comparable } from './watchers.mjs';
import { retrying } from './store.mjs';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
// What a person reading a failed job can act on: the replica or service that ran it went away
// (train again), it was cancelled, or there was nothing to train on.
const ACTIONABLE = [/^interrupted(:| by)/, /^cancelled/, /upload a CSV/, /^store unavailable, start the job again/];

export async function check(ctx) {
  const failures = [];
  const result = {};
  ctx.result = result;
  const { cluster } = ctx;

  // 1. Every job in the store is terminal; a failed one says why in words a person can use.
  const stored = await cluster.db.allJobs();
  const byStatus = {};
  const reasons = {};
  for (const j of stored) {
    byStatus[j.status] = (byStatus[j.status] ?? 0) + 1;
    if (!TERMINAL.has(j.status)) failures.push(`job ${j.id} (${j.tenant}) is still ${j.status} in the store`);
    // The run cancels nothing: a cancelled job says "cancelled by user" about a fault.
    if (j.status === 'cancelled') failures.push(`job ${j.id} (${j.tenant}) ended cancelled (${JSON.stringify(j.error)}), but nobody cancelled it`);
    if (j.status === 'failed') {
      reasons[j.error] = (reasons[j.error] ?? 0) + 1;
      if (!ACTIONABLE.some((re) => re.test(j.error))) {
        failures.push(`job ${j.id} (${j.tenant}) failed with a reason nobody can act on: ${JSON.stringify(j.error)}`);
      }
    }
  }
  const ids = new Set(stored.map((j) => j.id));
  for (const j of ctx.jobs) if (!ids.has(j.id)) failures.push(`job ${j.id} was accepted (202) but is not in the store`);
  const took = stored.filter((j) => j.startedUs && j.finishedUs)
    .map((j) => (j.finishedUs - j.startedUs) / 1e6).sort((a, b) => a - b);
  result.jobs = { started: ctx.jobs.length, in_store: stored.length, by_status: byStatus, failed_reasons: reasons,
    start_retries: ctx.jobs.reduce((n, j) => n + j.attempts - 1, 0),
    run_s: { p50: round1(took[Math.floor(took.length / 2)]), max: round1(took[took.length - 1]) } };

  // 2. Every watcher ended at exactly the store's final state of its job.
  const finals = new Map();
  for (const j of ctx.jobs) {
    const r = await retrying('GET', () => cluster.httpUrls().map((u) => `${u}/api/v1/tenants/${j.tenant}/training/jobs/${j.id}`),
      { token: j.token });
    if (r.status !== 200) failures.push(`GET job ${j.id}: ${r.status} ${r.text.slice(0, 200)}`);
    else finals.set(j.id, comparable(r.json));
  }
  let agreed = 0;
  let reconnected = 0;
  let mismatched = 0;
  for (const w of ctx.watchers) {
    if (w.connections > 1) reconnected += 1;
    const want = finals.get(w.job.id);
    if (!w.final) {
      mismatched += 1;
      failures.push(`watcher ${w.spec.index} of job ${w.job.id} never saw the job end and a 1000 close ` +
        `(${w.connections} connections${w.problem ? `; ${w.problem}` : ''}; last folded ${JSON.stringify(w.fold && comparable(w.fold.view()))})`);
      continue;
    }
    const got = comparable(w.final);
    if (want && JSON.stringify(got) === JSON.stringify(want)) {
      agreed += 1;
    } else {
      mismatched += 1;
      failures.push(`watcher ${w.spec.index} of job ${w.job.id} ended at ${JSON.stringify(got)}, the store at ${JSON.stringify(want)}`);
    }
    if (w.problem) failures.push(`watcher ${w.spec.index} of job ${w.job.id}: ${w.problem}`);
  }
  const c = ctx.counters;
  for (const k of ['lost', 'duplicated', 'stale_snapshots', 'malformed']) {
    if (c[k]) failures.push(`watchers saw ${c[k]} ${k.replace('_', ' ')} event(s)`);
  }
  result.watchers = { count: ctx.watchers.length, ended_at_store_state: agreed, mismatched,
    reconnected, connections: ctx.watchers.reduce((n, w) => n + w.connections, 0),
    self_disconnects: c.self_disconnects, reconnects_after_server_close: c.reconnects,
    close_codes: c.close_codes };

  // 3. No sales row lost: the same counts per tenant, by the API and by PostgreSQL.
  const after = await ctx.rowCounts();
  const before = ctx.rowsBefore;
  let lost = 0;
  for (const t of ctx.tenants) {
    for (const how of ['api', 'sql']) {
      const b = before[how][t.id];
      const a = after[how][t.id];
      if (b !== t.accepted) failures.push(`${t.id}: ${b} rows (${how}) after the first upload, which accepted ${t.accepted}`);
      if (a !== b) failures.push(`${t.id}: ${b} sales rows (${how}) before the faults, ${a} after`);
      if (how === 'sql') lost += Math.max(0, b - (a ?? 0));
    }
    for (const u of t.uploads) if (u.status !== 200) failures.push(`${t.id}: the upload during the faults ended ${u.status}`);
  }
  result.rows = { before: before.sql, after: after.sql, lost,
    uploads_during_faults: ctx.tenants.reduce((n, t) => n + t.uploads.length, 0) };

  // 4. Every job a killed replica held was taken over within the lease (and a sweep).
  const bound = cluster.recoveryBoundMs();
  let held = 0;
  let recovered = 0;
  let maxMs = 0;
  for (const k of cluster.kills) {
    held += k.held.length;
    for (const id of k.unresolved) failures.push(`job ${id}, held by killed replica-${k.replica}, was never taken over`);
    for (const [id, ms] of k.recoveredMs) {
      maxMs = Math.max(maxMs, ms);
      if (ms <= bound) recovered += 1;
      else failures.push(`job ${id}, held by killed replica-${k.replica}, was taken over after ${ms} ms (bound ${bound} ms)`);
    }
    for (const id of k.held) {
      const j = stored.find((s) => s.id === id);
      if (j && j.status === 'failed' && !/^interrupted/.test(j.error)) {
        failures.push(`job ${id}, held by killed replica-${k.replica}, ended failed but not as interrupted: ${j.error}`);
      }
    }
  }
  result.recovered = { held_by_killed_replicas: held, taken_over_within_bound: recovered,
    max_takeover_ms: maxMs, bound_ms: bound, lease_ms: cluster.leaseMs };
  return failures;
}

function round1(x) {
  return x === undefined ? null : Math.round(x * 10) / 10;
}
