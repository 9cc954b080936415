// Small REST helpers over fetch (DESIGN.md §2 paths). Each resolves with the server's JSON body
// and rejects with a LevainError whose `kind` says what went wrong.

import { LevainError, kindFor } from './messages.js';
import { apiUrl, tenantPath } from './urls.js';

const DEFAULT_TIMEOUT_MS = 60_000;

function need(options, name, fn) {
  const v = options?.[name];
  if (typeof v !== 'string' || v === '') {
    throw new TypeError(`${fn}: option "${name}" must be a non-empty string`);
  }
  return v;
}

async function send(options, fn, method, path, { query, body, contentType, accept = 'application/json' } = {}) {
  const token = need(options, 'token', fn);
  const tenantId = options.tenantId ?? '';
  const doFetch = options.fetch ?? globalThis.fetch;
  const url = apiUrl(options.baseUrl, path, query);
  const headers = { Authorization: `Bearer ${token}`, Accept: accept };
  if (contentType) headers['Content-Type'] = contentType;
  let res;
  try {
    res = await doFetch(url, {
      method,
      headers,
      body,
      signal: options.signal ?? AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (e) {
    const why = e?.name === 'TimeoutError' ? 'no answer in time' : (e?.cause?.code ?? e?.message ?? 'network error');
    throw new LevainError({ kind: 'unreachable', message: `${new URL(url).origin}: ${why}`, tenantId });
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // a CSV answer, or a proxy's HTML error page: the latter is reported below with the status
  }
  if (res.ok) return { res, text, json, tenantId };
  const code = json?.error?.code ?? '';
  const message = json?.error?.message ?? `HTTP ${res.status} ${res.statusText}`.trim();
  // A gateway that cannot reach any upstream answers 502/503/504: to a person that is "unreachable".
  const kind = [502, 503, 504].includes(res.status) && !code ? 'unreachable' : kindFor(res.status, code, message);
  throw new LevainError({ kind, status: res.status, code, message, body: json, tenantId });
}

async function call(options, fn, method, path, request = {}) {
  const { res, json, tenantId } = await send(options, fn, method, path, request);
  if (json === null) {
    throw new LevainError({ kind: 'protocol', status: res.status, message: 'the answer is not JSON', tenantId });
  }
  return json;
}

/** The same request with `Accept: text/csv`: resolves {csv, disposition} (the Content-Disposition, or ''). */
async function callCsv(options, fn, method, path, request = {}) {
  const { res, text, tenantId } = await send(options, fn, method, path, { ...request, accept: 'text/csv' });
  // A server that does not know the Accept answers JSON: saved as a .csv it would mislead.
  if (!/^text\/csv\b/i.test(res.headers.get('content-type') ?? '')) {
    throw new LevainError({ kind: 'protocol', status: res.status, message: 'the answer is not CSV', tenantId });
  }
  return { csv: text, disposition: res.headers.get('content-disposition') ?? '' };
}

/**
 * The file name a Content-Disposition header gives (`filename*=UTF-8''…` before `filename=`),
 * without any folder part; '' when it names none.
 */
export function dispositionFilename(header) {
  const text = String(header ?? '');
  let name = '';
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(text);
  if (extended) {
    try {
      name = decodeURIComponent(extended[1].trim());
    } catch {
      name = '';
    }
  }
  if (!name) {
    const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(text);
    if (plain) name = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : plain[2];
  }
  return name.split(/[\\/]/).pop().trim();
}

/** POST …/sales with a CSV body (string, Blob or bytes). Resolves {accepted, rejected, errors, …}. */
export function uploadSales(options) {
  const tenantId = need(options, 'tenantId', 'uploadSales');
  if (options.csv === undefined || options.csv === null) {
    throw new TypeError('uploadSales: option "csv" is required');
  }
  return call(options, 'uploadSales', 'POST', `${tenantPath(tenantId)}/sales`, {
    body: options.csv,
    contentType: 'text/csv',
  });
}

/**
 * POST …/training/jobs. Resolves {job_id, status, live_url}. `products` is a list of names, or
 * 'drifted': the server retrains the products its accuracy report flags (kind 'invalid', code
 * 'no_drifted_products' when none has drifted). While a job of the bakery
 * is pending or running the server refuses with 409: a LevainError of kind 'conflict', code
 * 'job_running', whose `runningJobId` is that job; `allowConcurrent: true` starts one anyway.
 */
export function startTraining(options) {
  const tenantId = need(options, 'tenantId', 'startTraining');
  const request = {};
  const { products } = options;
  if (products !== undefined) {
    // A lone product name would reach the server as a string it reads as a selector, not a name.
    if (!Array.isArray(products) && products !== 'drifted') {
      throw new TypeError('startTraining: option "products" must be a list of product names or "drifted"');
    }
    request.products = products;
  }
  if (options.horizonDays !== undefined) request.horizon_days = options.horizonDays;
  if (options.allowConcurrent !== undefined) {
    if (typeof options.allowConcurrent !== 'boolean') {
      throw new TypeError('startTraining: option "allowConcurrent" must be true or false');
    }
    if (options.allowConcurrent) request.allow_concurrent = true;
  }
  return call(options, 'startTraining', 'POST', `${tenantPath(tenantId)}/training/jobs`, {
    body: JSON.stringify(request),
    contentType: 'application/json',
  });
}

/** GET …/training/jobs. Resolves the jobs, newest first. */
export async function listJobs(options) {
  const tenantId = need(options, 'tenantId', 'listJobs');
  const body = await call(options, 'listJobs', 'GET', `${tenantPath(tenantId)}/training/jobs`, {
    query: { limit: options.limit },
  });
  return Array.isArray(body.jobs) ? body.jobs : [];
}

/** GET …/training/jobs/{jobId}: the job as the snapshot shows it. */
export function getJob(options) {
  const tenantId = need(options, 'tenantId', 'getJob');
  const jobId = need(options, 'jobId', 'getJob');
  return call(options, 'getJob', 'GET', `${tenantPath(tenantId)}/training/jobs/${encodeURIComponent(jobId)}`);
}

/** POST …/training/jobs/{jobId}/cancel. */
export function cancelJob(options) {
  const tenantId = need(options, 'tenantId', 'cancelJob');
  const jobId = need(options, 'jobId', 'cancelJob');
  return call(options, 'cancelJob', 'POST',
    `${tenantPath(tenantId)}/training/jobs/${encodeURIComponent(jobId)}/cancel`);
}

/**
 * GET …/forecasts?product=&days=. Resolves {product, model, fallback, metrics, points: [...]}.
 * `explain: true` asks for each day's `components` (a server older than issue 17 sends none).
 */
export function getForecasts(options) {
  const tenantId = need(options, 'tenantId', 'getForecasts');
  const product = need(options, 'product', 'getForecasts');
  if (options.explain !== undefined && typeof options.explain !== 'boolean') {
    throw new TypeError('getForecasts: option "explain" must be true or false');
  }
  return call(options, 'getForecasts', 'GET', `${tenantPath(tenantId)}/forecasts`, {
    query: { product, days: options.days, explain: options.explain ? 1 : undefined },
  });
}

/**
 * GET …/accuracy?days=: the served forecasts checked against the sales that arrived for their days
 * (the last `days` days of sales, 14 to 400, the server's default 28), per product and overall, at
 * 1, 7 and 14 days ahead, with the products whose recent error `drifted` past their hold-out
 * error. A number is null where no forecast has met its sales yet.
 */
export function getAccuracy(options) {
  const tenantId = need(options, 'tenantId', 'getAccuracy');
  return call(options, 'getAccuracy', 'GET', `${tenantPath(tenantId)}/accuracy`, { query: { days: options.days } });
}

/** GET …/models. Resolves the trained models of the bakery. */
export async function listModels(options) {
  const tenantId = need(options, 'tenantId', 'listModels');
  const body = await call(options, 'listModels', 'GET', `${tenantPath(tenantId)}/models`);
  return Array.isArray(body.models) ? body.models : [];
}

/**
 * GET …/sales?product=&from=&to=: the product's stored days (only days with a row, ascending; the
 * newest `max_points` when the range holds more, with `truncated`). Rejects with kind 'not_found'
 * when the server holds nothing for the product. `from`/`to` are "YYYY-MM-DD", both optional.
 */
export function getSalesHistory(options) {
  const tenantId = need(options, 'tenantId', 'getSalesHistory');
  const product = need(options, 'product', 'getSalesHistory');
  return call(options, 'getSalesHistory', 'GET', `${tenantPath(tenantId)}/sales`, {
    query: { product, from: options.from, to: options.to },
  });
}

/** GET …/sales: what the server holds for the bakery (products, date range, last upload). */
export function getSalesSummary(options) {
  const tenantId = need(options, 'tenantId', 'getSalesSummary');
  return call(options, 'getSalesSummary', 'GET', `${tenantPath(tenantId)}/sales`);
}

function planQuery(options, fn) {
  const { date, days } = options;
  if (date !== undefined && (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date))) {
    throw new TypeError(`${fn}: option "date" must be a day "YYYY-MM-DD"`);
  }
  if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 14)) {
    throw new TypeError(`${fn}: option "days" must be a whole number of days from 1 to 14`);
  }
  return { date, days };
}

