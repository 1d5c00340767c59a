import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { adpClustering, adjustedRandIndex, clusterScores, decisionGraph, dpClustering } from '../../lib/clustering';
import { computeKstar, densityPAk } from '../../lib/density';
import { computeNeighborsSync, makeTable } from '../../lib/neighbors';
import { SeededRng } from '../../lib/stats/rng';
import { Data } from '../../lib/data';
import { decodeValue, loadCase, loadInputs } from '../../parity/case';
import type { Matrix } from '../../lib/matrix';
import { CASES, readTable } from './helpers';

/** Labels equal up to a relabelling. */
function sameLabels(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const f = new Map<number, number>(), g = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if (f.has(a[i]) && f.get(a[i]) !== b[i]) return false;
    if (g.has(b[i]) && g.get(b[i]) !== a[i]) return false;
    f.set(a[i], b[i]); g.set(b[i], a[i]);
  }
  return true;
}

describe('ADP on DADApy\'s blobs3 case (densities as DADApy computed them)', () => {
  const c = loadCase(join(CASES, 'clustering_blobs3_D2_N1000.json'));
  const X = loadInputs(c).get('X') as Matrix;
  const nn = computeNeighborsSync(X, { maxk: 100 });
  const pak = c.steps[3];
  const logDen = decodeValue(pak.returned!.log_den) as number[];
  const logDenErr = decodeValue(pak.returned!.log_den_err) as number[];
  const kstar = decodeValue(pak.attributes!.kstar) as number[];
  const adpSteps = c.steps.filter((s) => s.method === 'compute_clustering_ADP');

  it('reproduces every variant: labels, centres, saddles', () => {
    expect(adpSteps.length).toBe(6);
    for (const s of adpSteps) {
      const kw = s.kwargs as { Z: number; halo: boolean; v2?: boolean };
      const r = adpClustering(nn, logDen, logDenErr, kstar, { Z: kw.Z, halo: kw.halo, v2: kw.v2 });
      const labels = decodeValue(s.returned!.cluster_assignment) as number[];
      expect(sameLabels(r.clusterAssignment, labels)).toBe(true);
      const centers = decodeValue(s.attributes!.cluster_centers) as number[];
      expect(Array.from(r.clusterCenters)).toEqual(centers);
      const bord = decodeValue(s.attributes!.log_den_bord) as number[][];
      for (let i = 0; i < bord.length; i++) for (let j = 0; j < bord.length; j++) expect(r.logDenBord[i][j]).toBeCloseTo(bord[i][j], 12);
      expect(r.bordIndices).toEqual(decodeValue(s.attributes!.bord_indices));
      expect(r.unassigned.length).toBe(0);
      expect(r.summary()).toMatch(/^ADP \(Z = /);
    }
  });

  it('returns the core and the halo assignment together', () => {
    const r = adpClustering(nn, logDen, logDenErr, kstar, { Z: 1.65, halo: true });
    let halo = 0;
    for (let i = 0; i < r.coreAssignment.length; i++) {
      expect(r.coreAssignment[i]).toBeGreaterThanOrEqual(0);
      if (r.haloAssignment[i] === -1) halo++; else expect(r.haloAssignment[i]).toBe(r.coreAssignment[i]);
    }
    expect(halo).toBeGreaterThan(0);
    expect(r.coreFraction).toBeCloseTo(1 - halo / 1000, 12);
    expect(Array.from(r.clusterAssignment)).toEqual(Array.from(r.haloAssignment));
  });

  it('DP with the decision graph reproduces DADApy', () => {
    const g = decisionGraph(nn, logDen, X);
    const dg = c.steps.find((s) => s.method === 'compute_DecGraph')!;
    const delta = decodeValue(dg.attributes!.delta) as number[];
    for (let i = 0; i < 1000; i++) expect(g.delta[i]).toBeCloseTo(delta[i], 12);
    expect(Array.from(g.ref)).toEqual(decodeValue(dg.attributes!.ref));
    const dc = decodeValue(pak.attributes!.dc) as number[];
    for (const s of c.steps.filter((t) => t.method === 'compute_clustering_DP')) {
      const kw = s.kwargs as { dens_cut: number; delta_cut: number; halo: boolean };
      const r = dpClustering(nn, g, dc, { densCut: kw.dens_cut, deltaCut: kw.delta_cut, halo: kw.halo });
      expect(sameLabels(r.clusterAssignment, decodeValue(s.returned!.cluster_assignment) as number[])).toBe(true);
      expect(Array.from(r.centers)).toEqual(decodeValue(s.attributes!.centers));
    }
  });
});

describe('k-peaks clustering', () => {
  it('ADP on the k-peaks score finds the three blobs', async () => {
    const c = loadCase(join(CASES, 'clustering_blobs3_D2_N1000.json'));
    const inputs = loadInputs(c);
    const d = new Data(inputs.get('X') as Matrix);
    await d.computeDistances({ maxk: 100 });
    d.setId(2);
    const r = await d.computeClusteringKpeaks({ Z: 1.65 });
    expect(d.density?.method).toBe('kpeaks');
    const gt = Array.from(inputs.get('labels_gt') as Float64Array);
    const ari = adjustedRandIndex(gt, r.clusterAssignment);
    console.log(`blobs3 k-peaks clustering: ${r.nClusters} clusters, ARI ${ari.toFixed(3)}`);
    expect(r.nClusters).toBe(3);
    expect(ari).toBeGreaterThan(0.8);
  });
});

describe('the removed-centre fallback (DADApy\'s off-by-one, spec 7.5a)', () => {
  // three Gaussian blobs, maxk = 10: some removed candidate peaks have no labelled point among
  // their 10 neighbours when their turn comes, and DADApy's Cython fallback reads the removal table
  // one row off and leaves them unassigned (uninitialised labels in DADApy, −1 here).
  function blobs(seed: number) {
    const r = new SeededRng(seed);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - r.random())) * Math.cos(2 * Math.PI * r.random());
    const X: number[][] = [];
    for (let i = 0; i < 300; i++) { const c = i % 3; X.push([c * 3 + gauss(), (c === 1 ? 2 : 0) + gauss()]); }
    const nn = computeNeighborsSync(X, { maxk: 10 });
    const ks = computeKstar(nn, 2).kstar;
    const d = densityPAk(nn, 2, ks);
    return { nn, ks, d };
  }

  it('the cython option reproduces DADApy\'s Cython code (a line-by-line Python transliteration of v1 and v2 run on the same input)', () => {
    const { nn, ks, d } = blobs(44);
    // expected outputs from the transliteration of cython_clustering(_v2).pyx (numpy), seed 44, Z = 1.65
    const REF = {"v1":{"labels":[1,1,0,1,1,0,1,0,0,1,0,0,1,1,0,1,1,0,1,1,0,1,0,0,1,0,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,-1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,0,0,1,0,0,1,1,0,1,1,0,1,1,0,1,0,0,1,1,0,1,1,0,1,0,0,1,1,0,1,1,0,1,0,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,0,0,1,1,0,1,0,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,0,1,1,0,0,1,1,0,1,0,0,1,0,0,1,0,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,0,0,1,1,0,1,1,0,-1,0,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,0,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,1,0,1,0,0,1,1,0,1,0,0,1,1,0,1,1,0,1,1,0,1,0,0,1,0,0,1,0,0,1,1,0,1,1,0,1,0,0,1,1,0,1,0,0,1,1,0],"centers":[94,297],"P":[[-1,7],[7,-1]]},"v2":{"labels":[2,1,0,1,1,0,2,0,0,2,0,0,2,1,0,1,1,0,2,1,0,1,0,0,2,0,0,2,1,0,1,1,0,1,1,0,2,1,0,1,1,0,1,1,0,1,1,0,-1,1,0,1,1,0,1,1,0,2,1,0,2,1,0,1,1,0,1,1,0,2,1,0,1,1,0,2,1,0,1,0,0,2,0,0,2,1,0,2,1,0,2,1,0,1,0,0,2,1,0,2,1,0,2,0,0,1,1,0,2,1,0,2,0,0,1,1,0,1,1,0,2,1,0,2,1,0,2,1,0,2,1,0,2,1,0,1,1,0,1,1,0,2,0,0,2,1,0,2,0,0,2,1,0,2,1,0,2,1,0,2,1,0,2,1,0,2,1,0,1,0,1,2,0,0,1,1,0,1,0,0,2,0,0,2,0,0,2,1,0,2,1,0,1,1,0,2,1,0,2,1,0,1,1,0,2,0,0,2,1,0,2,1,0,-1,0,0,1,1,0,2,1,0,2,1,0,1,1,0,2,1,0,2,1,0,2,0,0,2,1,0,1,1,0,2,1,0,1,1,0,2,1,0,2,1,0,1,0,0,1,1,0,1,0,0,2,1,0,1,1,0,2,1,0,2,0,0,2,0,0,2,0,0,1,1,0,2,1,0,2,0,0,1,1,0,1,0,0,2,1,0],"centers":[94,292,297],"P":[[-1,103,-1],[103,-1,240],[-1,240,-1]]}};
    for (const v2 of [false, true]) {
      const ref = v2 ? REF.v2 : REF.v1;
      const r = adpClustering(nn, d.logDen, d.logDenErr, ks, { fallback: 'cython', v2 });
      expect(Array.from(r.clusterAssignment)).toEqual(ref.labels);
      expect(Array.from(r.clusterCenters)).toEqual(ref.centers);
      expect(r.bordIndices).toEqual(ref.P);
    }
    // here DADApy's bug even changes the number of clusters (v1: 2, with 2 points unassigned)
    const ok = adpClustering(nn, d.logDen, d.logDenErr, ks);
    expect(ok.unassigned.length).toBe(0);
    expect(REF.v1.labels.filter((l: number) => l === -1).length).toBe(2);
  });

  it('DADApy\'s rule leaves points unassigned; ours assigns each to the cluster of the point that removed it', () => {
    const { nn, ks, d } = blobs(10);
    const cy = adpClustering(nn, d.logDen, d.logDenErr, ks, { fallback: 'cython' });
    expect(cy.unassigned.length).toBeGreaterThan(0);
    const ok = adpClustering(nn, d.logDen, d.logDenErr, ks);
    expect(ok.unassigned.length).toBe(0);
    expect(ok.fallbackIndices.length).toBeGreaterThan(0);
    for (let i = 0; i < 300; i++) {
      expect(ok.coreAssignment[i]).toBeGreaterThanOrEqual(0);
      expect(ok.coreAssignment[i]).toBeLessThan(ok.nClusters);
    }
    // each fallback point is a removed candidate: it joins the cluster of the densest point having it among its k* neighbours
    const w = nn.maxk + 1;
    const g = Array.from(d.logDen, (v, i) => v - d.logDenErr[i]);
    for (const e of ok.fallbackIndices) {
      let best = -1;
      for (let i = 0; i < 300; i++) {
        for (let j = 1; j <= ks[i]; j++) if (nn.indices[i * w + j] === e && g[i] > g[e] && (best < 0 || g[i] > g[best])) best = i;
      }
      expect(best).toBeGreaterThanOrEqual(0);
      expect(ok.coreAssignment[e]).toBe(ok.coreAssignment[best]);
    }
    // the member lists partition the points
    const seen = new Set<number>();
    for (const m of ok.clusterIndices) for (const p of m) { expect(seen.has(p)).toBe(false); seen.add(p); }
    expect(seen.size).toBe(300);
  });
});

