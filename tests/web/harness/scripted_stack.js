// A stand-in for the gateway, for dashboard tests that need messages the real server sends only
// at moments a test cannot choose: it serves web/ as the gateway does, answers the REST calls the
// dashboard makes from a table the test fills (and records them), and hands each live WebSocket
// to the test, which sends what it wants when it wants. Port 0, loopback only.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { WebSocketServer } from './deps.js';
import { WEB_ROOT } from './stack.js';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };
const LIVE = /^\/api\/v1\/tenants\/([^/]+)\/training\/jobs\/([^/]+)\/live$/;

/** A JWT-shaped token the dashboard can read (it never verifies; this server never checks). */
export function fakeToken({ tenants = ['bakery-a'], roles = ['trainer'], sub = 'manager@bakery-a' } = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, tenants, roles, exp: Math.floor(Date.now() / 1000) + 3600 })}.c2ln`;
}

export class ScriptedStack {
  constructor() {
    this.requests = []; // {method, path, body}
    this.jobs = []; // what GET …/training/jobs lists
    this.routes = new Map(); // "POST /training/jobs" → (req, body) => {status, body}
    this.live = []; // every live connection: {jobId, url, send(m) (throws once closed), close(code, reason), closed}
    this.waiters = [];
  }

  async start() {
    this.server = http.createServer((req, res) => this.#http(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const m = LIVE.exec(new URL(req.url, 'http://x').pathname);
      if (!m) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const c = { jobId: decodeURIComponent(m[2]), url: req.url, closed: false,
          send: (msg) => {
            // ws drops a send after the close without a word; a test talking to a connection the
            // page has left must say so, not wait for a view that never comes.
            if (c.closed || ws.readyState !== ws.OPEN) {
              const n = this.live.filter((x) => x.jobId === c.jobId).indexOf(c);
              throw new Error(`scripted stack: send on live connection ${n} to ${c.jobId}, which is closed`);
            }
            ws.send(JSON.stringify(msg));
          },
          close: (code, reason) => ws.close(code, reason), ws };
        // As the server does: the client's heartbeat must not find this connection dead.
        ws.on('message', (m) => {
          if (/^(ping|\{"type":"ping"\})$/.test(m.toString())) ws.send('{"type":"pong"}');
        });
        ws.on('close', () => {
          c.closed = true;
          this.#notify();
        });
        this.live.push(c);
        this.#notify();
      });
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url() {
    return `http://127.0.0.1:${this.server.address().port}`;
  }

  /** Answers `METHOD /path-under-the-tenant` (e.g. "POST /training/jobs") with fn(body) → {status, body}. */
  on(route, fn) {
    this.routes.set(route, fn);
  }

  /** Resolves with the n-th live connection (0-based) of `jobId` once it is open. */
  connection(jobId, n = 0) {
    return this.until(() => this.live.filter((c) => c.jobId === jobId)[n], `live connection ${n} to ${jobId}`);
  }

  until(probe, what, timeoutMs = 60_000) {
    const value = probe();
    if (value) return Promise.resolve(value);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`scripted stack: timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({ probe, resolve: (v) => { clearTimeout(timer); resolve(v); } });
    });
  }

  #notify() {
    this.waiters = this.waiters.filter((w) => {
      const v = w.probe();
      if (v) w.resolve(v);
      return !v;
    });
  }

  async #http(req, res) {
    const url = new URL(req.url, 'http://x');
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const text = Buffer.concat(chunks).toString();
    const api = /^\/api\/v1\/tenants\/[^/]+(\/.*)$/.exec(url.pathname);
    if (!api) return this.#file(url.pathname, res);
    const route = `${req.method} ${api[1].replace(/\/training\/jobs\/[^/]+\/cancel$/, '/training/jobs/{id}/cancel')}`;
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    this.requests.push({ method: req.method, path: api[1], body });
    this.#notify();
    let answer = this.routes.get(route)?.(body, api[1]);
    if (!answer) answer = this.#default(route);
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }

  #default(route) {
    if (route === 'GET /training/jobs') return { status: 200, body: { jobs: this.jobs } };
    if (route === 'GET /models') return { status: 200, body: { models: [] } };
    if (route === 'GET /sales') {
      return { status: 200, body: { products: [], product_count: 0, products_truncated: false, rows: 0,
        first_date: null, last_date: null, last_upload: null } };
    }
    return { status: 404, body: { error: { code: 'not_found', message: `no scripted answer for ${route}` } } };
  }

  #file(pathname, res) {
    const file = path.join(WEB_ROOT, path.normalize(pathname === '/' ? '/index.html' : pathname));
    if (!file.startsWith(WEB_ROOT) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    return fs.createReadStream(file).pipe(res);
  }

  async stop() {
    for (const c of this.live) c.ws.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
    this.server.closeAllConnections(); // a browser's kept-alive connections would hold close() open
    await new Promise((resolve) => this.server.close(resolve));
  }
}
