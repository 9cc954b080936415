// bench/chaos-run: the scaled-out shape under a seeded schedule of faults, then the checks of
// issue 13 ("Faults cost nothing"). Prints one JSON summary; exits 1 with the seed when a check
// fails. See `bench/chaos-run --help`.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster } from './cluster.mjs';
import { check } from './checks.mjs';
import { makePlan } from './plan.mjs';
import { Procs, run, sleep } from './procs.mjs';
import { http, retrying } from './store.mjs';
import { Watcher, newCounters } from './watchers.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const HELP = `Usage: bench/chaos-run [--seed N] [--duration S] [--jobs N] [--watchers N]
                       [--lease-ms MS] [--levain BINARY] [--out DIR]
A private RabbitMQ and PostgreSQL, 3 training replicas and 2 gateways on loopback; 5 tenants
upload sales, then for S seconds jobs start and watchers follow them over WebSocket through
both gateways (a third of them drop and come back), while a schedule drawn from the seed
injects kill -9 of a replica (restarted), SIGSTOP/SIGCONT of a replica for 5 s, a broker
restart, a PostgreSQL restart (pg_ctl restart -m fast) and a gateway restart: each kind once
per minute of run, at least once. After the last job ended it checks that every job is
terminal in the store with a reason a person can act on, that every watcher ended at exactly
the store's final state (status, progress, seq, products) with no gap or duplicate, that no
sales row was lost, that nothing crashed and no sanitizer spoke, and that every job a killed
replica held was taken over within the lease time. Prints one JSON summary; a failure prints
its seed, so that \`--seed N\` repeats the same schedule. Stops everything it started, by PID.
  --seed N        schedule seed (default: drawn, and printed)
  --duration S    seconds of faults and new jobs (default 60); the drain comes after
  --jobs N        jobs started (default 30), over 5 tenants
  --watchers N    WebSocket watchers (default 300), spread over the jobs and both gateways
  --lease-ms MS   the replicas' --job-lease-ms (default 4000: shorter than the 5 s
                  SIGSTOP, so a stalled replica's jobs are taken over while it sleeps)
  --levain PATH   the binary (default build/asan/levain: sanitizer reports are checked)
  --out DIR       logs and data (default: a new /tmp/levain-chaos-XXXXXX, kept); an empty
                  directory, or one a chaos run used before (then emptied first)`;

function parseArgs(argv) {
  const o = { seed: crypto.randomInt(1, 2 ** 31), duration: 60, jobs: 30, watchers: 300,
    leaseMs: 4000, levain: path.join(repo, 'build/asan/levain'), out: '' };
  const ints = { '--seed': 'seed', '--duration': 'duration', '--jobs': 'jobs', '--watchers': 'watchers', '--lease-ms': 'leaseMs' };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      console.log(HELP);
      process.exit(0);
    }
    const v = argv[i + 1];
    if (a in ints) {
      if (!/^[0-9]+$/.test(v ?? '') || Number(v) < 1) usage(`${a} takes a positive whole number`);
      o[ints[a]] = Number(v);
    } else if (a === '--levain' || a === '--out') {
      if (!v) usage(`${a} needs a path`);
      o[a.slice(2)] = path.resolve(v);
    } else {
      usage(`unknown argument ${a}`);
    }
    i += 1;
  }
  if (o.duration < 20) usage('--duration is at least 20 (every fault kind needs its slot)');
  if (o.leaseMs < 300) usage('--lease-ms is at least 300');
  return o;
}

function usage(why) {
  console.error(`chaos-run: ${why} (see --help)`);
  process.exit(2);
}

