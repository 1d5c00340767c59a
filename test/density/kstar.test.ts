import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { computeKstar, kstarThreshold } from '../../lib/density/kstar';
import { computeNeighborsSync, makeTable } from '../../lib/neighbors';
import { loadCase, loadInputs, decodeValue } from '../../parity/case';
import { chi2Isf1 } from '../../lib/stats/chi2';
import type { Matrix } from '../../lib/matrix';

const CASES = join(__dirname, '../../parity/cases');

describe('computeKstar', () => {
  it('thresholds are chi2.isf(alpha, 1) (scipy values)', () => {
    expect(kstarThreshold(1e-6)).toBe(23.928126976934827);
    expect(chi2Isf1(1e-6)).toBeCloseTo(23.928126976934827, 12);
    expect(chi2Isf1(1e-6 / 500)).toBeCloseTo(35.973688989275416, 11);
    expect(chi2Isf1(0.05)).toBeCloseTo(3.8414588206941285, 12);
    expect(chi2Isf1(1e-3)).toBeCloseTo(10.827566170662733, 12);
    expect(chi2Isf1(1)).toBe(0);
  });

  it('matches DADApy on gauss D2 N500 with set_id(2)', () => {
    const c = loadCase(join(CASES, 'density_gauss_D2_N500.json'));
    const X = loadInputs(c).get('X') as Matrix;
    const nn = computeNeighborsSync(X, { maxk: 100 });
    const stepI = c.steps.findIndex((s, i) => s.method === 'compute_kstar' && c.steps[i - 1].method === 'set_id');
    const expected = decodeValue(c.steps[stepI].attributes!.kstar) as ArrayLike<number>;
    const r = computeKstar(nn, 2.0, { alpha: 1e-6 });
    expect(Array.from(r.kstar)).toEqual(Array.from(expected));
    for (let i = 0; i < 500; i++) expect(r.dc[i]).toBe(nn.distances[i * 101 + r.kstar[i]]);
    expect(r.summary()).toMatch(/k\* mean/);
  });

  it('by hand on a uniform 1-D lattice: every test passes, k* = maxk - 1', () => {
    // points 0..19 on a line; interior points have symmetric balls, but near the edge they do not.
    const n = 40, maxk = 6;
    const d = new Float64Array(n * (maxk + 1)), ix = new Int32Array(n * (maxk + 1));
    // a ring of n equally spaced points (period n): all k-balls equal, dL = 0
    for (let i = 0; i < n; i++) {
      const order = [i];
      for (let s = 1; order.length <= maxk; s++) { order.push((i + s) % n); if (order.length <= maxk) order.push((i - s + n) % n); }
      for (let j = 0; j <= maxk; j++) { ix[i * (maxk + 1) + j] = order[j]; d[i * (maxk + 1) + j] = Math.ceil(j / 2); }
    }
    const r = computeKstar(makeTable(n, maxk, d, ix, 'euclidean'), 1);
    expect(Array.from(new Set(r.kstar))).toEqual([maxk - 1]);
  });

  it('stops where the density jumps (hand-computed statistic)', () => {
    // point 0 with radii 1,2,3,...; its 4th neighbour (j = 4) has a 3-ball of radius 300 (100x sparser in 1-D):
    // dL = -2*3*(log 3 + log 300 - 2 log 303 + log 4) = 19.4 < 23.9 with alpha 1e-6, > 10.83 with alpha 1e-3
    const n = 5, maxk = 6, w = maxk + 1;
    const d = new Float64Array(n * w), ix = new Int32Array(n * w);
    for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) { d[i * w + j] = j * (i === 4 ? 100 : 1); ix[i * w + j] = (i + j) % n; }
    const dL = -2 * 3 * (Math.log(3) + Math.log(300) - 2 * Math.log(303) + Math.log(4));
    expect(dL).toBeGreaterThan(10.83);
    expect(dL).toBeLessThan(23.9);
    expect(computeKstar(makeTable(n, maxk, d, ix, 'euclidean'), 1, { alpha: 1e-3 }).kstar[0]).toBe(3);
    expect(computeKstar(makeTable(n, maxk, d, ix, 'euclidean'), 1, { alpha: 1e-6 }).kstar[0]).toBeGreaterThan(3);
  });

  it('NaN statistic (both radii zero) passes, one zero radius stops', () => {
    const n = 6, maxk = 5, w = maxk + 1;
    const d = new Float64Array(n * w), ix = new Int32Array(n * w);
    for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) { ix[i * w + j] = (i + j) % n; d[i * w + j] = 0; }
    expect(computeKstar(makeTable(n, maxk, d, ix, 'euclidean'), 2).kstar[0]).toBe(maxk - 1);
    for (let j = 1; j < w; j++) d[4 * w + j] = j; // the 4th neighbour of 0 has a positive 3-ball radius
    expect(computeKstar(makeTable(n, maxk, d, ix, 'euclidean'), 2).kstar[0]).toBe(3);
  });

  it('refuses bad input with a DadalabError', () => {
    const n = 6, maxk = 3;
    const t = makeTable(n, maxk, new Float64Array(n * 4), new Int32Array(n * 4), 'euclidean');
    expect(() => computeKstar(t, 2)).toThrow(/maxk/);
    const t2 = makeTable(n, 5, new Float64Array(n * 6), new Int32Array(n * 6), 'euclidean');
    expect(() => computeKstar(t2, 0)).toThrow(/intrinsic dimension/);
    expect(() => computeKstar(t2, 2, { alpha: 2 })).toThrow(/alpha/);
  });
});
