/**
 * What the explorers compute: ADP split into a Z-independent topology and a per-Z merge (the same
 * clusterings as adpClustering at every Z, v1 and v2, including DADApy's fallback), and DP from
 * centres chosen by hand.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { adpClustering, adpTopology, decisionGraph, dpClustering, dpClusteringFromCenters } from '../../lib/clustering';
import { computeKstar, densityPAk } from '../../lib/density';
import { computeNeighborsSync } from '../../lib/neighbors';
import { SeededRng } from '../../lib/stats/rng';
import { decodeValue, loadCase, loadInputs } from '../../parity/case';
import type { Matrix } from '../../lib/matrix';
import { loadData } from '../../lib/io';
import { CASES } from './helpers';

const ZS = Array.from({ length: 41 }, (_, i) => i * 0.125);

function same(a: ReturnType<typeof adpClustering>, b: ReturnType<typeof adpClustering>): void {
  expect(Array.from(b.clusterAssignment)).toEqual(Array.from(a.clusterAssignment));
  expect(Array.from(b.haloAssignment)).toEqual(Array.from(a.haloAssignment));
  expect(Array.from(b.clusterCenters)).toEqual(Array.from(a.clusterCenters));
  expect(b.bordIndices).toEqual(a.bordIndices);
  expect(b.logDenBord).toEqual(a.logDenBord);
  expect(b.coreFraction).toBe(a.coreFraction);
}

describe('ADP: one topology, a merge per Z', () => {
  const c = loadCase(join(CASES, 'clustering_blobs3_D2_N1000.json'));
  const X = loadInputs(c).get('X') as Matrix;
  const nn = computeNeighborsSync(X, { maxk: 100 });
  const pak = c.steps[3];
  const logDen = decodeValue(pak.returned!.log_den) as number[];
  const logDenErr = decodeValue(pak.returned!.log_den_err) as number[];
  const kstar = decodeValue(pak.attributes!.kstar) as number[];

  it('merge(Z) of a topology computed at 1.65 is adpClustering(Z) on a grid of 41 Z values, v1 and v2, with and without halo', () => {
    const t = adpTopology(nn, logDen, logDenErr, kstar);
    const counts = new Set<number>();
    for (const Z of ZS) {
      for (const v2 of [false, true]) {
        const a = adpClustering(nn, logDen, logDenErr, kstar, { Z, v2, halo: true });
        same(a, t.merge({ Z, v2, halo: true }));
        counts.add(a.nClusters);
      }
    }
    expect(counts.size).toBeGreaterThanOrEqual(2);
  });

  it('and on 2000 points of Fig1, where the grid goes from dozens of clusters to a few', () => {
    const { X: fig1 } = loadData(join(__dirname, '..', '..', 'data', 'Fig1.dat.gz'));
    const pts: number[][] = [];
    for (let i = 0; i < fig1.rows; i += 10) pts.push([fig1.data[2 * i], fig1.data[2 * i + 1]]);
    const t0 = computeNeighborsSync(pts, { maxk: 100 });
    const ks = computeKstar(t0, 2).kstar;
    const d = densityPAk(t0, 2, ks);
    const t = adpTopology(t0, d.logDen, d.logDenErr, ks);
    const counts = new Set<number>();
    for (const Z of ZS) {
      const a = adpClustering(t0, d.logDen, d.logDenErr, ks, { Z, halo: true });
      same(a, t.merge({ Z, halo: true }));
      counts.add(a.nClusters);
    }
    expect(counts.size).toBeGreaterThanOrEqual(5);
  });

  it('the same holds with DADApy\'s Cython fallback, unassigned points and all', () => {
    const r = new SeededRng(10);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - r.random())) * Math.cos(2 * Math.PI * r.random());
    const pts: number[][] = [];
    for (let i = 0; i < 300; i++) { const k = i % 3; pts.push([k * 3 + gauss(), (k === 1 ? 2 : 0) + gauss()]); }
    const small = computeNeighborsSync(pts, { maxk: 10 });
    const ks = computeKstar(small, 2).kstar;
    const d = densityPAk(small, 2, ks);
    const t = adpTopology(small, d.logDen, d.logDenErr, ks, { fallback: 'cython' });
    expect(t.unassigned.length).toBeGreaterThan(0);
    for (const Z of ZS) for (const v2 of [false, true]) same(adpClustering(small, d.logDen, d.logDenErr, ks, { Z, v2, fallback: 'cython' }), t.merge({ Z, v2 }));
  });

  it('refuses a Z that is not a number, and unknown options', () => {
    const t = adpTopology(nn, logDen, logDenErr, kstar);
    expect(() => t.merge({ Z: Number.NaN })).toThrow(/finite number/);
    expect(() => t.merge({ z: 1 } as never)).toThrow(/did you mean 'Z'/);
  });
});

describe('DP from centres chosen by hand', () => {
  const c = loadCase(join(CASES, 'clustering_blobs3_D2_N1000.json'));
  const X = loadInputs(c).get('X') as Matrix;
  const nn = computeNeighborsSync(X, { maxk: 100 });
  const pak = c.steps[3];
  const logDen = decodeValue(pak.returned!.log_den) as number[];
  const g = decisionGraph(nn, logDen, X);

  it('the centres DP takes with cuts, given by hand, give DP\'s clustering', () => {
    const cut = dpClustering(nn, g, null, { densCut: Math.min(...logDen) - 1, deltaCut: 1 });
    expect(cut.nClusters).toBeGreaterThanOrEqual(2);
    const hand = dpClusteringFromCenters(nn, g, null, cut.centers);
    expect(Array.from(hand.clusterAssignment)).toEqual(Array.from(cut.clusterAssignment));
    expect(hand.addedCenters.length).toBe(0);
  });

  it('adds the densest point when it was not chosen (it has no denser point to follow), and says so', () => {
    let top = 0;
    for (let i = 1; i < logDen.length; i++) if (logDen[i] > logDen[top]) top = i;
    const other = top === 0 ? 1 : 0;
    const r = dpClusteringFromCenters(nn, g, null, [other]);
    expect(Array.from(r.addedCenters)).toEqual([top]);
    expect(Array.from(r.centers)).toEqual([Math.min(top, other), Math.max(top, other)]);
    expect(r.nClusters).toBe(2);
    expect(r.summary()).toMatch(/densest point added/);
    expect(() => dpClusteringFromCenters(nn, g, null, [5000])).toThrow(/not a point index/);
  });
});
