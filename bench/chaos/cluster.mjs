// The scaled-out shape on loopback (a private RabbitMQ and PostgreSQL, N training replicas, G
// gateways in front of all of them) and the faults the chaos run injects into it. A replica or
// gateway that is restarted comes back on the port it had, so the gateways' upstream lists and
// the watchers' URLs stay valid.
import fs from 'node:fs';
import path from 'node:path';
import { run, sleep } from './procs.mjs';
import { Database, http } from './store.mjs';

export class Cluster {
  constructor({ procs, repo, out, leaseMs, replicas, gateways, secret }) {
    Object.assign(this, { procs, repo, out, leaseMs, secret });
    this.replicas = Array.from({ length: replicas }, (_, i) => ({ index: i, port: 0, gen: -1, state: 'down', proc: null }));
    this.gateways = Array.from({ length: gateways }, (_, i) => ({ index: i, port: 0, proc: null }));
    this.kills = []; // what each kill -9 left behind, and when it was taken over
    this.log = []; // one line per fault: kind, target, when, how long
  }

  script(name) {
    return path.join(this.repo, 'scripts', name);
  }

  async start() {
    const [amqp, database] = await Promise.all([
      this.procs.instance(this.script('rabbitmq-instance'), path.join(this.out, 'rabbitmq')),
      this.procs.instance(this.script('postgres-instance'), path.join(this.out, 'postgres')),
    ]);
    this.amqp = amqp;
    this.database = database;
    this.db = new Database(Number(new URL(database).port));
    await Promise.all(this.replicas.map(async (r) => {
      await this.startReplica(r);
      await this.ready(r);
    }));
    await Promise.all(this.gateways.map((g) => this.startGateway(g)));
  }

  async startReplica(r) {
    r.gen += 1;
    r.state = 'starting';
    r.proc = await this.procs.start(`replica-${r.index}`, ['training',
      '--listen', `127.0.0.1:${r.port}`, '--amqp-url', this.amqp, '--database-url', this.database,
      '--jwt-secret', this.secret, '--data-dir', path.join(this.out, `replica-${r.index}`),
      '--job-lease-ms', String(this.leaseMs), '--train-threads', '1', '--max-concurrent-jobs', '1',
      '--log-level', 'info']);
    r.port = r.proc.port;
  }

  /** Ready means bus and store answer; only then are jobs sent to it directly. */
  async ready(r, deadlineMs = 180000) {
    const until = Date.now() + deadlineMs;
    const proc = r.proc;
    while (Date.now() < until && !proc.exit) {
      try {
        if ((await http('GET', `http://127.0.0.1:${r.port}/readyz`, { timeoutMs: 5000 })).status === 200) {
          if (r.proc === proc) r.state = 'up';
          return;
        }
      } catch { /* not yet */ }
      await sleep(200);
    }
    throw new Error(`replica-${r.index} never became ready`);
  }

  async startGateway(g) {
    const upstreams = this.replicas.map((r) => `127.0.0.1:${r.port}`).join(',');
    g.proc = await this.procs.start(`gateway-${g.index}`, ['gateway',
      '--listen', `127.0.0.1:${g.port}`, '--upstream', upstreams, '--jwt-secret', this.secret,
      '--log-level', 'info']);
    g.port = g.proc.port;
  }

  httpUrls() {
    return this.gateways.map((g) => `http://127.0.0.1:${g.port}`);
  }

  wsUrls() {
    return this.gateways.map((g) => `ws://127.0.0.1:${g.port}`);
  }

  replicaUrl(i) {
    return `http://127.0.0.1:${this.replicas[i].port}`;
  }