/**
 * GET …/bake-plan[?date=][&days=]: how much of each product to bake. Without `date` the server
 * plans the day after the bakery's latest sales ("tomorrow"). Rejects with kind 'not_found',
 * code 'no_models' while the bakery has no trained model.
 */
export function bakePlan(options) {
  const tenantId = need(options, 'tenantId', 'bakePlan');
  return call(options, 'bakePlan', 'GET', `${tenantPath(tenantId)}/bake-plan`, {
    query: planQuery(options, 'bakePlan'),
  });
}

/**
 * The same plan as the server's CSV (`Accept: text/csv`), for a spreadsheet: resolves {csv,
 * filename}, the name from Content-Disposition, else bake-plan-<date>.csv with the day asked for
 * or, without one, the day of the CSV's first row.
 */
export async function bakePlanCsv(options) {
  const tenantId = need(options, 'tenantId', 'bakePlanCsv');
  const query = planQuery(options, 'bakePlanCsv');
  const { csv, disposition } = await callCsv(options, 'bakePlanCsv', 'GET', `${tenantPath(tenantId)}/bake-plan`,
    { query });
  const firstDay = /\n(\d{4}-\d{2}-\d{2}),/.exec(csv)?.[1]; // the header line is first
  const day = query.date ?? firstDay;
  return { csv, filename: dispositionFilename(disposition) || (day ? `bake-plan-${day}.csv` : 'bake-plan.csv') };
}
