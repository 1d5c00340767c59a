import { describe, expect, it } from 'vitest';
import { correlationDimension, correlationIntegral } from '../../lib/id/correlation';
import { levinaBickel } from '../../lib/id/mle';
import { localPcaId, participationRatio, pcaId } from '../../lib/id/pca';
import { computeNeighborsSync } from '../../lib/neighbors';
import { symmetricEigenvalues } from '../../lib/stats/symeig';
import { Matrix } from '../../lib/matrix';
import { embed, noisyPlane, swissRoll, uniformBall, uniformCube } from './helpers';

const rel = (a: number, b: number) => Math.abs(a - b) / b;

describe('symmetric eigenvalues', () => {
  it('match a known spectrum', () => {
    // Q diag(5, 3, 1, 0.5) Q^T with a rotation Q
    const c = Math.cos(0.3), s = Math.sin(0.3), c2 = Math.cos(1.1), s2 = Math.sin(1.1);
    const Q = [[c, -s, 0, 0], [s, c, 0, 0], [0, 0, c2, -s2], [0, 0, s2, c2]];
    const P = [[1, 0, 0, 0], [0, Math.SQRT1_2, Math.SQRT1_2, 0], [0, -Math.SQRT1_2, Math.SQRT1_2, 0], [0, 0, 0, 1]];
    const R = Q.map((row) => [0, 1, 2, 3].map((j) => row.reduce((a, q, k) => a + q * P[k][j], 0)));
    const L = [5, 3, 1, 0.5];
    const A = new Float64Array(16);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) A[i * 4 + j] += R[i][k] * L[k] * R[j][k];
    const ev = symmetricEigenvalues(A, 4);
    L.forEach((l, i) => expect(ev[i]).toBeCloseTo(l, 12));
  });
});

describe('estimators beyond DADApy on data of known dimension', () => {
  it('a 4-cube linearly embedded in 20 dimensions: PCA 4, participation ratio ~4, local PCA 4, MLE and correlation ~4', () => {
    const X = embed(uniformCube(1500, 4, 3), 20, 4);
    const p = pcaId(X);
    expect(p.id90).toBe(4);
    expect(p.id99).toBe(4);
    expect(rel(p.participationRatio, 4)).toBeLessThan(0.05);
    expect(participationRatio(X)).toBeCloseTo(p.participationRatio, 10);
    const nn = computeNeighborsSync(X, { maxk: 20 });
    const lp = localPcaId(X, nn, { k: 20 });
    expect(lp.id).toBeGreaterThan(3.5);
    expect(lp.id).toBeLessThanOrEqual(4);
    const mle = levinaBickel(nn, { k: 10 });
    expect(rel(mle.id, 4)).toBeLessThan(0.12);
    const cd = correlationDimension(X);
    expect(rel(cd.id, 4)).toBeLessThan(0.15);
  });

  it('a 5-ball: MLE (MacKay-Ghahramani) close to 5, below the local-mean variant', () => {
    const nn = computeNeighborsSync(uniformBall(2000, 5, 6), { maxk: 20 });
    const mg = levinaBickel(nn, { k: 10 });
    const lb = levinaBickel(nn, { k: 10, averaging: 'local' });
    expect(rel(mg.id, 5)).toBeLessThan(0.1);
    expect(lb.id).toBeGreaterThan(mg.id);
    const range = levinaBickel(nn, { k1: 6, k2: 12 });
    expect(Array.from(range.ks)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(range.plot().spec.$schema).toContain('v5');
  });

  it('a swiss roll: 2 locally (local PCA, MLE, correlation dimension), 3 globally (PCA)', () => {
    const X = swissRoll(2000, 8);
    const nn = computeNeighborsSync(X, { maxk: 12 });
    expect(pcaId(X).id90).toBe(3);
    const lp = localPcaId(X, nn, { k: 12 });
    expect(Math.abs(lp.id - 2)).toBeLessThan(0.2);
    expect(rel(levinaBickel(nn, { k: 10 }).id, 2)).toBeLessThan(0.1);
    expect(rel(correlationDimension(X).id, 2)).toBeLessThan(0.1);
  });

  it('a noisy plane in 10 dimensions: PCA at 90% and the participation ratio see 2; small-scale MLE sees the noise', () => {
    const X = noisyPlane(1500, 10, 0.002, 9);
    const p = pcaId(X);
    expect(p.id90).toBe(2);
    expect(rel(p.participationRatio, 2)).toBeLessThan(0.05);
    const nn = computeNeighborsSync(X, { maxk: 40 });
    const large = levinaBickel(nn, { k: 40 });
    expect(rel(large.id, 2)).toBeLessThan(0.15);
    expect(levinaBickel(nn, { k: 3 }).id).toBeGreaterThan(large.id);
  });

  it("DADApy's correlation_integral on a full table", () => {
    const X = uniformCube(300, 2, 12);
    const nn = computeNeighborsSync(X, { maxk: 299 });
    const r = correlationIntegral(nn, [0.02, 0.04, 0.06, 0.08]);
    expect(r.ids.length).toBe(3);
    expect(Math.abs(r.ids[2] - 2)).toBeLessThan(0.3);
  });

  it('refuses bad ranges', () => {
    const nn = computeNeighborsSync(uniformCube(50, 2, 1), { maxk: 5 });
    expect(() => levinaBickel(nn, { k: 10 })).toThrow(/maxk = 5/);
    expect(() => pcaId(Matrix.fromRows([[1, 1], [1, 1]]))).toThrow(/zero variance/);
  });
});

describe('the Data facade for the estimators beyond DADApy', () => {
  it('computes them from the stored coordinates and table, leaving intrinsicDim alone', async () => {
    const { Data } = await import('../../lib/data');
    const d = new Data(swissRoll(800, 2));
    await d.computeDistances({ maxk: 15 });
    const lb = await d.computeIdLevinaBickel({ k: 10 });
    const lp = await d.computeIdLocalPCA({ k: 12 });
    const p = await d.computeIdPCA();
    const c = await d.computeIdCorrelation();
    expect(Math.abs(lb.id - 2)).toBeLessThan(0.3);
    expect(Math.abs(lp.id - 2)).toBeLessThan(0.3);
    expect(p.id).toBe(3);
    expect(Math.abs(c.id - 2)).toBeLessThan(0.3);
    expect(d.intrinsicDim).toBeNull();
    expect(lp.plot().spec.$schema).toContain('v5');
  });
});

describe("DADApy's box counting", () => {
  it('gives about 2 for points filling a square and about 1 for points on a segment', async () => {
    const { boxCounting } = await import('../../lib/id/correlation');
    const sq = uniformCube(5000, 2, 21);
    const scales = [0.5, 0.25, 0.125, 0.0625, 0.03125];
    const a = boxCounting(sq, [0, 1], scales, 4);
    expect(Math.abs(a.cfs[a.cfs.length - 1] - 2)).toBeLessThan(0.15);
    const seg = new Matrix(Float64Array.from({ length: 4000 }, (_, i) => (i % 2 === 0 ? (i / 2) / 2000 : 0.5)), 2000, 2);
    const b = boxCounting(seg, [0, 1], scales, 4);
    expect(Math.abs(b.cfs[b.cfs.length - 1] - 1)).toBeLessThan(0.15);
  });
});
