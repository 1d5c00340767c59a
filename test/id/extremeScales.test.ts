/**
 * Coordinates around 1e155 overflow the squared distances to Infinity (TwoNN gave NaN, Gride
 * 0.001 at every scale); around 1e-300 they underflow to 0 (every point a "duplicate"). The
 * neighbour searches scale by a power of two first (lib/neighbors/scale.ts), so the IDs, which
 * are scale-invariant, equal those of the unscaled data, and the distances are reported in the
 * caller's units. With a power-of-two factor the scaling is exact: the IDs are bit-identical.
 */
import { describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { Matrix } from '../../lib/matrix';
import { computeNeighbors, crossNeighbors, forEachNeighborRankBlock, type Engine } from '../../lib/neighbors';
import { silenceWarnings } from '../../lib/runtime/warnings';
import { SeededRng } from '../../lib/stats/rng';

function uniform(n: number, d: number, seed: number): Matrix {
  const rng = new SeededRng(seed);
  return new Matrix(Float64Array.from({ length: n * d }, () => rng.random()), n, d);
}
const times = (X: Matrix, f: number): Matrix => new Matrix(X.data.map((v) => v * f), X.rows, X.cols);

// exact-js (tiny N), the kd-tree (low D) and the WebAssembly engine (D > 8)
const cases: [string, Matrix, Engine][] = [
  ['exact-js', uniform(200, 3, 1), 'exact-js'],
  ['kdtree', uniform(800, 3, 2), 'kdtree'],
  ['wasm', uniform(1200, 12, 3), 'wasm'],
];

async function ids(X: Matrix, engine: Engine): Promise<{ twoNN: number; gride: Float64Array; binomial: number; distances: Float64Array }> {
  const d = new Data(X, { maxk: 20 });
  await d.computeDistances({ engine });
  const twoNN = (await d.computeId2NN()).id;
  const binomial = (await d.computeIdBinomialK({ k: 8, r: 0.5 })).id;
  const gride = (await new Data(X).returnIdScalingGride({ rangeMax: 16 })).ids;
  return { twoNN, gride: Float64Array.from(gride), binomial, distances: d.distances! };
}

describe('extreme coordinate scales', () => {
  for (const [name, X, engine] of cases) {
    it(`${name}: on X * 2^515 (~1e155) and X * 2^-997 (~1e-300) TwoNN, Gride and the binomial ID equal those on X, bit for bit`, async () => {
      const ref = await ids(X, engine);
      expect(ref.twoNN).toBeGreaterThan(1);
      for (const e of [515, -997, 70, -70, 1000]) {
        const got = await ids(times(X, 2 ** e), engine);
        expect(got.twoNN).toBe(ref.twoNN);
        expect(Array.from(got.gride)).toEqual(Array.from(ref.gride));
        expect(got.binomial).toBe(ref.binomial);
        // distances in the caller's units
        expect(Array.from(got.distances)).toEqual(Array.from(ref.distances, (v) => v * 2 ** e));
      }
    });

    it(`${name}: decimal factors 1e155 and 1e-300 give the same IDs to rounding`, async () => {
      const ref = await ids(X, engine);
      for (const f of [1e155, 1e-300]) {
        const got = await ids(times(X, f), engine);
        expect(Number.isFinite(got.twoNN)).toBe(true);
        expect(got.twoNN).toBeCloseTo(ref.twoNN, 10);
        got.gride.forEach((v, i) => expect(v).toBeCloseTo(ref.gride[i], 10));
        expect(Math.abs(got.distances[1] / f - ref.distances[1])).toBeLessThan(1e-12 * ref.distances[1]);
      }
    });
  }

  it('no false duplicates at 1e-300, and the neighbour entries (table, rank blocks, cross queries) report distances in the caller units', async () => {
    const restore = silenceWarnings();
    try {
      const X = uniform(300, 4, 4);
      const f = 2 ** -997;
      const Y = times(X, f);
      const d = new Data(Y, { maxk: 10 });
      await d.computeDistances();
      expect(d.zeroDistanceRows!.length).toBe(0);
      const t = await computeNeighbors(X, { maxk: 10 });
      const u = await computeNeighbors(Y, { maxk: 10 });
      expect(Array.from(u.indices)).toEqual(Array.from(t.indices));
      expect(Array.from(u.distances)).toEqual(Array.from(t.distances, (v) => v * f));
      const blocks: number[] = [];
      await forEachNeighborRankBlock(Y, { ranks: [1, 4], keep: 2 }, (_r0, _r1, rd) => { blocks.push(...rd); });
      const want: number[] = [];
      for (let i = 0; i < 300; i++) want.push(t.distances[i * 11 + 1] * f, t.distances[i * 11 + 4] * f);
      expect(blocks).toEqual(want);
      const q = await crossNeighbors(times(uniform(5, 4, 5), f), Y, 3);
      const q0 = await crossNeighbors(uniform(5, 4, 5), X, 3);
      expect(Array.from(q.indices)).toEqual(Array.from(q0.indices));
      expect(Array.from(q.distances)).toEqual(Array.from(q0.distances, (v) => v * f));
    } finally { restore(); }
  });

  it('densities at 1e155 are the unscaled ones shifted by -d log(factor), and ADP finds the same clusters', async () => {
    const X = uniform(400, 2, 6);
    const e = 515;
    const a = new Data(X, { maxk: 30 });
    const b = new Data(times(X, 2 ** e), { maxk: 30 });
    const ra = await a.computeDensityKNN({ k: 10 });
    const rb = await b.computeDensityKNN({ k: 10 });
    expect(ra.id).toBe(rb.id);
    ra.logDen.forEach((v, i) => expect(rb.logDen[i]).toBeCloseTo(v - ra.id * e * Math.LN2, 8));
    const ca = await a.computeClusteringADP();
    const cb = await b.computeClusteringADP();
    expect(Array.from(cb.clusterAssignment)).toEqual(Array.from(ca.clusterAssignment));
  });
});
