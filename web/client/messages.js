// What each failure means for a person, in one place: close codes of the live protocol and the
// REST error kinds, each turned into a sentence that says what happened and what to do.

/** The close code of a watcher quota (docs/live-protocol.md): the server asks to come back later. */
export const QUOTA_CLOSE = 4029;

/**
 * What a watcher does after a close code: 'finish' (1000), 'stop' (4xxx), 'reconnect' (other).
 * 4029 reconnects: a watcher's place frees when another leaves, so waiting is the remedy, not
 * a new token or a new job.
 */
export function closeAction(code) {
  if (code === 1000) return 'finish';
  if (code === QUOTA_CLOSE) return 'reconnect';
  if (code >= 4000 && code <= 4999) return 'stop';
  return 'reconnect';
}

const EXPIRED = /expired/i;
const QUOTA_FALLBACK = 'Too many live watchers for this job or bakery right now.';

/**
 * The fields of a 4029 close reason (compact JSON: limit, value, used, retry_after_s, message),
 * each null when absent or of the wrong type; null when the reason is not a JSON object.
 * watchTraining puts what it reads on `state.quota` (levain-client.js does not export this).
 */
export function readQuotaReason(reason) {
  let r;
  try {
    r = JSON.parse(reason);
  } catch {
    return null;
  }
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return null;
  const count = (v) => (Number.isInteger(v) && v >= 0 ? v : null);
  const text = (v) => (typeof v === 'string' && v.trim() !== '' ? v : null);
  return {
    limit: text(r.limit),
    value: count(r.value),
    used: count(r.used),
    retryAfterS: Number.isFinite(r.retry_after_s) && r.retry_after_s > 0 ? r.retry_after_s : null,
    message: text(r.message),
  };
}

function inSeconds(s) {
  const n = Math.ceil(s);
  return n < 120 ? `${n} s` : `${Math.round(n / 60)} min`;
}

/**
 * The sentence for a 4029: the server's own `message` as it is (a generic one when the reason is
 * not readable), then what the client does next: try again after the hint, or (`gaveUpAfter`
 * attempts) nothing more.
 */
export function describeQuota(reason, { gaveUpAfter = 0 } = {}) {
  const q = readQuotaReason(reason);
  const said = q?.message ?? QUOTA_FALLBACK;
  const stop = /[.!?]$/.test(said) ? '' : '.';
  if (gaveUpAfter > 0) return `${said}${stop} Gave up after ${gaveUpAfter} attempts: reload the page to try again.`;
  return `${said}${stop} ${q?.retryAfterS ? `Trying again in ${inSeconds(q.retryAfterS)}.` : 'Trying again shortly.'}`;
}

export function describeClose(code, reason = '') {
  const why = reason ? ` (${reason})` : '';
  switch (code) {
    case 1000:
      return reason ? `The job has ended: ${reason}.` : 'The job has ended.';
    case 4001:
      return EXPIRED.test(reason)
        ? 'Your token has expired. Paste a new token to sign in again.'
        : `The server rejected your token${why}. Paste a valid token to sign in again.`;
    case 4003:
      return 'Your token does not give access to this bakery. Ask for a token that includes it.';
    case 4004:
      return 'This training job does not exist for this bakery.';
    case QUOTA_CLOSE:
      return describeQuota(reason);
    case 1006:
      return /unreachable/.test(reason)
        ? 'The server cannot be reached. Check your connection and reload the page.'
        : `The connection dropped${why}.`;
    default:
      return `The live connection closed with code ${code}${why}.`;
  }
}

/** An error from a REST call: `kind` for programs, `message` from the server, `userMessage`. */
export class LevainError extends Error {
  constructor({ kind, status = 0, code = '', message, body = null, tenantId = '' }) {
    super(message);
    this.name = 'LevainError';
    this.kind = kind;
    this.status = status;
    this.code = code;
    this.body = body;
    this.tenantId = tenantId;
  }

  /** The job already pending or running when a start was refused with 409 `job_running`, else null. */
  get runningJobId() {
    const id = this.body?.job_id;
    return this.code === 'job_running' && typeof id === 'string' && id !== '' ? id : null;
  }

  /** Rejected CSV rows as [{line, reason}] when the server listed them, else []. */
  get rejectedRows() {
    return Array.isArray(this.body?.errors) ? this.body.errors : [];
  }

  get userMessage() {
    return describeError(this);
  }
}

export function kindFor(status, code, message) {
  if (status === 401) return EXPIRED.test(message) ? 'expired_token' : 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (code === 'invalid_csv') return 'csv_rejected';
  if (status === 409) return 'conflict';
  if (status >= 500) return 'server';
  return 'invalid';
}

export function describeError(err) {
  if (!(err instanceof LevainError)) return String(err?.message ?? err);
  const bakery = err.tenantId ? ` "${err.tenantId}"` : '';
  switch (err.kind) {
    case 'expired_token':
      return 'Your token has expired. Paste a new token to sign in again.';
    case 'unauthorized':
      return `The server rejected your token: ${err.message}. Paste a valid token to sign in again.`;
    case 'forbidden':
      return /trainer/.test(err.message)
        ? 'Your token may watch this bakery but not train: it lacks the "trainer" role.'
        : `Your token does not give access to the bakery${bakery}. Ask for a token that includes it.`;
    case 'unreachable':
      return `The server cannot be reached (${err.message}). Check your connection and try again.`;
    case 'csv_rejected':
      return `The CSV was rejected: ${err.message}.`;
    case 'not_found':
      return `Not found: ${err.message}.`;
    case 'conflict':
      return err.code === 'job_running'
        ? `Not started: ${err.message}.`
        : `The request was refused: ${err.message}.`;
    case 'server':
      return `The server failed (${err.status}): ${err.message}. Try again later.`;
    default:
      return `The request was refused: ${err.message}.`;
  }
}

/**
 * "about 2 min left" for an ETA in seconds, rounded the way a person says it; '' when there is
 * none (null: not estimated yet, or the job ended).
 */
export function describeEta(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 10) return 'a few seconds left';
  if (seconds < 60) return `about ${Math.round(seconds / 5) * 5} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `about ${h} h${m ? ` ${m} min` : ''} left`;
}

/** The message for a job that ended badly, with the server's own reason. */
export function describeJobEnd(state) {
  if (state.status === 'failed') return `Training failed: ${state.error ?? 'no reason given'}.`;
  if (state.status === 'cancelled') return `Training was cancelled${state.error ? ` (${state.error})` : ''}.`;
  return '';
}
