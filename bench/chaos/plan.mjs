// The chaos run's whole schedule as a pure function of its seed: when each job is started and
// for which tenant, when each watcher joins and when it drops its connection, and which fault
// hits what when. Two runs with the same seed and sizes get the same plan (what the processes
// then do with it is up to the scheduler of the machine, which is the point of the run).

export const FAULT_KINDS = ['kill9', 'sigstop', 'broker_restart', 'postgres_restart', 'gateway_restart'];

/** mulberry32: small, fast, and good enough to draw a schedule; returns floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));

function shuffled(r, items) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * o: {seed, durationMs, jobs, watchers, tenants, productsPerTenant, productsPerJob: [lo, hi],
 *     replicas, gateways}. Times are milliseconds from the start of the chaos phase.
 */
export function makePlan(o) {
  const r = rng(o.seed);
  const D = o.durationMs;

  const rounds = Math.max(1, Math.floor(D / 60000));
  const first = 1000;
  const slotMs = (D - first) / (rounds * FAULT_KINDS.length);
  const slots = Array.from({ length: rounds * FAULT_KINDS.length }, (_, i) => first + i * slotMs);

  // Jobs come in waves, one wave at the start of each fault's slot, so that the fault meets
  // jobs running and jobs waiting in the replicas' queues; a third go through a gateway, the
  // rest straight to a replica.
  const jobs = [];
  for (let i = 0; i < o.jobs; i += 1) {
    const wave = i % slots.length;
    jobs.push({
      index: i,
      at: Math.floor(slots[wave] + r() * 0.1 * slotMs),
      tenant: i % o.tenants,
      products: between(r, o.productsPerJob[0], o.productsPerJob[1]),
      firstProduct: Math.floor(r() * o.productsPerTenant),
      via: r() < 1 / 3 ? { gateway: between(r, 0, o.gateways - 1) } : { replica: between(r, 0, o.replicas - 1) },
    });
  }
  jobs.sort((a, b) => a.at - b.at || a.index - b.index);

  // Half join as soon as their job exists, half later (some after it ended: a late joiner gets
  // the final snapshot). A third are flaky: they drop their connection one to three times.
  const watchers = [];
  for (let w = 0; w < o.watchers; w += 1) {
    const drops = [];
    if (r() < 0.35) {
      const n = between(r, 1, 3);
      for (let k = 0; k < n; k += 1) {
        drops.push({ after: between(r, 200, 3000), pause: between(r, 50, 1500), abrupt: r() < 0.5 });
      }
    }
    watchers.push({
      index: w,
      job: w % o.jobs,
      gateway: w % o.gateways,
      joinDelay: r() < 0.5 ? 0 : between(r, 0, 8000),
      drops,
    });
  }

  // Faults: every kind once per minute of run (at least once), in a shuffled order per round,
  // one per slot, a little after its slot's wave of jobs and early enough that its recovery is
  // over before the next slot.
  const faults = [];
  let k = 0;
  for (let round = 0; round < rounds; round += 1) {
    for (const kind of shuffled(r, FAULT_KINDS)) {
      const at = Math.floor(slots[k] + slotMs * (0.1 + 0.2 * r()));
      const f = { at, kind };
      if (kind === 'kill9' || kind === 'sigstop') f.replica = between(r, 0, o.replicas - 1);
      if (kind === 'kill9') f.downMs = between(r, 300, 3000);
      if (kind === 'sigstop') f.downMs = 5000;
      if (kind === 'gateway_restart') f.gateway = between(r, 0, o.gateways - 1);
      faults.push(f);
      k += 1;
    }
  }

  // Each tenant uploads its sales once more during the faults: an upsert of the same rows, so
  // the counts must not move, whatever the upload met.
  const uploads = [];
  for (let t = 0; t < o.tenants; t += 1) uploads.push({ tenant: t, at: Math.floor(r() * 0.8 * D) });
  uploads.sort((a, b) => a.at - b.at);

  return { jobs, watchers, faults, uploads };
}
