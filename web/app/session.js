// Who is signed in: the token (pasted, or from `#token=` in the URL, which is then removed from
// the address bar), its claims, and the chosen bakery. Kept in sessionStorage for reloads only.

import { LevainError, readTokenClaims, tokenExpired } from '../client/levain-client.js';

const KEY = 'levain.session';

/**
 * `#token=…&tenant=…&job=…&max_rate=…` → {token, tenant, job, maxRate}; the token is removed from
 * the URL (the rest stays, so a reload keeps the bakery, the job and the update rate).
 */
export function takeHashParams() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const out = { token: params.get('token'), tenant: params.get('tenant'), job: params.get('job'),
    maxRate: params.get('max_rate') };
  if (out.token) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
  }
  return out;
}

export class Session {
  constructor() {
    this.token = '';
    this.claims = null;
    this.tenant = '';
  }

  get signedIn() {
    return this.claims !== null;
  }

  /** Checks the token locally (shape, expiry, tenants); the server verifies it on first use. */
  signIn(rawToken, preferredTenant = '') {
    const token = String(rawToken ?? '').trim();
    const claims = readTokenClaims(token);
    if (tokenExpired(claims)) {
      const when = claims.exp === null ? 'it has no expiry' : `at ${new Date(claims.exp * 1000).toLocaleString()}`;
      throw new LevainError({ kind: 'expired_token', message: `token expired ${when}` });
    }
    if (claims.tenants.length === 0) {
      throw new LevainError({ kind: 'forbidden', message: 'the token grants no bakery' });
    }
    this.token = token;
    this.claims = claims;
    this.tenant = claims.tenants.includes(preferredTenant) ? preferredTenant : claims.tenants[0];
    this.#save();
    return claims;
  }

  chooseTenant(tenant) {
    if (!this.claims?.tenants.includes(tenant)) return;
    this.tenant = tenant;
    this.#save();
  }

  signOut() {
    this.token = '';
    this.claims = null;
    this.tenant = '';
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // storage disabled: nothing was kept
    }
  }

  /** The saved session of this tab, if any: {token, tenant}. */
  static restore() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
      return saved && typeof saved.token === 'string' ? saved : null;
    } catch {
      return null;
    }
  }

  /** Milliseconds until the token expires (never negative). */
  msUntilExpiry(now = Date.now()) {
    return this.claims?.exp ? Math.max(0, this.claims.exp * 1000 - now) : 0;
  }

  #save() {
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ token: this.token, tenant: this.tenant }));
    } catch {
      // storage disabled: a reload asks for the token again
    }
  }
}