  async inject(f, t0) {
    const started = Date.now();
    const entry = { kind: f.kind, at_s: (started - t0) / 1000 };
    if (f.kind === 'kill9') await this.kill9(this.replicas[f.replica], f.downMs, entry);
    if (f.kind === 'sigstop') {
      const r = this.replicas[f.replica];
      entry.target = `replica-${r.index}`;
      r.state = 'stopped';
      process.kill(r.proc.pid, 'SIGSTOP');
      await sleep(f.downMs);
      process.kill(r.proc.pid, 'SIGCONT');
      r.state = 'up';
    }
    if (f.kind === 'broker_restart') await this.restartBroker();
    if (f.kind === 'postgres_restart') await this.restartPostgres();
    if (f.kind === 'gateway_restart') {
      const g = this.gateways[f.gateway];
      entry.target = `gateway-${g.index}`;
      await this.procs.stop(g.proc);
      await this.startGateway(g);
    }
    entry.took_s = (Date.now() - started) / 1000;
    this.log.push(entry);
  }

  /** SIGTERM to the node (a clean stop, without the seconds `rabbitmqctl stop` spends booting
   * a CLI VM), then the instance script starts it again on the same ports and data. */
  async restartBroker() {
    const dir = path.join(this.out, 'rabbitmq');
    const pid = Number(fs.readFileSync(path.join(dir, 'rabbit.pid'), 'utf8').replace(/\D/g, ''));
    process.kill(pid, 'SIGTERM');
    const until = Date.now() + 60000;
    while (alive(pid) && Date.now() < until) await sleep(100);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    await run(this.script('rabbitmq-instance'), ['start', dir]);
  }

  async restartPostgres() {
    const pg = path.join(this.out, 'postgres', 'pg');
    const args = ['restart', '-D', path.join(pg, 'data'), '-l', path.join(pg, 'postgres.log'),
      '-m', 'fast', '-w', '-t', '60', '-s'];
    const bin = '/usr/lib/postgresql/15/bin/pg_ctl';
    // As root the cluster belongs to `postgres` (scripts/postgres-instance made it so).
    if (process.getuid() === 0) await run('runuser', ['-u', 'postgres', '--', bin, ...args]);
    else await run(bin, args);
  }

  /**
   * kill -9, then follows every job still unfinished at that moment while the replica is brought
   * back after downMs. Which of them the dead replica held needs no replica ids: a live owner
   * renews its leases every third of the lease, past killedAt + lease, and the dead one cannot.
   * A held job is recovered when another replica claims it (its owner changes): that replica
   * then ends it `failed` (it was running) or runs it (it was waiting).
   */
  async kill9(r, downMs, entry) {
    entry.target = `replica-${r.index}`;
    r.state = 'down';
    await this.procs.kill9(r.proc);
    const killedAt = Date.now(); // the dead process renewed nothing after this
    const restart = (async () => {
      await sleep(downMs);
      await this.startReplica(r);
      await this.ready(r);
    })();
    const kill = { replica: r.index, killedAt, held: [], recoveredMs: new Map(), unresolved: [] };
    this.kills.push(kill);
    const renewedPastUs = (killedAt + this.leaseMs) * 1000;
    let open = await this.db.unfinished();
    const deadline = killedAt + this.recoveryBoundMs() + 30000;
    while (open.length && Date.now() < deadline) {
      await sleep(200);
      const now = await this.db.states(open.map((j) => j.id));
      const at = Date.now();
      open = open.filter((j) => {
        const s = now.get(j.id);
        if (!s) return false;
        if (s.owner !== j.owner) { // another replica claimed it: it was the dead one's
          kill.held.push(j.id);
          kill.recoveredMs.set(j.id, at - killedAt);
          return false;
        }
        // Ended by, or renewed by, the owner it had: that owner is alive.
        const moved = !['pending', 'running'].includes(s.status) || s.leaseUntilUs > renewedPastUs;
        return !moved;
      });
    }
    kill.unresolved = open.map((j) => j.id);
    kill.held.push(...kill.unresolved);
    await restart;
  }

  /** A dead replica's lease runs out after leaseMs; a sweep comes every third of it; then
   * generous room for a loaded 2-core machine running sanitizer builds. */
  recoveryBoundMs() {
    return Math.ceil(this.leaseMs * 4 / 3) + Math.max(5000, this.leaseMs);
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
