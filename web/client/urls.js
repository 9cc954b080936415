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

export function liveUrl(baseUrl, tenantId, jobId, token) {
  const u = new URL(
    apiUrl(baseUrl, `${tenantPath(tenantId)}/training/jobs/${encodeURIComponent(jobId)}/live`, {
      token,
    }));
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  return u.toString();
}
