// The two ways the chaos run reads the truth: the REST API (through a gateway or straight to a
// replica) and psql against the private PostgreSQL server, for what the API does not show (which
// replica holds a job's lease, every job of every tenant, raw row counts).
import { run, sleep } from './procs.mjs';

/** One HTTP call with a deadline; never throws for an HTTP status, only for no answer. */
export async function http(method, url, { token, body, timeoutMs = 15000 } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined && typeof body !== 'string') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(body);
  }
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch { /* not JSON: kept as text */ }
  return { status: res.status, json, text };
}

/**
 * Retries what a fault can break (no answer, 5xx) with backoff until `deadlineMs` passes; a 4xx
 * is an answer and returned at once. `urls()` is asked again on every attempt, so a caller can
 * steer away from a replica that went down.
 */
export async function retrying(method, urls, opts = {}, deadlineMs = 90000) {
  const until = Date.now() + deadlineMs;
  let delay = 200;
  let last = '';
  for (let attempt = 0; ; attempt += 1) {
    const list = urls();
    const url = list[attempt % list.length];
    try {
      const r = await http(method, url, opts);
      if (r.status < 500) return { ...r, attempts: attempt + 1 };
      last = `${r.status} ${r.text.slice(0, 200)}`;
    } catch (e) {
      last = e.cause?.code ?? e.name ?? String(e);
    }
    if (Date.now() + delay > until) throw new Error(`${method} ${url}: no answer in time (last: ${last})`);
    await sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
}

export class Database {
  constructor(port) {
    this.port = port;
  }

  /** Rows of tab-separated columns; retried while the server restarts. */
  async query(sql, deadlineMs = 60000) {
    const until = Date.now() + deadlineMs;
    for (;;) {
      try {
        const out = await run('psql', ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'levain',
          '-d', 'levain', '-tAqX', '-F', '\t', '-c', sql],
        { timeoutMs: 15000, env: { ...process.env, PGCONNECT_TIMEOUT: '3' } });
        return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
      } catch (e) {
        if (Date.now() > until) throw e;
        await sleep(250);
      }
    }
  }

  /** Unfinished jobs with their lease holders and lease ends (unix µs). */
  async unfinished() {
    const rows = await this.query(
      "SELECT job_id, status, owner, lease_until FROM jobs WHERE status IN ('pending', 'running')");
    return rows.map(([id, status, owner, until]) => ({ id, status, owner, leaseUntilUs: Number(until) }));
  }

  /** job id -> {status, owner, leaseUntilUs} for the given ids. */
  async states(ids) {
    if (ids.length === 0) return new Map();
    const list = ids.map((id) => `'${id.replace(/'/g, '')}'`).join(',');
    const rows = await this.query(
      `SELECT job_id, status, owner, lease_until FROM jobs WHERE job_id IN (${list})`);
    return new Map(rows.map(([id, status, owner, until]) =>
      [id, { status, owner, leaseUntilUs: Number(until) }]));
  }

  async allJobs() {
    const rows = await this.query('SELECT job_id, tenant, status, error, started_at, finished_at FROM jobs');
    return rows.map(([id, tenant, status, error, started, finished]) =>
      ({ id, tenant, status, error, startedUs: Number(started), finishedUs: Number(finished) }));
  }

  async salesRows() {
    const rows = await this.query('SELECT tenant, count(*) FROM sales GROUP BY tenant');
    return Object.fromEntries(rows.map(([t, n]) => [t, Number(n)]));
  }
}
