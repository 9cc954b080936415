// A watcher of the chaos run: one WebSocket client of one job through a gateway, folding the
// stream with the web client's own TrainingFold (docs/live-protocol.md: `connected` first, then
// seq+1, +2, …). It reconnects after every close that is not the job's end, drops its own
// connection when its plan says so, and counts every gap, duplicate and stale snapshot it sees.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { TrainingFold } from '../../web/client/fold.js';

const require = createRequire(fileURLToPath(new URL('../../web/package.json', import.meta.url)));
const WebSocket = require('ws');

const GIVE_UP_CODES = new Set([4001, 4003, 4004]);

export class Watcher {
  /** spec: a plan watcher; job: {id, tenant, token}; gateways(): the gateways' base ws:// URLs. */
  constructor(spec, job, gateways, counters) {
    this.spec = spec;
    this.job = job;
    this.gateways = gateways;
    this.counters = counters; // shared by the fleet
    this.gateway = spec.gateway;
    this.drops = [...spec.drops];
    this.connections = 0;
    this.maxSeq = -1; // highest seq folded on any connection: a later snapshot must not be behind
    this.fold = null;
    this.final = null; // the fold's view once the server closed with 1000 after the end
    this.problem = '';
    this.stopped = false;
    this.failures = 0;
    this.done = new Promise((resolve) => { this.resolve = resolve; });
  }

  start() {
    setTimeout(() => this.connect(), this.spec.joinDelay);
  }

  connect() {
    if (this.stopped) return;
    this.connections += 1;
    const c = this.counters;
    const url = `${this.gateways()[this.gateway]}/api/v1/tenants/${this.job.tenant}/training/jobs/` +
      `${this.job.id}/live?token=${this.job.token}`;
    const ws = new WebSocket(url, { handshakeTimeout: 15000 });
    const fold = new TrainingFold(this.job.tenant, this.job.id);
    this.fold = fold;
    this.ws = ws;
    let selfClosed = false;
    let opened = false;
    let dropTimer = null;
    ws.on('open', () => {
      opened = true;
      this.failures = 0;
      const drop = this.drops[0];
      if (drop) {
        dropTimer = setTimeout(() => {
          if (fold.terminal || ws.readyState !== WebSocket.OPEN) return;
          this.drops.shift();
          this.pause = drop.pause;
          selfClosed = true;
          c.self_disconnects += 1;
          if (drop.abrupt) ws.terminate(); else ws.close(1000);
        }, drop.after);
      }
    });
    ws.on('message', (raw) => {
      let msg;
      try {
        msg = JSON.parse(raw.toString());
      } catch {
        c.malformed += 1;
        return;
      }
      if (msg.type === 'connected') c.snapshots += 1;
      const before = fold.state.seq;
      const result = fold.apply(msg);
      if (msg.type !== 'connected') c.events += result === 'ignored' ? 0 : 1;
      if (result === 'duplicate') {
        if (msg.type === 'connected') c.stale_snapshots += 1; else c.duplicated += 1;
      } else if (result === 'gap') {
        // Never expected: the server resnapshots instead of forwarding past a hole. A client
        // would reconnect for a fresh snapshot; so does this one, after counting the hole.
        c.lost += msg.seq - before - 1;
        this.note(`gap: seq ${msg.seq} after ${before}`);
        this.pause = 100;
        selfClosed = true;
        ws.terminate();
        return;
      } else if (result === 'malformed') {
        c.malformed += 1;
        this.note(`malformed: ${fold.problem}`);
      }
      if (msg.type === 'connected' && result === 'applied' && fold.state.seq < this.maxSeq) {
        c.stale_snapshots += 1;
        this.note(`snapshot seq ${fold.state.seq} behind seq ${this.maxSeq} seen before`);
      }
      this.maxSeq = Math.max(this.maxSeq, fold.state.seq);
    });
    ws.on('error', () => { /* the close event follows and decides */ });
    ws.on('close', (code) => {
      clearTimeout(dropTimer);
      const key = opened ? String(code) : 'connect_failed';
      c.close_codes[key] = (c.close_codes[key] ?? 0) + 1;
      if (this.stopped) return;
      if (selfClosed) {
        setTimeout(() => this.connect(), this.pause);
        return;
      }
      if (code === 1000 && fold.terminal) {
        this.final = fold.view();
        this.stopped = true;
        this.resolve();
        return;
      }
      if (GIVE_UP_CODES.has(code)) {
        this.note(`closed ${code}: a valid token and a real job must never get it`);
        this.stopped = true;
        this.resolve();
        return;
      }
      if (code === 1000) this.note('closed 1000 before the job ended');
      // 1001 (gateway restart), 1006, 1011, 1012 (replica lost): back off and come back,
      // through the other gateway when this one keeps refusing.
      this.failures += 1;
      c.reconnects += 1;
      if (!opened && this.failures >= 2) this.gateway = (this.gateway + 1) % this.gateways().length;
      const delay = Math.min(2000, 100 * 2 ** Math.min(this.failures, 5)) * (0.5 + Math.random() / 2);
      setTimeout(() => this.connect(), delay);
    });
  }

  note(problem) {
    if (!this.problem) this.problem = problem;
  }

  /** At the deadline: whatever it has is what it got. */
  abandon() {
    if (this.stopped) return;
    this.stopped = true;
    this.ws?.terminate();
    this.resolve();
  }
}

export function newCounters() {
  return { events: 0, snapshots: 0, lost: 0, duplicated: 0, stale_snapshots: 0, malformed: 0,
    self_disconnects: 0, reconnects: 0, close_codes: {} };
}

/** The fields a watcher and the store must agree on. */
export function comparable(s) {
  return {
    status: s.status,
    progress: s.progress,
    seq: s.seq,
    products: s.products.map((p) => `${p.name ?? p.product_name}:${p.status}`),
  };
}
