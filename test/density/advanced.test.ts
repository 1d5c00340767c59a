import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { Data } from '../../lib/data';

const SIX = [[0, 0], [0.15, 0], [0.2, 0], [4, 0], [4.1, 0], [4.2, 0]];

function read(name: string): number[][] {
  return gunzipSync(readFileSync(join(__dirname, '../../data', name))).toString('utf8').split('\n')
    .filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.trim().split(/\s+/).map(Number));
}

describe('neighbourhood graph, gradients, free-energy differences (DADApy\'s test_density_advanced values)', () => {
  it('graph edges: k*_i − 1 per point, in rank order', async () => {
    const d = new Data(SIX, { maxk: 3 });
    await d.computeDistances({ maxk: 3 });
    d.setId(1);
    d.setKstar(3);
    const g = await d.computeNeighIndices();
    expect(g.nspar).toBe(12);
    expect(Array.from(g.nindList.slice(0, 4))).toEqual([0, 1, 0, 2]);
    expect(Array.from(g.nindIptr)).toEqual([0, 2, 4, 6, 8, 10, 12]);
    const dist = await d.computeNeighDists();
    expect(dist[0]).toBeCloseTo(0.15, 15);
    const common = await d.computeCommonNeighs({ compCommonNeighsMat: true });
    expect(common[0]).toBe(3); // Ω_0 = {0, 1, 2} = Ω_1
    expect(d.commonNeighsMat![0 * 6 + 1]).toBe(3);
    expect(d.commonNeighsMat![1 * 6 + 0]).toBe(3);
    expect(d.commonNeighsMat![0]).toBe(0);
    const sg = await d.returnSparseDistanceGraph();
    expect(Array.from(sg.indptr)).toEqual([0, 2, 4, 6, 8, 10, 12]);
    expect(sg.data[0]).toBeCloseTo(0.15, 15);
    // scipy's CSR convention (DADApy's csr_matrix): columns ascending within a row, each with its edge's distance
    for (let i = 0; i < 6; i++) {
      const cols = Array.from(sg.indices.slice(sg.indptr[i], sg.indptr[i + 1]));
      expect(cols).toEqual([...cols].sort((a, b) => a - b));
      const edges = new Map<number, number>();
      for (let e = g.nindIptr[i]; e < g.nindIptr[i + 1]; e++) edges.set(g.nindList[2 * e + 1], g.neighDists[e]);
      cols.forEach((c, t) => expect(sg.data[sg.indptr[i] + t]).toBe(edges.get(c)));
    }
    // point 2 (x = 0.2) has its neighbours 1, 0 in rank order: ascending in the CSR rows
    expect(Array.from(sg.indices.slice(4, 6))).toEqual([0, 1]);
    const sim = await d.computeNeighSimilarityIndex({ method: 'geometric' });
    expect(sim[0]).toBeCloseTo(1, 15);
    await expect(d.computeNeighSimilarityIndex({ method: 'cosine' })).rejects.toThrow(/not recognised/);
  });

  it('gradients and their variances (maxk 3, ID 1, k* 3)', async () => {
    const d = new Data(SIX, { maxk: 3 });
    await d.computeDistances({ maxk: 3 });
    d.setId(1);
    d.setKstar(3);
    const r = await d.computeGrads();
    const gx = [13.124999999999995, -6.66666666666666, -9.374999999999998, 11.249999999999973, 1.3322676295501972e-13, -11.250000000000007];
    const vx = [2.6367187500000426, 133.33333333333337, 23.73046874999999, 10.546875000000107, 675.0000000000107, 10.546874999999883];
    for (let i = 0; i < 6; i++) {
      expect(r.grads[2 * i]).toBeCloseTo(gx[i], 9);
      expect(r.grads[2 * i + 1]).toBe(0);
      expect(r.gradsVar[2 * i]).toBeCloseTo(vx[i], 8);
    }
    const c = await d.computeGrads({ compCovmat: true });
    expect(c.gradsCovmat![0]).toBeCloseTo(vx[0] + 1e-10, 8);
    expect(c.gradsVar[0]).toBe(c.gradsCovmat![0]);
  });

  it('Pearson signs and ΔF (maxk 2, k* 2)', async () => {
    const d = new Data(SIX, { maxk: 2 });
    await d.computeDistances({ maxk: 2 });
    d.setId(1);
    d.setKstar(2);
    const p = await d.computePearson();
    const pe = [1 / 3, -1, -1, -1, -1, 1 / 3];
    for (let i = 0; i < 6; i++) expect(p[i]).toBeCloseTo(pe[i], 12);
    const d2 = new Data(SIX, { maxk: 2 });
    await d2.computeDistances({ maxk: 2 });
    d2.setId(1);
    d2.setKstar(2);
    const f = await d2.computeDeltaFs();
    const fe = [6, 0, 0, 0, 0, 3];
    for (let i = 0; i < 6; i++) {
      expect(f.Fij[i]).toBeCloseTo(fe[i], 9);
      expect(Math.abs(f.FijVar[i])).toBeLessThan(1e-9);
    }
  });
});

