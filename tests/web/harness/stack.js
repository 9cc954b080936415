// The real system for the web tests: a training service and a gateway in front of it (serving
// web/ as its web root), on port 0, with a fresh data directory and secret per stack.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLevain, startServer, tempDir } from './processes.js';

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web');

export class Stack {
  constructor() {
    this.dir = tempDir();
    this.secret = crypto.randomBytes(24).toString('hex');
    this.service = null;
    this.gateway = null;
  }

  /** Starts the service, then the gateway; `serviceArgs`/`gatewayArgs` are extra flags. */
  async start({ serviceArgs = [], gatewayArgs = [] } = {}) {
    this.serviceArgs = serviceArgs;
    this.gatewayArgs = gatewayArgs;
    await this.#startService(0);
    await this.startGateway(0);
    return this;
  }

  async #startService(port) {
    this.service = await startServer([
      'training', '--listen', `127.0.0.1:${port}`, '--data-dir', path.join(this.dir, 'data'),
      '--jwt-secret', this.secret, '--log-level', 'warn', ...this.serviceArgs,
    ], { logFile: path.join(this.dir, 'service.log') });
  }

  /** SIGTERM (must exit 0), then the same service again: same port, same data directory. */
  async restartService() {
    const { port } = this.service;
    const { code, signal } = await this.service.stop();
    if (code !== 0) throw new Error(`service exited with ${code ?? signal} on SIGTERM (log: ${this.service.logFile})`);
    await this.#startService(port);
  }

  /** Starts a gateway on `port` (0: any free one); the same port again after a restart. */
  async startGateway(port) {
    this.gateway = await startServer([
      'gateway', '--listen', `127.0.0.1:${port}`, '--upstream', `127.0.0.1:${this.service.port}`,
      '--jwt-secret', this.secret, '--web-root', WEB_ROOT, '--log-level', 'warn',
      ...(this.gatewayArgs ?? []),
    ], { logFile: path.join(this.dir, 'gateway.log') });
    return this.gateway;
  }

  /** The gateway's URL: what browsers and the client talk to. */
  get url() {
    return this.gateway.url;
  }

  /** Stops the gateway, then the service; fails unless both shut down cleanly (exit 0). */
  async stop() {
    const problems = [];
    for (const [name, proc] of [['gateway', this.gateway], ['service', this.service]]) {
      if (!proc) continue;
      if (proc.info.unexpectedExit) problems.push(`${name} ${proc.info.unexpectedExit} (log: ${proc.logFile})`);
      const { code, signal } = await proc.stop();
      if (code !== 0) problems.push(`${name} exited with ${code ?? signal} on SIGTERM (log: ${proc.logFile})`);
    }
    if (problems.length) throw new Error(problems.join('; '));
    fs.rmSync(this.dir, { recursive: true, force: true }); // kept when something went wrong
  }

  token({ tenants = ['bakery-a'], roles = ['trainer'], ttl = '1h', sub = 'web-test' } = {}) {
    const args = ['token', '--secret', this.secret, '--ttl', ttl, '--sub', sub];
    for (const t of tenants) args.push('--tenant', t);
    for (const r of roles) args.push('--role', r);
    return runLevain(args).then((out) => out.trim());
  }

  /** An HS256 token whose `exp` has passed (the CLI only mints future ones). */
  expiredToken({ tenants = ['bakery-a'], secondsAgo = 3600 } = {}) {
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const head = b64({ alg: 'HS256', typ: 'JWT' });
    const body = b64({ sub: 'web-test', tenants, roles: ['trainer'], iat: now - 2 * secondsAgo,
      nbf: now - 2 * secondsAgo, exp: now - secondsAgo });
    const sig = crypto.createHmac('sha256', this.secret).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${sig}`;
  }
}

export function demoCsv(products, days = 400) {
  return runLevain(['demo-data', '--products', String(products), '--days', String(days)]);
}

/** Polls `probe` until it returns a truthy value; fails with `what` after the deadline. */
export async function waitFor(probe, what, { timeoutMs = 120_000, intervalMs = 50, onTimeout } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what} (${onTimeout?.() ?? `last: ${last?.message ?? last}`})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