const TENANTS = 5;
const PRODUCTS = 20; // per tenant
const DAYS = 2 * 365;

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(o.levain)) usage(`no binary at ${o.levain} (cmake --build --preset asan --target levain)`);
  const out = o.out || fs.mkdtempSync(path.join(os.tmpdir(), 'levain-chaos-'));
  // A reused --out starts empty: an old database would add its jobs to this run's checks.
  const marker = path.join(out, 'chaos-run.marker');
  if (fs.existsSync(marker)) fs.rmSync(out, { recursive: true, force: true });
  else if (fs.existsSync(out) && fs.readdirSync(out).length) usage(`--out ${out} is not empty`);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(marker, 'a chaos run\'s logs and data: the next run with this --out deletes them\n');
  fs.chmodSync(out, 0o755); // PostgreSQL runs as `postgres` when we are root
  const began = Date.now();
  const say = (m) => console.error(`chaos-run [${((Date.now() - began) / 1000).toFixed(1)} s]: ${m}`);
  say(`seed ${o.seed}, ${o.jobs} jobs, ${o.watchers} watchers, ${o.duration} s, logs in ${out}`);

  const procs = new Procs(o.levain, out);
  const bail = (code) => {
    procs.stopAllSync();
    console.error(`chaos-run: stopped (seed ${o.seed}; logs in ${out})`);
    process.exit(code);
  };
  process.on('SIGINT', () => bail(130));
  process.on('SIGTERM', () => bail(143));

  const secret = crypto.randomBytes(16).toString('hex');
  const cluster = new Cluster({ procs, repo, out, leaseMs: o.leaseMs, replicas: 3, gateways: 2, secret });
  const ctx = { o, out, cluster, procs, jobs: [], watchers: [], counters: newCounters(), tenants: [] };
  ctx.rowCounts = () => rowCounts(ctx);
  // Whatever ends this process early (an exception nobody caught), nothing it started stays.
  process.on('exit', () => { if (!procs.finished) procs.stopAllSync(); });
  let failures = [];
  try {
    await cluster.start();
    say(`cluster up: replicas ${cluster.replicas.map((r) => r.port)}, gateways ${cluster.gateways.map((g) => g.port)}`);
    await prepareTenants(ctx);
    ctx.rowsBefore = await rowCounts(ctx);
    await chaos(ctx, say);
    say('drained; checking');
    failures = await check(ctx);
  } catch (e) {
    failures.push(`the run itself failed: ${e.stack ?? e}`);
  }
  for (const w of ctx.watchers) w.abandon();
  say('stopping everything');
  await Promise.all(procs.all.map((p) => procs.stop(p)));
  for (const [script, dir] of procs.instances) await run(script, ['stop', dir]).catch(() => {});
  procs.finished = true;
  failures.push(...finalChecks(procs));
  const summary = summarise(ctx, failures, (Date.now() - began) / 1000);
  console.log(JSON.stringify(summary, null, 2));
  fs.writeFileSync(path.join(out, 'summary.json'), JSON.stringify(summary, null, 2));
  if (failures.length) {
    console.error(`chaos-run: FAILED with seed ${o.seed}; repeat with: bench/chaos-run --seed ${o.seed} ` +
      `--duration ${o.duration} --jobs ${o.jobs} --watchers ${o.watchers} (logs in ${out})`);
    for (const f of failures) console.error(`  - ${f}`);
    process.exit(1);
  }
  say(`ok (seed ${o.seed})`);
  process.exit(0); // the drain's timer and idle keep-alive sockets would hold the loop open
}

async function prepareTenants(ctx) {
  const { cluster, o, out } = ctx;
  for (let t = 0; t < TENANTS; t += 1) {
    const id = `chaos-bakery-${t + 1}`;
    const token = (await run(o.levain, ['token', '--secret', cluster.secret, '--tenant', id,
      '--role', 'trainer', '--ttl', '6h'])).trim();
    const csv = await run(o.levain, ['demo-data', '--products', String(PRODUCTS), '--days',
      String(DAYS), '--seed', String(o.seed + t)]);
    fs.writeFileSync(path.join(out, `${id}.csv`), csv);
    const products = [...new Set(csv.split('\n').slice(1).filter(Boolean).map((l) => l.split(',')[1]))];
    const tenant = { id, token, csv, products, uploads: [] };
    ctx.tenants.push(tenant);
    const r = await upload(ctx, tenant);
    if (r.status !== 200 || r.json?.rejected !== 0) throw new Error(`upload for ${id}: ${r.status} ${r.text}`);
    tenant.accepted = r.json.accepted;
  }
}

function upload(ctx, tenant) {
  return retrying('POST', () => ctx.cluster.httpUrls().map((u) => `${u}/api/v1/tenants/${tenant.id}/sales`),
    { token: tenant.token, body: tenant.csv, timeoutMs: 30000 });
}

/** Rows per tenant, as the API reports them and as PostgreSQL counts them. */
async function rowCounts(ctx) {
  const api = {};
  for (const t of ctx.tenants) {
    const r = await retrying('GET', () => ctx.cluster.httpUrls().map((u) => `${u}/api/v1/tenants/${t.id}/sales`),
      { token: t.token });
    api[t.id] = r.json?.rows;
  }
  return { api, sql: await ctx.cluster.db.salesRows() };
}

const until = (t) => sleep(Math.max(0, t - Date.now()));

