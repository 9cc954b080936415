// The issue-15 parts of a job's state, read from the wire (docs/live-protocol.md: "ETA",
// "Running accuracy", "The data report") into frozen camelCase objects. Whatever is missing or of
// the wrong type becomes null (a number), 0 (a count) or [] (a list), never an exception: a
// newer or older server must not break the view.

/** A finite number (at least `min` when given), else undefined. */
export function num(value, min = -Infinity) {
  return Number.isFinite(value) && value >= min ? value : undefined;
}

function count(value) {
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

function text(value) {
  return typeof value === 'string' ? value : '';
}

function objects(list, map) {
  return Object.freeze(Array.isArray(list)
    ? list.filter((x) => x !== null && typeof x === 'object').map((x) => Object.freeze(map(x)))
    : []);
}

/** `summary` of product_completed / progress_summary / completed / the snapshot; null stays null. */
export function normaliseAccuracy(s) {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return null;
  return Object.freeze({
    medianMase: num(s.median_mase) ?? null,
    meanMape: num(s.mean_mape) ?? null,
    fallbacks: count(s.fallbacks),
    failed: count(s.failed),
    worst: objects(s.worst, (w) => ({ name: text(w.product_name), mase: num(w.mase) ?? null })),
  });
}

/** `completed.data.eta_error`: one entry per checkpoint (10, 25, 50, 75 % of the products). */
export function normaliseEtaError(list) {
  if (!Array.isArray(list)) return null;
  return objects(list, (e) => ({
    atPercent: num(e.at_percent) ?? null,
    productsCompleted: count(e.products_completed),
    etaSeconds: num(e.eta_s) ?? null,
    actualSeconds: num(e.actual_s) ?? null,
    errorSeconds: num(e.error_s) ?? null,
    errorPercent: num(e.error_pct) ?? null,
  }));
}

/** The Data Analysis `progress` event's (and the snapshot's) `report`. */
export function normaliseReport(r) {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return null;
  const rows = r.rows_per_product ?? {};
  const shortHistory = Object.freeze(Array.isArray(r.short_history)
    ? r.short_history.filter((n) => typeof n === 'string') : []);
  const closedDays = Object.freeze(Array.isArray(r.closed_days)
    ? r.closed_days.filter((d) => typeof d === 'string') : []);
  const gaps = objects(r.gaps, (g) => ({ name: text(g.product_name), missingDays: count(g.missing_days) }));
  const stale = objects(r.stale, (g) => ({ name: text(g.product_name), lastSale: text(g.last_sale) || null }));
  const soldOutDays = objects(r.sold_out_days, (d) => ({ name: text(d.product_name), date: text(d.date) }));
  // The lists stop at 20; a count the server left out is at least what was listed.
  const total = (key, list) => (Number.isSafeInteger(r[key]) && r[key] >= list.length ? r[key] : list.length);
  return Object.freeze({
    products: count(r.products),
    days: count(r.days),
    firstDate: text(r.first_date) || null,
    lastDate: text(r.last_date) || null,
    rowsPerProduct: Object.freeze({
      min: num(rows.min) ?? null, median: num(rows.median) ?? null, max: num(rows.max) ?? null,
    }),
    productsWithGaps: total('products_with_gaps', gaps),
    missingDays: count(r.missing_days),
    gaps,
    negativeValues: count(r.negative_values),
    unknownValues: count(r.unknown_values),
    shortHistory,
    shortHistoryCount: total('short_history_count', shortHistory),
    stale,
    staleCount: total('stale_count', stale),
    closedDays,
    closedDaysCount: total('closed_days_count', closedDays),
    soldOutDays,
    soldOutDaysCount: total('sold_out_days_count', soldOutDays),
    duplicatesReplaced: count(r.duplicates_replaced),
  });
}
