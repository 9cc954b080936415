// URLs of the REST and live endpoints (DESIGN.md §2), built from a base URL such as
// "https://levain.example" or "" (the page's own origin in a browser).

function base(baseUrl) {
  const here = globalThis.location?.href;
  if (baseUrl === undefined || baseUrl === null || baseUrl === '') {
    if (!here) throw new TypeError('baseUrl is required outside a browser page');
    return new URL('/', here);
  }
  try {
    return here ? new URL(baseUrl, here) : new URL(baseUrl);
  } catch {
    throw new TypeError(`baseUrl "${baseUrl}" is not a URL`);
  }
}

export function tenantPath(tenantId) {
  return `/api/v1/tenants/${encodeURIComponent(tenantId)}`;
}

/** HTTP(S) URL of `path` (which starts with "/") under the base URL, keeping its path prefix. */
export function apiUrl(baseUrl, path, query = {}) {
  const u = base(baseUrl);
  u.pathname = u.pathname.replace(/\/+$/, '') + path;
  u.search = '';
  u.hash = '';
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null) u.searchParams.set(k, String(v));
  }
  return u.toString();
}

export const MAX_RATE_LIMIT = 1000;

/** `maxRate` as the server accepts it (messages per second in (0, 1000]); throws otherwise. */
export function checkMaxRate(maxRate, fn = 'liveUrl') {
  if (maxRate === undefined || maxRate === null) return undefined;
  if (typeof maxRate !== 'number' || !(maxRate > 0) || !(maxRate <= MAX_RATE_LIMIT)) {
    throw new TypeError(
      `${fn}: option "maxRate" must be a number of messages per second above 0 and at most ${MAX_RATE_LIMIT}, ` +
      `not ${JSON.stringify(maxRate) ?? String(maxRate)}`);
  }
  return maxRate;
}

/**
 * The live endpoint of a job: ws(s):// for a WebSocket, or with `{ sse: true }` the same path
 * over http(s):// for an EventSource. `since` (a seq > 0) asks the server to resume after it;
 * `maxRate` (messages per second) asks it to fold finished products into `progress_summary`.
 */
export function liveUrl(baseUrl, tenantId, jobId, token, { since, sse = false, maxRate } = {}) {
  const u = new URL(
    apiUrl(baseUrl, `${tenantPath(tenantId)}/training/jobs/${encodeURIComponent(jobId)}/live`, {
      token,
      max_rate: checkMaxRate(maxRate),
      since: Number.isSafeInteger(since) && since > 0 ? since : undefined,
    }));
  if (sse) return u.toString();
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  return u.toString();
}
