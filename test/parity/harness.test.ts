import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runParity } from '../../parity/cli';
import { applyTransform } from '../../parity/case';
import { compareValues } from '../../parity/compare';
import { Matrix } from '../../lib/matrix';

const ROOT = join(__dirname, '..', '..', 'parity');

/** A scratch cases/ + data/ pair holding a modified copy of a shipped case. */
function scratchCase(name: string, edit: (c: any) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'dadalab-parity-'));
  mkdirSync(join(dir, 'cases'));
  mkdirSync(join(dir, 'data'));
  const c = JSON.parse(readFileSync(join(ROOT, 'cases', `${name}.json`), 'utf8'));
  for (const inp of Object.values(c.inputs) as any[]) {
    for (const key of ['npy', 'csv', 'file']) if (inp[key]) copyFileSync(join(ROOT, inp[key]), join(dir, inp[key]));
  }
  edit(c);
  writeFileSync(join(dir, 'cases', `${name}.json`), JSON.stringify(c));
  return dir;
}

describe('parity harness', () => {
  it('replays any case folder: PASS on the shipped case, exit status 0', async () => {
    const dir = scratchCase('distances_small_gauss_D3_N200', () => {});
    const lines: string[] = [];
    const status = await runParity([dir], { log: (l) => lines.push(l) });
    expect(status).toBe(0);
    expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed, 0 not implemented$/);
  });

  it('fails a tampered output with its error, and exits non-zero', async () => {
    const dir = scratchCase('distances_small_gauss_D3_N200', (c) => {
      c.steps[1].attributes.distances.value[3][2] *= 1 + 1e-9; // beyond the 1e-12 tolerance
    });
    const lines: string[] = [];
    const status = await runParity([join(dir, 'cases', 'distances_small_gauss_D3_N200.json')], { log: (l) => lines.push(l) });
    expect(status).toBe(1);
    const bad = lines.filter((l) => l.startsWith('FAIL'));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/compute_distances\(maxk=20\) -> distances: max rel err 1\.0e-9 \(tol 1e-12\) \[worst at 65/);
  });

  it('reports a method we do not have as not implemented, not as a failure', async () => {
    const dir = scratchCase('distances_small_gauss_D3_N200', (c) => {
      c.steps.splice(2, 0, { op: 'call', method: 'compute_something_new', kwargs: {}, returned: { x: { dtype: 'float64', shape: [], value: 1 } }, attributes: {} });
    });
    const lines: string[] = [];
    const status = await runParity([dir], { log: (l) => lines.push(l) });
    expect(status).toBe(0);
    expect(lines.find((l) => l.startsWith('N/I'))).toMatch(/computeSomethingNew does not exist/);
    expect(lines.at(-1)).toMatch(/, 0 failed, 1 not implemented$/);
  });

  it('fails when recorded random draws are left unused', async () => {
    const dir = scratchCase('distances_small_gauss_D3_N200', (c) => {
      c.steps[1].rng_draws = [{ method: 'choice', args: [200], kwargs: { size: 3, replace: false }, result: [1, 2, 3] }];
    });
    const lines: string[] = [];
    expect(await runParity([dir], { log: (l) => lines.push(l) })).toBe(1);
    expect(lines.join('\n')).toMatch(/\(rng draws\).*1 recorded random draws were not used/);
  });

  it('applies the NumPy slicing transforms of the inputs', () => {
    const m = Matrix.fromRows([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect((applyTransform(m, 'X[:, :2]') as Matrix).toRows()).toEqual([[1, 2], [4, 5], [7, 8]]);
    expect((applyTransform(m, 'Y[1:, [2, 0]]') as Matrix).toRows()).toEqual([[6, 4], [9, 7]]);
    expect(() => applyTransform(m, 'X.T')).toThrow(/unsupported input transform/);
  });

  it('compares labels up to a relabelling and skips undefined ones', () => {
    expect(compareValues([1, 1, 0, 2], [0, 0, 2, 1], { kind: 'labels' }).pass).toBe(true);
    expect(compareValues([1, 1, 0, 2], [0, 0, 2, null], { kind: 'labels' }).detail).toMatch(/1 undefined in DADApy skipped/);
    const r = compareValues([1, 0, 0, 2], [0, 0, 2, 1], { kind: 'labels' });
    expect(r.pass).toBe(false);
    expect(r.err).toBe(0.25);
  });

  it('judges near-zero entries against the scale of the output', () => {
    expect(compareValues([0, 1e-12, 2], [0, 0, 2], { kind: 'numeric', rtol: 1e-9 }).pass).toBe(true);
    expect(compareValues([0, 1e-6, 2], [0, 0, 2], { kind: 'numeric', rtol: 1e-9 }).pass).toBe(false);
  });
});
