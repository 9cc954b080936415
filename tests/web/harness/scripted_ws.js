// A tiny WebSocket server that plays a script per connection: it sends what the real server never
// would (out-of-order seq, a close code on demand), so the client's own logic can be tested.

import { WebSocketServer } from './deps.js';

export class ScriptedServer {
  /** scripts[i](socket, helpers) plays connection i; the last script repeats for later ones. */
  constructor(scripts) {
    this.scripts = scripts;
    this.connections = 0;
    this.urls = [];
    this.received = [];
    this.sockets = new Set();
    this.waiters = [];
  }

  async start() {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => this.wss.once('listening', resolve));
    this.wss.on('connection', (socket, req) => {
      const index = this.connections++;
      this.urls.push(req.url);
      this.sockets.add(socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
        this.#notify();
      });
      socket.on('message', (data) => {
        this.received.push(data.toString());
        this.#notify();
      });
      const script = this.scripts[Math.min(index, this.scripts.length - 1)];
      script(socket, { index, send: (m) => socket.send(JSON.stringify(m)) });
      this.#notify();
    });
    return this;
  }

  get baseUrl() {
    return `http://127.0.0.1:${this.wss.address().port}`;
  }

  /** Resolves when `cond()` holds, re-checked on every connection and message. */
  until(cond, what, timeoutMs = 20_000) {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`scripted server: timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({ cond, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  #notify() {
    this.waiters = this.waiters.filter((w) => (w.cond() ? (w.resolve(), false) : true));
  }

  async stop() {
    for (const s of this.sockets) s.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
  }
}

export const snapshotMsg = (seq, extra = {}) => ({
  type: 'connected', seq, job_id: 'j1', tenant_id: 't1', timestamp: new Date().toISOString(),
  data: { snapshot: { job_id: 'j1', tenant_id: 't1', status: 'running', progress: 20 + Math.max(0, seq - 1) * 10, seq,
    total_products: 6, products_completed: Math.max(0, seq - 1), current_step: 'Model Training',
    products: Array.from({ length: Math.max(0, seq - 1) }, (_, i) => ({ product_name: `P${i + 1}`, status: 'succeeded',
      model: 'additive', fallback: false, metrics: { mape: 5 + i } })), ...extra } },
});

/** The event for product n (seq n + 1, as after a `progress` event at seq 1). */
export const productMsg = (n) => ({
  type: 'product_completed', seq: n + 1, job_id: 'j1', tenant_id: 't1', timestamp: new Date().toISOString(),
  data: { product_name: `P${n}`, status: 'succeeded', products_completed: n, total_products: 6,
    progress: 20 + n * 10, current_step: 'Model Training', model: 'additive', fallback: false, metrics: { mape: 4 + n } },
});

export const completedMsg = (seq) => ({
  type: 'completed', seq, job_id: 'j1', tenant_id: 't1',
  data: { progress: 100, products_completed: 6, total_products: 6, current_step: 'Completed',
    successful_trainings: 6, failed_trainings: 0, total_duration: 2.5 },
});
