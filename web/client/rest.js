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

async function call(options, fn, method, path, { query, body, contentType } = {}) {
  const token = need(options, 'token', fn);
  const tenantId = options.tenantId ?? '';
  const doFetch = options.fetch ?? globalThis.fetch;
  const url = apiUrl(options.baseUrl, path, query);
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
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
    // a proxy's HTML error page, say: reported below with the status
  }
  if (res.ok) {
    if (json === null) {
      throw new LevainError({ kind: 'protocol', status: res.status, message: 'the answer is not JSON', tenantId });
    }
    return json;
  }
  const code = json?.error?.code ?? '';
  const message = json?.error?.message ?? `HTTP ${res.status} ${res.statusText}`.trim();
  // A gateway that cannot reach any upstream answers 502/503/504: to a person that is "unreachable".
  const kind = [502, 503, 504].includes(res.status) && !code ? 'unreachable' : kindFor(res.status, code, message);
  throw new LevainError({ kind, status: res.status, code, message, body: json, tenantId });
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
 * POST …/training/jobs. Resolves {job_id, status, live_url}. While a job of the bakery is pending
 * or running the server refuses with 409: a LevainError of kind 'conflict', code 'job_running',
 * whose `runningJobId` is that job; `allowConcurrent: true` starts one anyway.
 */
export function startTraining(options) {
  const tenantId = need(options, 'tenantId', 'startTraining');
  const request = {};
  if (options.products !== undefined) request.products = options.products;
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

/** GET …/forecasts?product=&days=. Resolves {product, model, fallback, metrics, points: [...]}. */
export function getForecasts(options) {
  const tenantId = need(options, 'tenantId', 'getForecasts');
  const product = need(options, 'product', 'getForecasts');
  return call(options, 'getForecasts', 'GET', `${tenantPath(tenantId)}/forecasts`, {
    query: { product, days: options.days },
  });
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
