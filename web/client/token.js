// Reads a JWT's claims without verifying it: the page needs `tenants` and `exp` to offer the
// right bakeries and to warn before an expired token is sent. The server still verifies.

import { LevainError } from './messages.js';

const MAX_TOKEN_CHARS = 16 * 1024;

function base64UrlToText(part) {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** The token's claims; throws a LevainError (kind 'unauthorized') when it is not a JWT. */
export function readTokenClaims(token) {
  const bad = (why) => new LevainError({ kind: 'unauthorized', message: `this is not a valid token: ${why}` });
  if (typeof token !== 'string' || token.trim() === '') throw bad('it is empty');
  const t = token.trim();
  if (t.length > MAX_TOKEN_CHARS) throw bad('it is too long');
  const parts = t.split('.');
  if (parts.length !== 3) throw bad('a token has three parts separated by dots');
  let claims;
  try {
    claims = JSON.parse(base64UrlToText(parts[1]));
  } catch {
    throw bad('its middle part is not base64url-encoded JSON');
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw bad('its claims are not an object');
  const tenants = Array.isArray(claims.tenants) ? claims.tenants.filter((x) => typeof x === 'string' && x) : [];
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((x) => typeof x === 'string') : [];
  return Object.freeze({
    ...claims,
    tenants: Object.freeze(tenants),
    roles: Object.freeze(roles),
    exp: Number.isFinite(claims.exp) ? claims.exp : null,
  });
}

/** True when `exp` is in the past at `nowMs` (a token without `exp` is refused by the server). */
export function tokenExpired(claims, nowMs = Date.now()) {
  return claims.exp === null || claims.exp * 1000 <= nowMs;
}
