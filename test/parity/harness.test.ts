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
    expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed, 0 not implemented, 0 informational$/);
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
    // |ours - theirs| / (|theirs| + max |theirs|): 1e-9 |e| / (|e| + scale)
    expect(bad[0]).toMatch(/compute_distances\(maxk=20\) -> distances: max err [0-9.]+e-10 \(tol 1e-12\) \[worst at 65/);
  });

  it('reports a method we do not have as not implemented, not as a failure', async () => {
    const dir = scratchCase('distances_small_gauss_D3_N200', (c) => {
      c.steps.splice(2, 0, { op: 'call', method: 'compute_something_new', kwargs: {}, returned: { x: { dtype: 'float64', shape: [], value: 1 } }, attributes: {} });
    });
    const lines: string[] = [];
    const status = await runParity([dir], { log: (l) => lines.push(l) });
    expect(status).toBe(0);
    expect(lines.find((l) => l.startsWith('N/I'))).toMatch(/computeSomethingNew does not exist/);
    expect(lines.at(-1)).toMatch(/, 0 failed, 1 not implemented, 0 informational$/);
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

/** A scratch case built from scratch: inputs written to data/, steps as given. */
function freshCase(name: string, inputs: Record<string, { rows?: number[][]; npyOf?: string; inline?: unknown; dtype?: string; shape?: number[] }>, steps: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'dadalab-parity-'));
  mkdirSync(join(dir, 'cases'));
  mkdirSync(join(dir, 'data'));
  const ins: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (v.rows) {
      writeFileSync(join(dir, 'data', `${k}.txt`), v.rows.map((r) => r.join(' ')).join('\n'));
      ins[k] = { name: k, file: `data/${k}.txt`, dtype: v.dtype, shape: v.shape };
    } else {
      ins[k] = { name: k, inline: v.inline, dtype: v.dtype, shape: v.shape };
    }
  }
  writeFileSync(join(dir, 'cases', `${name}.json`), JSON.stringify({ case: name, inputs: ins, steps }));
  return join(dir, 'cases', `${name}.json`);
}

const val = (value: unknown, dtype = 'float64', shape: number[] | null = []) => ({ dtype, shape, value });

