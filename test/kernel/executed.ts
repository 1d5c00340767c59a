/**
 * The shipped notebooks, executed once per test run by whichever test file asks first (the
 * notebook tests check what they compute, the renderer tests open them in browsers). A lock file
 * per notebook in the run's scratch folder (test/setup/run-dir.ts) makes the other forks wait for
 * the result instead of running the notebook again.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DIST, NOTEBOOKS, requireBuilt, tempDir } from './helpers';

export interface Executed {
  name: string;
  ok: boolean;
  failure: { index: number; ename: string; evalue: string } | null;
  /** The executed notebook and its HTML report. */
  out: string;
  html: string;
  seconds: number;
}

/** Every shipped notebook (notebooks/*.ipynb), sorted. */
export const SHIPPED = readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb') && !f.endsWith('.out.ipynb')).sort();

let localDir: string | null = null;
function runDir(): string {
  const base = process.env.DADALAB_TEST_RUN_DIR ?? (localDir ??= tempDir('dadalab-executed-'));
  const dir = path.join(base, 'executed');
  mkdirSync(dir, { recursive: true });
  return dir;
}

const WAIT_MS = 15 * 60_000;

export async function executedNotebook(name: string): Promise<Executed> {
  requireBuilt();
  const dir = runDir();
  const done = path.join(dir, `${name}.json`);
  const lock = path.join(dir, `${name}.lock`);
  let fd: number | null = null;
  try {
    fd = openSync(lock, 'wx');
  } catch {
    const t0 = Date.now();
    while (!existsSync(done)) {
      if (Date.now() - t0 > WAIT_MS) throw new Error(`waited ${WAIT_MS / 60000} min for another test file to execute ${name}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    return JSON.parse(readFileSync(done, 'utf8'));
  }
  closeSync(fd);
  const { runNotebook } = require(path.join(DIST, 'kernel', 'run.js'));
  const out = path.join(dir, name);
  const html = path.join(dir, name.replace(/\.ipynb$/, '.html'));
  const t0 = Date.now();
  let result: Executed;
  try {
    const r = await runNotebook(path.join(NOTEBOOKS, name), { out, html });
    result = { name, ok: r.ok, failure: r.failure ? { index: r.failure.index, ename: r.failure.ename, evalue: r.failure.evalue } : null, out, html, seconds: (Date.now() - t0) / 1000 };
  } catch (e) {
    result = { name, ok: false, failure: { index: -1, ename: 'RunnerError', evalue: String((e as Error)?.message ?? e) }, out, html, seconds: (Date.now() - t0) / 1000 };
  }
  writeFileSync(`${done}.tmp`, JSON.stringify(result));
  require('node:fs').renameSync(`${done}.tmp`, done);
  return result;
}
