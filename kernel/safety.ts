/**
 * What keeps a running kernel safe to leave alone:
 * - a watchdog thread that ends the kernel when the process that started it is gone, also while
 *   a cell runs synchronous code (a timer on the main thread cannot fire then), removing the
 *   connection folder our runner made (its key must not outlive the kernel);
 * - a window of the signatures already seen, so a captured, correctly signed message replayed on
 *   the wire is dropped (as jupyter_client's Session.digest_history does, 2^16 signatures);
 * - a refusal to listen beyond the loopback with an empty key (anyone reaching the port could run
 *   code): DADALAB_ALLOW_UNSIGNED=1 runs it anyway, with a warning.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ConnectionInfo } from './wire';

/** True when the kernel's sockets are reachable only from this machine. */
export function isLoopback(conn: Pick<ConnectionInfo, 'transport' | 'ip'>): boolean {
  if (conn.transport === 'ipc') return true;
  const ip = String(conn.ip ?? '').trim().toLowerCase();
  return ip === 'localhost' || ip === '::1' || ip === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(ip);
}

/**
 * Null when the connection is acceptable; otherwise what to say. `refuse` is true when the kernel
 * must not start (an empty key off the loopback, without DADALAB_ALLOW_UNSIGNED=1).
 */
export function unsignedConnectionProblem(conn: ConnectionInfo, env: NodeJS.ProcessEnv = process.env): { refuse: boolean; message: string } | null {
  if (conn.key || isLoopback(conn)) return null;
  const where = `${conn.transport}://${conn.ip}`;
  if (env.DADALAB_ALLOW_UNSIGNED === '1') {
    return { refuse: false, message: `[dadalab] WARNING: the connection file has an empty key and the kernel listens on ${where}: anyone who can reach these ports can run code as this user (DADALAB_ALLOW_UNSIGNED=1 is set)\n` };
  }
  return {
    refuse: true,
    message: `[dadalab] refusing to start: the connection file has an empty key and the kernel would listen on ${where}, `
      + 'so anyone who can reach these ports could run code as this user. Give the connection file a key (Jupyter does by default) '
      + 'or listen on 127.0.0.1; DADALAB_ALLOW_UNSIGNED=1 starts it anyway.\n',
  };
}

/** Drops a message whose signature was seen before (a replay). Unsigned messages are not tracked. */
export class ReplayGuard {
  private seen = new Set<string>();
  private order: string[] = [];
  constructor(private readonly size = 2 ** 16) {}

  /** True the first time a signature is offered, false for a replay. */
  fresh(signature: string): boolean {
    if (!signature) return true;
    if (this.seen.has(signature)) return false;
    this.seen.add(signature);
    this.order.push(signature);
    if (this.order.length > this.size) {
      // Forget the oldest tenth at once (amortised), as jupyter_client does.
      for (const s of this.order.splice(0, Math.ceil(this.size / 10))) this.seen.delete(s);
    }
    return true;
  }
}

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { parent, ppid, dir } = workerData;
setInterval(() => {
  let gone = false;
  try { process.kill(parent, 0); } catch (e) { gone = e.code === 'ESRCH'; }
  if (!gone && ppid === parent && process.ppid !== parent) gone = true; // reparented: the parent died and its pid may be reused
  if (!gone) return;
  if (dir) { try { fs.rmSync(dir, { recursive: true, force: true }); } catch {} }
  process.kill(process.pid, 'SIGKILL');
}, 200);
`;

/**
 * Ends this process (SIGKILL: the main thread may be stuck in a cell) within about 200 ms of
 * `parentPid` going away; first removes `connectionDir` if given and it is one of our runner's
 * folders (named dadalab-kernel-*).
 */
export function startParentWatchdog(parentPid: number, connectionDir?: string): Worker | null {
  if (!(parentPid > 0)) return null;
  const dir = connectionDir && /^dadalab-kernel-/.test(path.basename(connectionDir)) ? path.resolve(connectionDir) : null;
  const w = new Worker(WATCHDOG, { eval: true, workerData: { parent: parentPid, ppid: process.ppid, dir } });
  w.unref();
  w.on('error', (e) => process.stderr.write(`[dadalab] the parent watchdog failed: ${e.message}\n`));
  return w;
}
