// The processes of the chaos run: every `levain` server it starts (each start of a replica or a
// gateway is one incarnation, with its own log files), and the private broker and database run
// through the repository's instance scripts. Everything is stopped by PID, also on failure.
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a command to its end without blocking the event loop (the watchers live in it). */
export function run(cmd, args, { timeoutMs = 180000, env } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, env: env ?? process.env, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          err.message = `${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`.trim();
          reject(err);
        } else {
          resolve(stdout);
        }
      });
  });
}

export class Procs {
  constructor(levain, out) {
    this.levain = levain;
    this.out = out;
    this.all = []; // every incarnation ever started
    this.crashes = []; // exits nobody asked for
    this.instances = []; // [script, dir] to stop at the end
  }

  /** Starts `levain ARGS` as NAME; resolves with its incarnation once it printed its port. */
  async start(name, args) {
    const n = this.all.filter((p) => p.name === name).length;
    const base = path.join(this.out, `${name}.${n}`);
    const outFd = fs.openSync(`${base}.out`, 'w');
    const errFd = fs.openSync(`${base}.log`, 'w');
    const child = spawn(this.levain, args, { stdio: ['ignore', outFd, errFd] });
    fs.closeSync(outFd);
    fs.closeSync(errFd);
    const p = { name, child, pid: child.pid, base, expectedExit: false, exit: null, port: 0 };
    this.all.push(p);
    p.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        p.exit = { code, signal };
        if (!p.expectedExit) {
          this.crashes.push({ name: `${name}.${n}`, pid: p.pid, code, signal, when: 'during the run',
            log: tail(`${base}.log`) });
        }
        resolve(p.exit);
      });
    });
    const deadline = Date.now() + 60000;
    for (;;) {
      const m = /^levain: listening on [0-9.]+:(\d+)$/m.exec(readOr(`${base}.out`));
      if (m) {
        p.port = Number(m[1]);
        return p;
      }
      if (p.exit || Date.now() > deadline) {
        throw new Error(`${name} did not start (${JSON.stringify(p.exit)}):\n${tail(`${base}.log`)}`);
      }
      await sleep(50);
    }
  }

  /** SIGKILL: the run meant it. */
  kill9(p) {
    p.expectedExit = true;
    process.kill(p.pid, 'SIGKILL');
    return p.exited;
  }

  /** SIGTERM and wait; a clean stop exits 0 in time, anything else is a crash. */
  async stop(p, timeoutMs = 30000) {
    if (p.exit) return p.exit;
    p.expectedExit = true;
    try {
      process.kill(p.pid, 'SIGCONT'); // a stopped process cannot handle SIGTERM
      process.kill(p.pid, 'SIGTERM');
    } catch { /* it exited just now: p.exited tells how */ }
    const exit = await Promise.race([p.exited, sleep(timeoutMs).then(() => null)]);
    if (!exit) {
      process.kill(p.pid, 'SIGKILL');
      await p.exited;
      this.crashes.push({ name: path.basename(p.base), pid: p.pid, code: null, signal: 'SIGKILL',
        when: `after SIGTERM: not stopped within ${timeoutMs} ms`, log: tail(`${p.base}.log`) });
      return p.exit;
    }
    if (exit.code !== 0) {
      this.crashes.push({ name: path.basename(p.base), pid: p.pid, ...exit, when: 'on SIGTERM (a clean stop exits 0)',
        log: tail(`${p.base}.log`) });
    }
    return exit;
  }

  /** scripts/{rabbitmq,postgres}-instance start DIR; remembered for the final stop. */
  async instance(script, dir) {
    if (!this.instances.some(([s, d]) => s === script && d === dir)) this.instances.push([script, dir]);
    const url = (await run(script, ['start', dir])).trim().split('\n').pop();
    return url;
  }

  /** Last resort (an exception, Ctrl-C): every living incarnation by PID, then the instances. */
  stopAllSync() {
    for (const p of this.all) {
      if (p.exit) continue;
      p.expectedExit = true;
      try {
        process.kill(p.pid, 'SIGCONT');
        process.kill(p.pid, 'SIGKILL');
      } catch { /* already gone */ }
    }
    for (const [script, dir] of this.instances) {
      spawnSync(script, ['stop', dir], { stdio: 'ignore', timeout: 90000 });
    }
  }

  /** Log lines that mean a sanitizer found something, per log file. */
  sanitizerReports() {
    const reports = [];
    for (const p of this.all) {
      for (const file of [`${p.base}.log`, `${p.base}.out`]) {
        const lines = readOr(file).split('\n');
        const hits = lines.filter((l) => /ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:/.test(l));
        if (hits.length) reports.push({ file, lines: hits.slice(0, 5) });
      }
    }
    return reports;
  }
}

function readOr(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function tail(file, n = 15) {
  return readOr(file).split('\n').slice(-n - 1).join('\n');
}
