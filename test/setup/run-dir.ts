/**
 * vitest globalSetup: one scratch folder per test run, shared by every test file (forks inherit
 * the variable). test/kernel/executed.ts keeps the shipped notebooks executed there once per run,
 * whichever test file asks first. Removed when the run ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'dadalab-test-run-'));
  process.env.DADALAB_TEST_RUN_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