describe('parity harness: any valid case file', () => {
  it('compares strings, booleans, None, integers, ragged and nested lists', () => {
    expect(compareValues('cosine', 'cosine', { kind: 'exact' }).pass).toBe(true);
    const s = compareValues('euclidean', 'cosine', { kind: 'numeric', rtol: 1e-9 });
    expect(s.pass).toBe(false);
    expect(s.detail).toMatch(/'euclidean', expected 'cosine'/);
    expect(compareValues(true, true, { kind: 'exact' }).pass).toBe(true);
    expect(compareValues(false, true, { kind: 'exact' }).pass).toBe(false);
    expect(compareValues(null, null, { kind: 'exact' }).pass).toBe(true);
    expect(compareValues(3, null, { kind: 'exact' }).pass).toBe(false);
    expect(compareValues(7, 7, { kind: 'exact' }).pass).toBe(true);
    // a ragged list keeps its structure
    expect(compareValues([Int32Array.of(1, 2), Int32Array.of(3)], [[1, 2], [3]], { kind: 'exact' }).pass).toBe(true);
    const r = compareValues([[1], [2, 3]], [[1, 2], [3]], { kind: 'exact' });
    expect(r.pass).toBe(false);
    expect(r.detail).toMatch(/ragged list of 2 lists of lengths \[2, 1\]/);
    expect(compareValues(Int32Array.of(1, 2, 3), [[1, 2], [3]], { kind: 'exact' }).pass).toBe(false);
    // nested regular lists may come back flat (row-major), or as a Matrix
    expect(compareValues(Float64Array.of(1, 2, 3, 4), [[1, 2], [3, 4]], { kind: 'numeric', rtol: 1e-12 }).pass).toBe(true);
    expect(compareValues(Matrix.fromRows([[1, 2], [3, 4]]), [[1, 2], [3, 4]], { kind: 'numeric', rtol: 1e-12 }).pass).toBe(true);
    expect(compareValues([['a', 'b'], ['c']], [['a', 'b'], ['c']], { kind: 'exact' }).pass).toBe(true);
    expect(compareValues([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [[[1, 2], [3, 4]], [[5, 6], [7, 9]]], { kind: 'exact' }).pass).toBe(false);
  });

  it('one tolerance rule: |ours - theirs| <= rtol |theirs| + rtol max|theirs|', () => {
    // a log density of -0.0018 off by 2e-10, in an output of size 5: passes at 1e-9 (atol = 5e-9)
    expect(compareValues([-5, -0.0018 + 2e-10, 1], [-5, -0.0018, 1], { kind: 'numeric', rtol: 1e-9 }).pass).toBe(true);
    // a real error still fails: 1e-6 on the small entry, or 2 rtol on the largest
    expect(compareValues([-5, -0.0018 + 1e-6, 1], [-5, -0.0018, 1], { kind: 'numeric', rtol: 1e-9 }).pass).toBe(false);
    expect(compareValues([-5 * (1 + 3e-9), -0.0018, 1], [-5, -0.0018, 1], { kind: 'numeric', rtol: 1e-9 }).pass).toBe(false);
    // an explicit atol replaces the scaled one
    expect(compareValues([0, 1e-8], [0, 0], { kind: 'numeric', rtol: 1e-9, atol: 1e-7 }).pass).toBe(true);
    expect(compareValues([0, 1e-12, 2], [0, 0, 2], { kind: 'numeric', rtol: 1e-9 }).pass).toBe(true);
    expect(compareValues([0, 1e-6, 2], [0, 0, 2], { kind: 'numeric', rtol: 1e-9 }).pass).toBe(false);
  });

  it('creates any mapped class, loads integer and 3-D inputs, compares init outputs and string attributes', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => [Math.sin(i), Math.cos(2.1 * i), (i * 0.37) % 1]);
    const file = freshCase('kinds', {
      X: { rows },
      L: { inline: Array.from({ length: 60 }, (_, i) => i % 3), dtype: 'int64', shape: [60] },
      T: { inline: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], dtype: 'float64', shape: [2, 2, 2] },
    }, [
      { op: 'init', class: 'DensityAdvanced', coordinates: 'X', kwargs: { maxk: 10, n_jobs: 1, verbose: false },
        attributes: { N: val(60, 'int64'), maxk: val(10, 'int64'), metric: val('euclidean', 'str'), period: val(null, 'none', null) } },
      { op: 'call', method: 'compute_distances', kwargs: { maxk: 5, metric: 'cosine' },
        attributes: { metric: val('cosine', 'str'), maxk: val(5, 'int64') } },
      { op: 'call', method: 'return_label_overlap', kwargs: { labels: { $input: 'L' }, k: 3 }, returned: { overlap: { dtype: 'float64', shape: [], value: 0 } } },
      { op: 'init', class: 'IdDiscrete', coordinates: 'X', kwargs: { condensed: false, maxk: 10 } },
      { op: 'init', class: 'DiffImbalance', kwargs: { data_A: { $input: 'X' }, data_B: { $input: 'X' } }, returned: {} },
      { op: 'call', method: 'train', kwargs: {}, returned: { params_final: val([1, 2, 3], 'float64', [3]) } },
      { op: 'init', class: 'SomethingNew', coordinates: 'X', kwargs: {} },
    ]);
    const { replayFile } = await import('../../parity/replay');
    const { loadCase, loadInputs } = await import('../../parity/case');
    const inputs = loadInputs(loadCase(file));
    expect(inputs.get('L')).toBeInstanceOf(Int32Array);
    expect((inputs.get('T') as Matrix[]).map((m) => m.toRows())).toEqual([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    const results = await replayFile(file);
    const by = (step: number, out: string) => results.find((r) => r.stepIndex === step && r.output === out)!;
    expect(by(0, 'N').status).toBe('PASS');
    expect(by(0, 'metric').status).toBe('PASS');
    expect(by(0, 'period').status).toBe('PASS');
    expect(by(1, 'metric').status).toBe('PASS');
    // a wrong recorded value fails: the overlap is not 0
    expect(by(2, 'overlap').status).toBe('FAIL');
    // a JAX class: not implemented, with the reason
    expect(by(5, 'params_final').status).toBe('N/I');
    expect(by(5, 'params_final').detail).toMatch(/needs JAX in DADApy/);
    expect(by(6, '(init)').detail).toMatch(/no mapping for DADApy's class SomethingNew/);
  });

  it("replays IdDiscrete's methods against DADApy's recorded values (test_discrete_id.py)", async () => {
    const rows = readFileSync(join(__dirname, '..', 'id', 'fixtures', 'lattice_rng12345_500x5.txt'), 'utf8').trim().split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number));
    const file = freshCase('id_discrete', { X: { rows, dtype: 'int64', shape: [500, 5] } }, [
      { op: 'init', class: 'IdDiscrete', coordinates: 'X', kwargs: { condensed: true, n_jobs: 1 } },
      { op: 'call', method: 'compute_distances', kwargs: { period: 20, d_max: 100 } },
      { op: 'call', method: 'compute_id_binomial_k_discrete', kwargs: { k: 25, ratio: 0.5 }, returned: { id: val(5.018707133975087) } },
      { op: 'call', method: 'compute_id_binomial_k_discrete', kwargs: { k: 4, ratio: 0.5, shell: true }, returned: { id: val(5.602713972478171) } },
      { op: 'call', method: 'compute_id_binomial_lk', kwargs: { lk: 10, ln: 5, method: 'bayes', plot: false }, returned: { id: val(5.0210151347136245) } },
      // DADApy's values to 2 decimals (its test's abs 1e-2): ours must be within rounding, and the mapping must reach returnIdFit
      { op: 'call', method: 'return_id_fit', kwargs: { scales: [6, 7, 8, 9, 10, 11, 12, 13, 14] },
        returned: { ids: val([5.14, 3.92, 3.28, 3.49, 3.86, 4.44, 4.63, 4.71], 'float64', [8]), scales: val([7, 8, 9, 10, 11, 12, 13, 14], 'int64', [8]) } },
    ]);
    const { replayFile } = await import('../../parity/replay');
    const results = await replayFile(file);
    const by = (step: number, out: string) => results.find((r) => r.stepIndex === step && r.output === out)!;
    // the binomial estimators: PASS at the default rtol 1e-9 (k = 25 agrees to ~5e-12)
    for (const s of [2, 3, 4]) expect(by(s, 'id').status, JSON.stringify(by(s, 'id'))).toBe('PASS');
    expect(by(5, 'scales').status).toBe('PASS');
    // the fits are compared (not N/I): off by the 2-decimal rounding of the recorded values only
    expect(by(5, 'ids').status).toBe('FAIL');
    expect(by(5, 'ids').err).toBeLessThan(1e-3);
  });

  it("checks each replayed draw's method and arguments, not only its count", async () => {
    const dir = scratchCase('id_2NN_gauss_D2_N500', (c) => {
      const step = c.steps.find((s: any) => s.rng_draws?.length && s.rng_draws[0].method === 'choice');
      step.rng_draws[0].kwargs.replace = true; // recorded with replacement: ours draws without
    });
    const lines: string[] = [];
    expect(await runParity([dir], { log: (l) => lines.push(l) })).toBe(1);
    expect(lines.join('\n')).toMatch(/recorded with replace = true, but choice\(500, size=\d+, replace=false\) asked for replace = false/);
  });

  it('reports unseeded p-values as INFO, not as passed', async () => {
    const lines: string[] = [];
    const status = await runParity([join(ROOT, 'cases', 'id_binomial_gauss_D5_N1000.json')], { log: (l) => lines.push(l) });
    expect(status).toBe(0);
    expect(lines.filter((l) => l.startsWith('INFO')).length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.startsWith('INFO')).every((l) => /-> (pv|pvalues):/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed, 0 not implemented, [1-9]\d* informational$/);
  });

  it('exits non-zero on a "not implemented" of a method declared implemented, and on any with --strict', async () => {
    const dir = scratchCase('distances_small_gauss_D3_N200', (c) => {
      // an output our compute_distances does not produce, on a method declared implemented
      c.steps[1].attributes.something_new = { dtype: 'float64', shape: [], value: 1 };
    });
    const lines: string[] = [];
    expect(await runParity([dir], { log: (l) => lines.push(l) })).toBe(1);
    expect(lines.at(-1)).toMatch(/1 not implemented in methods declared implemented \(compute_distances\): exit status 1/);
    const dir2 = scratchCase('distances_small_gauss_D3_N200', (c) => {
      c.steps.splice(2, 0, { op: 'call', method: 'compute_something_new', kwargs: {}, returned: { x: { dtype: 'float64', shape: [], value: 1 } } });
    });
    expect(await runParity([dir2], { log: () => {} })).toBe(0);
    expect(await runParity([dir2], { log: () => {}, strict: true })).toBe(1);
  });
});
