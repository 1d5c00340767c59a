/** Shared by the kernel and e2e tests: paths, the built package, and named skips for missing pieces. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, it } from 'vitest';

export const ROOT = path.resolve(__dirname, '..', '..');
export const DIST = path.join(ROOT, 'dist');
export const CLI = path.join(DIST, 'kernel', 'cli.js');
export const NOTEBOOKS = path.join(ROOT, 'notebooks');
/** The built nbconvert templates (kernel/nbconvert/templates plus the inlined vega scripts). */
export const TEMPLATES = path.join(DIST, 'nbconvert', 'templates');

/** Under this variable (set by .ci/run) a missing Jupyter or Chromium fails the tests instead of skipping them. */
export const REQUIRE_PIECES = process.env.DADALAB_REQUIRE_JUPYTER === '1';

/** The built package (tests drive dist/, what users run). */
export function requireBuilt(): void {
  if (!existsSync(path.join(DIST, 'kernel', 'launcher.js')) || !existsSync(path.join(DIST, 'lib', 'index.js'))) {
    throw new Error('dist/ is missing: run npm run build first (npm ci does it)');
  }
}

function works(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  return !r.error && r.status === 0;
}

export function missingJupyterServer(): string | null {
  return works('jupyter', ['server', '--version']) ? null : 'jupyter server is not installed (apt-get install jupyter-server)';
}

export function missingNbconvert(): string | null {
  if (!works('jupyter', ['nbconvert', '--version'])) return 'jupyter nbconvert is not installed (apt-get install jupyter-nbconvert)';
  if (!works('jupyter', ['execute', '--help'])) return 'nbclient is not installed (apt-get install python3-nbclient)';
  return null;
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export function missingChromium(): string | null {
  return existsSync(CHROMIUM) ? null : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
}

/**
 * describe() for tests needing an outside piece. Missing piece: a named skip, or a failing test
 * when DADALAB_REQUIRE_JUPYTER=1.
 */
export function describeWith(title: string, missing: Array<string | null>, fn: () => void): void {
  const why = missing.filter((m): m is string => m !== null);
  if (why.length && !REQUIRE_PIECES) {
    describe.skip(`${title} [skipped: ${why.join('; ')}; DADALAB_REQUIRE_JUPYTER=1 makes this fail]`, fn);
    return;
  }
  describe(title, () => {
    if (why.length) {
      it('has what it needs installed', () => {
        throw new Error(`${why.join('; ')} (DADALAB_REQUIRE_JUPYTER=1 is set, so this fails instead of skipping)`);
      });
      return;
    }
    fn();
  });
}

/** The flags the machine needs for headless Chromium (no sandbox as root, no background network). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const made: string[] = [];
// Registered in every test file that imports these helpers: its temporary folders go at its end.
afterAll(() => { for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true }); });
/** A fresh temporary folder, removed after the test file. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export interface SpawnResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/**
 * spawnSync's result, without blocking the test worker. A worker blocked for over 60 s cannot
 * answer vitest's RPC in time ("[vitest-worker]: Timeout calling onTaskUpdate", an unhandled error
 * that fails the whole run), so every child that may run long is awaited instead.
 */
export function spawnAsync(cmd: string, args: readonly string[], opts: {
  cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number; input?: string; encoding?: 'utf8';
} = {}): Promise<SpawnResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let error: Error | undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => { error = e; });
    const timer = opts.timeout ? setTimeout(() => {
      error = Object.assign(new Error(`${cmd} timed out after ${opts.timeout} ms`), { code: 'ETIMEDOUT' });
      child.kill('SIGTERM');
    }, opts.timeout) : null;
    child.stdin.end(opts.input ?? '');
    child.on('close', (status, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), error });
    });
  });
}

type Seen = { msg_type: string; content: any };
/**
 * Starts a cell and resolves `started` once the cell itself shows it is running (`seen` matches
 * one of its output messages): an interrupt sent after a fixed sleep can arrive, under load, before
 * the kernel has even received the cell, and then correctly stops nothing.
 */
export function executeStarted<R>(kernel: { execute(code: string, onMessage?: (m: any) => void): Promise<R> }, code: string,
  seen: (m: Seen) => boolean, within = 90_000): { started: Promise<void>; done: Promise<R> } {
  let mark!: () => void;
  let fail!: (e: Error) => void;
  const started = new Promise<void>((resolve, reject) => { mark = resolve; fail = reject; });
  const timer = setTimeout(() => fail(new Error(`the cell showed no sign of running within ${within} ms`)), within);
  const done = kernel.execute(code, (m: Seen) => { if (seen(m)) { clearTimeout(timer); mark(); } });
  done.then(() => fail(new Error('the cell finished before it showed it was running')), (e) => fail(e as Error)).finally(() => clearTimeout(timer));
  return { started, done };
}
/** The first display of a progress bar (the cell has reached its loop). */
export const progressShown = (m: Seen) => m.msg_type === 'display_data' && !!m.content.transient?.display_id;
/** Text on stdout containing `marker`. */
export const printed = (marker: string) => (m: Seen) => m.msg_type === 'stream' && String(m.content.text).includes(marker);

/**
 * A latency bound promised on an idle machine, stretched by how oversubscribed the machine is now
 * (1-minute load average over the cores, at least 1): a stop that takes 2 s of a full core takes
 * longer when four other jobs share it. Used only for wall-clock bounds on stopping work.
 */
export function underLoad(ms: number): number {
  let load = 0;
  try {
    load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch { /* not Linux: no stretch */ }
  return Math.round(ms * Math.max(1, load / cpus().length));
}

/** `p`, or a failure naming what never came back (a stalled kernel fails the test instead of hanging it). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<T>((_, reject) => { t = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(t));
}