describe('BMTI on the 6-D double well', () => {
  it('beats k*NN on mean squared error against the true log density (after removing the mean)', async () => {
    const N = 4000;
    const X = read('6d_double_well.txt.gz').slice(0, N);
    const truth = read('6d_double_well_logdensities_and_grads.txt.gz').slice(0, N).map((r) => r[0]);
    const mse = (a: ArrayLike<number>): number => {
      let ma = 0, mt = 0;
      for (let i = 0; i < N; i++) { ma += a[i]; mt += truth[i]; }
      ma /= N; mt /= N;
      let s = 0;
      for (let i = 0; i < N; i++) { const e = a[i] - ma - (truth[i] - mt); s += e * e; }
      return s / N;
    };
    const d = new Data(X);
    await d.computeDistances({ maxk: 100 });
    d.setId(6);
    const knn = await d.computeDensityKstarNN();
    const mKnn = mse(knn.logDen);
    const b = await d.computeDensityBMTI();
    const mB = mse(b.logDen);
    console.log(`6-D double well, N = ${N}: MSE k*NN ${mKnn.toFixed(4)}, BMTI ${mB.toFixed(4)} (CG ${b.iterations} iterations, residual ${b.residual.toExponential(1)})`);
    expect(mB).toBeLessThan(mKnn);
    expect(mB).toBeLessThan(0.8 * mKnn);
    expect(b.residual).toBeLessThan(1e-10);
    // gauge: the mean equals the k*NN mean
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    expect(mean(b.logDen)).toBeCloseTo(mean(knn.logDen), 10);
  }, 60000);

  it('alpha < 1 pulls towards the regulariser; errors from the inverse; bad options refused', async () => {
    const X = read('6d_double_well.txt.gz').slice(0, 300);
    const d = new Data(X);
    await d.computeDistances({ maxk: 30 });
    d.setId(6);
    const knn = await d.computeDensityKstarNN();
    const reg = Float64Array.from(knn.logDen), regErr = Float64Array.from(knn.logDenErr);
    const b1 = await d.computeDensityBMTI({ alpha: 0.999999, logDen: reg, logDenErr: regErr });
    const b0 = await d.computeDensityBMTI({ alpha: 1e-9, logDen: reg, logDenErr: regErr, compLogDenErr: true });
    for (let i = 0; i < 300; i++) expect(b0.logDen[i]).toBeCloseTo(reg[i], 5);
    for (let i = 0; i < 300; i++) expect(b0.logDenErr[i]).toBeCloseTo(regErr[i], 3);
    expect(b1.logDen[0]).not.toBeCloseTo(reg[0], 3);
    await expect(d.computeDensityBMTI({ deltaFInvCov: 'bogus' })).rejects.toThrow(/not valid/);
    // LSDI weights: Var / (Var² + cross terms) is positive and at most 1/Var
    const inv = await d.computeDiagInvDeltaFsCrossCovarianceLSDI();
    const v = d.FijVarArray!;
    for (let e = 0; e < inv.length; e++) { expect(inv[e]).toBeGreaterThan(0); expect(inv[e]).toBeLessThanOrEqual(1 / v[e] * (1 + 1e-12)); }
    const bl = await d.computeDensityBMTI({ deltaFInvCov: 'LSDI' });
    expect(bl.logDen.every((x) => Number.isFinite(x))).toBe(true);
    const P = d.neighSimilarityIndexMat!;
    expect(P[0]).toBe(1);
    await expect(d.computeDensityBMTI({ alpha: 0 })).rejects.toThrow(/alpha/);
  });
});