describe('ADP on Fig1 (20000 x 2, 8 clusters)', () => {
  it('finds the 8 clusters with Z = 1.65, every point labelled, ARI against gt_F1 reported', async () => {
    const X = readTable('Fig1.dat.gz');
    const gt = readTable('gt_F1.txt.gz').map((r) => r[0]);
    const d = new Data(X);
    await d.computeDistances({ maxk: 100 });
    await d.computeId2NN();
    await d.computeDensityPAk();
    const r = await d.computeClusteringADP({ Z: 1.65 });
    expect(r.nClusters).toBe(8);
    expect(d.nClusters).toBe(8);
    for (let i = 0; i < X.length; i++) expect(r.clusterAssignment[i] >= 0 && r.clusterAssignment[i] < 8).toBe(true);
    const ari = adjustedRandIndex(gt, r.clusterAssignment);
    const scores = clusterScores(gt, r.clusterAssignment);
    const rh = await d.computeClusteringADP({ Z: 1.65, halo: true });
    const ariCore = adjustedRandIndex(gt, rh.clusterAssignment, { ignorePredicted: -1, ignoreTrue: -1 });
    const ariHalo = adjustedRandIndex(gt, rh.clusterAssignment);
    console.log(`Fig1 ADP Z=1.65: ${scores.summary()}; ARI with the halo as -1 against gt (-1 = background) ${ariHalo.toFixed(4)}; `
      + `ARI on core points (no halo, no background) ${ariCore.toFixed(4)}`);
    // every point labelled (gt's background is a class of its own here): 0.667
    expect(ari).toBeGreaterThan(0.6);
    // the cores of the 8 clusters are recovered almost exactly (0.9999)
    expect(ariCore).toBeGreaterThan(0.99);
    // with the halo as its own label against the background: 0.823
    expect(ariHalo).toBeGreaterThan(0.8);
  }, 120000);
});

describe('bad input', () => {
  it('refuses NaN densities and mismatched lengths', () => {
    const t = makeTable(3, 2, new Float64Array(9), new Int32Array(9), 'euclidean');
    expect(() => adpClustering(t, [0, NaN, 0], [1, 1, 1], [2, 2, 2])).toThrow(/finite/);
    expect(() => adpClustering(t, [0, 0], [1, 1, 1], [2, 2, 2])).toThrow(/one log density/);
  });
});
