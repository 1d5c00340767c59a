import { describe, expect, it, vi } from 'vitest';
import { Data } from '../../lib/data';
import { Matrix } from '../../lib/matrix';
import { SeededRng } from '../../lib/stats/rng';
import { computeNeighborsSync } from '../../lib/neighbors';

function gaussian(n: number, d: number, seed: number): Matrix {
  const rng = new SeededRng(seed);
  const out = new Float64Array(n * d);
  for (let i = 0; i < out.length; i += 2) {
    const u = 1 - rng.random(), v = rng.random();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return new Matrix(out, n, d);
}

describe('Data (base layer)', () => {
  it("uses DADApy's default maxk = min(100, N - 1) and computes the table lazily", async () => {
    const X = gaussian(60, 3, 1);
    const d = new Data(X);
    expect(d.maxk).toBe(59);
    expect(d.distances).toBeNull();
    await d.computeDistances();
    expect(d.distances!.length).toBe(60 * 60);
    const ref = computeNeighborsSync(X, { maxk: 59 });
    expect(Array.from(d.distIndices!)).toEqual(Array.from(ref.indices));
    for (let i = 0; i < 60; i++) expect(d.distIndices![i * 60]).toBe(i);
  });

  it('takes a precomputed table and refuses one of the wrong size', async () => {
    const X = gaussian(30, 2, 2);
    const t = computeNeighborsSync(X, { maxk: 5 });
    const d = new Data(null, { distances: t });
    expect(d.N).toBe(30);
    expect(d.maxk).toBe(5);
    expect(() => new Data(gaussian(31, 2, 2), { distances: t })).toThrow(/table has 30 rows but there are 31 points/);
    await expect(d.computeDistances()).rejects.toThrow(/needs coordinates/);
  });

  it('reports duplicate points with their rows when the table is computed', async () => {
    const rows = gaussian(20, 2, 3).toRows();
    rows[7] = [...rows[3]];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const d = new Data(rows);
    await d.computeDistances({ maxk: 4 });
    expect(Array.from(d.zeroDistanceRows!)).toEqual([3, 7]);
    expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/2 points have a neighbour at distance 0 .*rows 3, 7.*dedupe/s);
    warn.mockRestore();
  });

  it('refuses maxk >= N and bad metrics with a fix', async () => {
    const d = new Data(gaussian(10, 2, 4));
    await expect(d.computeDistances({ maxk: 10 })).rejects.toThrow(/maxk = 10 but there are only N = 10 points.*maxk <= 9/);
    await expect(d.computeDistances({ metric: 'mahalanobis' })).rejects.toThrow(/Unknown metric 'mahalanobis'. Use one of/);
    expect(() => new Data(null)).toThrow(/neither coordinates nor distances/);
  });
});
