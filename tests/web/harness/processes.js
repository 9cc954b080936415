// Starts the real `levain` binary (service, gateway, one-shot commands) for the web tests and
// stops every process it started by PID, even when a test fails half way.

import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const LISTENING = /^levain: listening on ([\d.]+):(\d+)\s*$/m;
const started = new Set(); // every child still running, for the exit hook

export function levainBinary() {
  const bin = process.env.LEVAIN_BINARY;
  if (!bin) throw new Error('LEVAIN_BINARY is not set: run through ctest, or set it to the built levain');
  if (!fs.existsSync(bin)) throw new Error(`LEVAIN_BINARY=${bin} does not exist: build the "levain" target`);
  return bin;
}

// The CLI reads LEVAIN_* variables as defaults for its flags; tests pass every flag explicitly.
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LEVAIN_')) env[k] = v;
  return { ...env, ...extra };
}

export function tempDir(prefix = 'levain-web-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs a levain subcommand to completion and resolves with its stdout. */
export function runLevain(args, { maxBuffer = 64 * 1024 * 1024 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(levainBinary(), args, { env: cleanEnv(), maxBuffer, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`levain ${args[0]} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** A long-running levain process; resolves once it printed `levain: listening on HOST:PORT`. */
export async function startServer(args, { logFile, timeoutMs = 60_000 } = {}) {
  const child = spawn(levainBinary(), args, { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  child.once('exit', () => started.delete(child));
  const log = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
  child.stderr.on('data', (d) => log?.write(d));
  const info = { stopping: false, unexpectedExit: null };
  child.once('exit', (code, signal) => {
    // A server that ends while no test stopped it is a finding, reported by whoever stops it.
    if (!info.stopping) info.unexpectedExit = `exited on its own (${code ?? signal}) at ${new Date().toISOString()}`;
  });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`levain ${args[0]} did not listen within ${timeoutMs} ms`)), timeoutMs);
    child.stdout.on('data', (d) => {
      log?.write(d);
      if (out.length < 65536) out += d.toString();
      const m = LISTENING.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[2]));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`levain ${args[0]} exited (${code ?? signal}) before listening; log: ${logFile ?? '-'}`));
    });
  });
  return {
    child,
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    logFile,
    info,
    stop: (signal = 'SIGTERM') => {
      info.stopping = true;
      return stopProcess(child, signal);
    },
  };
}

/**
 * Signals one child by PID and waits for it to exit (SIGKILL after a deadline). Resolves with
 * {code, signal}; a SIGTERM must end in exit code 0 (clean shutdown, no sanitizer report).
 */
export async function stopProcess(child, signal = 'SIGTERM', deadlineMs = 30_000) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    process.kill(child.pid, signal);
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    }, deadlineMs);
    await exited;
    clearTimeout(timer);
  }
  return { code: child.exitCode, signal: child.signalCode };
}

// A test that throws before its cleanup still must not leave a server behind.
process.on('exit', () => {
  for (const child of started) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** PIDs of this process's direct children still running (e.g. a browser a library started). */
export function childPids() {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the command name, which is in parentheses and may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
