// Crafted issue-15 message streams for the client tests: a whole job at full rate (every key of
// the contract in /docs/live-protocol.md: elapsed_s, eta_s, in_flight, summary, report,
// duration_ms, eta_error), and the same stream as a `max_rate` watcher gets it, coalesced the way
// the contract says (successful products folded into progress_summary, milestones as they are, a
// pending summary right before a milestone), with the cut points chosen by the caller.

const STATE_KEYS = ['progress', 'products_completed', 'total_products', 'current_step', 'step_details',
  'elapsed_s', 'eta_s', 'in_flight', 'summary'];

// Seeded draws, so a failing property case can be replayed by its seed: the chaos run's PRNG.
export { rng as prng } from '../../../bench/chaos/plan.mjs';

export const REPORT = {
  products: 6, days: 730, first_date: '2024-01-01', last_date: '2025-12-31',
  rows_per_product: { min: 40, median: 730, max: 730 },
  products_with_gaps: 1, missing_days: 7, gaps: [{ product_name: 'Rye', missing_days: 7 }],
  negative_values: 0, unknown_values: 3,
  short_history: ['New Cake'], short_history_count: 1,
  stale: [{ product_name: 'Stollen', last_sale: '2025-01-06' }], stale_count: 1,
  closed_days: ['2025-12-25'], sold_out_days: [{ product_name: 'Baguette', date: '2025-06-03' }],
  closed_days_count: 1, sold_out_days_count: 1, duplicates_replaced: 4,
};

const envelope = (type, seq, data, job = 'j1') => ({
  type, job_id: job, tenant_id: 't1', seq, timestamp: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000000Z`, data,
});

/**
 * Every event of one job: started (seq 1), the analysis with its report (2), one product_completed
 * per name (`failed` names fail), completed. Two products are "in flight" at each step.
 */
export function fullRun(names = ['Baguette', 'Rye', 'Croissant', 'New Cake', 'Stollen', 'Pan'], { failed = ['Stollen'] } = {}) {
  const total = names.length;
  const events = [];
  let seq = 0;
  const base = (elapsed, eta, inFlight) => ({ elapsed_s: elapsed, eta_s: eta, in_flight: inFlight, total_products: total });
  events.push(envelope('started', ++seq, { ...base(0, null, []), progress: 0, current_step: 'Starting',
    products_completed: 0, step_details: 'Job started' }));
  events.push(envelope('progress', ++seq, { ...base(0.4, null, []), progress: 20, current_step: 'Data Analysis',
    products_completed: 0, step_details: 'Analysed 6 products', report: REPORT }));
  const done = [];
  names.forEach((name, i) => {
    const ok = !failed.includes(name);
    const mase = ok ? Math.round((0.5 + ((i * 37) % 11) / 10) * 1e4) / 1e4 : null;
    done.push({ name, ok, mase, fallback: ok && i % 3 === 2 });
    const scored = done.filter((d) => d.mase !== null).sort((a, b) => b.mase - a.mase);
    const sorted = scored.map((d) => d.mase).sort((a, b) => a - b);
    const summary = {
      median_mase: sorted.length ? sorted[Math.floor(sorted.length / 2)] : null,
      mean_mape: sorted.length ? 8 + i : null,
      fallbacks: done.filter((d) => d.fallback).length,
      failed: done.filter((d) => !d.ok).length,
      worst: scored.slice(0, 5).map((d) => ({ product_name: d.name, mase: d.mase })),
    };
    const completed = i + 1;
    const product = ok
      ? { product_name: name, status: 'succeeded', model: 'additive', fallback: i % 3 === 2,
        ...(i % 3 === 2 ? { fallback_reason: 'seasonal naive won on the hold-out' } : {}),
        metrics: { mae: 1 + i, rmse: 2 + i, mape: 8 + i, smape: 7 + i, mase }, fit_ms: 12.5 + i, duration_ms: 13 + i }
      : { product_name: name, status: 'failed', model: null, fallback: false, error: 'too few rows',
        metrics: { mae: null, rmse: null, mape: null, smape: null, mase: null }, fit_ms: 1, duration_ms: 1 };
    events.push(envelope('product_completed', ++seq, {
      ...base(1 + i, Math.max(0, (total - completed) * 1.5), names.slice(completed, completed + 2)),
      ...product, products_completed: completed, progress: 20 + Math.floor((completed * 60) / total),
      current_step: 'Model Training', step_details: `Completed training for ${name} (${completed}/${total})`, summary,
    }));
  });
  const last = events.at(-1).data.summary;
  events.push(envelope('completed', ++seq, {
    ...base(total + 1, 0, []), progress: 100, current_step: 'Completed', products_completed: total,
    step_details: 'Training completed', successful_trainings: total - failed.length, failed_trainings: failed.length,
    total_duration: total + 1, summary: last,
    eta_error: [{ at_percent: 50, products_completed: total / 2, eta_s: 4.5, actual_s: 4, error_s: 0.5, error_pct: 12.5 }],
  }));
  return events;
}

const foldable = (m) => m.type === 'product_completed' && m.data.status === 'succeeded';

/**
 * The stream a max_rate watcher gets: `cut(i)` says whether a pending summary goes out after the
 * i-th foldable event (the pacing timer); a milestone always flushes what is pending first.
 */
export function coalesce(events, cut) {
  const out = [];
  let pending = null;
  let foldedCount = 0;
  const flush = () => {
    if (!pending) return;
    out.push(envelope('progress_summary', pending.seq, { ...pending.state, products: pending.products }));
    pending = null;
  };
  for (const m of events) {
    if (!foldable(m)) {
      flush();
      out.push(m);
      continue;
    }
    pending ??= { state: {}, products: [], seq: 0 };
    const product = {};
    for (const [k, v] of Object.entries(m.data)) {
      if (STATE_KEYS.includes(k)) pending.state[k] = v;
      else product[k] = v;
    }
    pending.products.push(product);
    pending.seq = m.seq;
    if (cut(foldedCount++)) flush();
  }
  flush();
  return out;
}

/** The `connected` a watcher gets first: the job as of `seq` (0: before `started`). */
export function connectedAt(events, seq, { watchers = 1, status } = {}) {
  const upTo = events.filter((m) => m.seq <= seq);
  const last = upTo.at(-1)?.data ?? {};
  const report = upTo.find((m) => m.data.report)?.data.report ?? null;
  const products = upTo.filter((m) => m.type === 'product_completed').map((m) => {
    const p = {};
    for (const [k, v] of Object.entries(m.data)) if (!STATE_KEYS.includes(k)) p[k] = v;
    return p;
  });
  const ended = upTo.at(-1)?.type === 'completed';
  return envelope('connected', seq, {
    resumed: false, watchers,
    snapshot: {
      job_id: 'j1', tenant_id: 't1', status: status ?? (ended ? 'completed' : seq === 0 ? 'pending' : 'running'), seq,
      progress: last.progress ?? 0, total_products: last.total_products ?? 0, products_completed: last.products_completed ?? 0,
      current_step: last.current_step ?? '', products, elapsed_s: last.elapsed_s ?? null, eta_s: last.eta_s ?? null,
      in_flight: last.in_flight ?? [], summary: [...upTo].reverse().find((m) => m.data.summary)?.data.summary ?? null,
      report, watchers, started_at: '2026-01-01T00:00:00Z', finished_at: ended ? '2026-01-01T00:00:07Z' : null,
    },
  });
}