async function chaos(ctx, say) {
  const { o, cluster } = ctx;
  const plan = makePlan({ seed: o.seed, durationMs: o.duration * 1000, jobs: o.jobs,
    watchers: o.watchers, tenants: TENANTS, productsPerTenant: PRODUCTS, productsPerJob: [4, 12],
    replicas: cluster.replicas.length, gateways: cluster.gateways.length });
  ctx.plan = plan;
  const t0 = Date.now();
  ctx.t0 = t0;
  const byJob = new Map();
  for (const w of plan.watchers) byJob.set(w.job, [...(byJob.get(w.job) ?? []), w]);

  const jobs = (async () => {
    for (const spec of plan.jobs) {
      await until(t0 + spec.at);
      const job = await startJob(ctx, spec);
      ctx.jobs.push(job);
      for (const w of byJob.get(spec.index) ?? []) {
        const watcher = new Watcher(w, job, () => cluster.wsUrls(), ctx.counters);
        ctx.watchers.push(watcher);
        watcher.start();
      }
    }
  })();
  // One fault at a time, except that a broker restart (10-25 s on a loaded machine) goes on
  // while the next faults come: nothing a kill's takeover needs goes through the broker.
  const faults = (async () => {
    let broker = Promise.resolve();
    for (const f of plan.faults) {
      await until(t0 + f.at);
      say(`fault: ${f.kind}${f.replica !== undefined ? ` replica-${f.replica}` : ''}${f.gateway !== undefined ? ` gateway-${f.gateway}` : ''}`);
      if (f.kind === 'broker_restart') {
        await broker;
        broker = cluster.inject(f, t0);
      } else {
        await cluster.inject(f, t0);
      }
    }
    await broker;
  })();
  const uploads = (async () => {
    for (const u of plan.uploads) {
      await until(t0 + u.at);
      const tenant = ctx.tenants[u.tenant];
      const r = await upload(ctx, tenant);
      tenant.uploads.push({ status: r.status, attempts: r.attempts, accepted: r.json?.accepted });
    }
  })();
  await Promise.all([jobs, faults, uploads]);
  await until(t0 + o.duration * 1000);
  say(`chaos over: ${ctx.jobs.length} jobs, ${ctx.watchers.length} watchers; draining`);
  // The drain: every watcher to its job's end. Generous: a job started last waits in a queue.
  const drainMs = Math.max(120000, o.duration * 1000);
  await Promise.race([Promise.all(ctx.watchers.map((w) => w.done)), sleep(drainMs)]);
  // Jobs nobody watches (a POST that timed out may still have made one) end in the store too.
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline && (await cluster.db.unfinished()).length) await sleep(500);
}

/** A job straight to its planned replica while it is up (else another), or via a gateway. */
async function startJob(ctx, spec) {
  const { cluster } = ctx;
  const tenant = ctx.tenants[spec.tenant];
  const products = Array.from({ length: spec.products },
    (_, k) => tenant.products[(spec.firstProduct + k) % tenant.products.length]);
  const urls = () => {
    if (spec.via.gateway !== undefined) return cluster.httpUrls().slice(spec.via.gateway).concat(cluster.httpUrls());
    const up = cluster.replicas.filter((r) => r.state === 'up').map((r) => r.index);
    const order = up.includes(spec.via.replica) ? [spec.via.replica, ...up] : up;
    return order.length ? order.map((i) => cluster.replicaUrl(i)) : cluster.httpUrls();
  };
  const path_ = `/api/v1/tenants/${tenant.id}/training/jobs`;
  const r = await retrying('POST', () => urls().map((u) => u + path_), { token: tenant.token, body: { products, allow_concurrent: true } });
  if (r.status !== 202 || !r.json?.job_id) throw new Error(`starting a job for ${tenant.id}: ${r.status} ${r.text}`);
  return { id: r.json.job_id, tenant: tenant.id, token: tenant.token, products, attempts: r.attempts };
}

function finalChecks(procs) {
  const failures = [];
  for (const c of procs.crashes) {
    failures.push(`${c.name} (pid ${c.pid}) exited ${c.when} with code ${c.code}, signal ${c.signal}:\n${c.log}`);
  }
  for (const s of procs.sanitizerReports()) failures.push(`sanitizer report in ${s.file}:\n${s.lines.join('\n')}`);
  return failures;
}

function summarise(ctx, failures, wall) {
  const faults = {};
  for (const f of ctx.cluster.log) faults[f.kind] = (faults[f.kind] ?? 0) + 1;
  const r = ctx.result ?? {};
  return {
    ok: failures.length === 0,
    seed: ctx.o.seed,
    duration_s: ctx.o.duration,
    wall_s: Math.round(wall * 10) / 10,
    jobs: r.jobs ?? { started: ctx.jobs.length },
    watchers: r.watchers ?? { count: ctx.watchers.length },
    faults_injected: faults,
    fault_log: ctx.cluster.log,
    jobs_recovered: r.recovered ?? {},
    rows: r.rows ?? {},
    lost_rows: r.rows?.lost ?? null,
    events: {
      received: ctx.counters.events,
      snapshots: ctx.counters.snapshots,
      lost: ctx.counters.lost,
      duplicated: ctx.counters.duplicated,
      stale_snapshots: ctx.counters.stale_snapshots,
      malformed: ctx.counters.malformed,
    },
    failures: failures.map((f) => f.split('\n')[0]),
  };
}

main().catch((e) => {
  console.error(`chaos-run: ${e.stack ?? e}`);
  process.exit(1);
});
