import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { expandCaseArgs } from '../../parity/cli';
import { completeMethods } from '../../parity/registry';
import { formatResult, replayFile, summarize, type OutputResult } from '../../parity/replay';

const CASES = join(__dirname, '..', '..', 'parity', 'cases');

// The DADApy methods declared landed in parity/maps/*.ts (registerComplete) must be complete.
const COMPLETE = completeMethods();

describe('DADApy parity replay', () => {
  for (const file of expandCaseArgs([CASES])) {
    const name = file.split('/').pop()!.replace(/\.json$/, '');
    it(`${name}: no output fails; the methods that have landed are complete`, async () => {
      const results = await replayFile(file);
      const mustPass = (r: OutputResult) => COMPLETE.has(r.method);
      const bad = results.filter((r) => r.status === 'FAIL' || (r.status === 'N/I' && mustPass(r))).map(formatResult);
      expect(bad).toEqual([]);
      const s = summarize(results);
      expect(s.failed).toBe(0);
      expect(s.passed + s.notImplemented + s.informational).toBe(results.length);
    });
  }
});
