import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compile } from 'vega-lite';
import { adpClustering, decisionGraph, dpClustering } from '../../lib/clustering';
import { computeNeighborsSync } from '../../lib/neighbors';
import { decodeValue, loadCase, loadInputs } from '../../parity/case';
import type { Matrix } from '../../lib/matrix';
import { dendrogramLayout, dendrogramSpec, topographyMatrixSpec } from '../../widgets/clustering/topography';
import { decisionGraphSpec } from '../../widgets/clustering/decisionGraph';
import { clusterScatterSpec } from '../../widgets/clustering/scatter';

const TOPO = {
  // four peaks: 0-1 joined high, 2 joins them lower, 3 joins last; no saddle between 1 and 3 (ldMin − 1 = −9)
  logDenBord: [[-10, -2, -4, -6], [-2, -10, -5, -9], [-4, -5, -10, -7], [-6, -9, -7, -10]],
  centerLogDen: [-1, -1.5, -3, -5],
  populations: [400, 300, 200, 100],
};

describe('clustering charts (vega-lite v5)', () => {
  it('the dendrogram follows DADApy\'s get_dendrogram single linkage', () => {
    const L = dendrogramLayout(TOPO, true);
    // merges by smallest F_max − saddle: (0,1) at −2, then (2, {0,1}) at −4, then 3 at −6
    expect(L.merges.map((m) => [m.left, m.right, m.height])).toEqual([[0, 1, -2], [2, 4, -4], [3, 5, -6]]);
    expect(L.order).toEqual([3, 2, 0, 1]);
    expect(L.widths).toEqual([5, 5, 5, 4]); // trunc(log population)
    const spec = dendrogramSpec(TOPO);
    expect(spec).toMatchSnapshot();
    expect(() => compile(spec as never)).not.toThrow();
  });

  it('the topography matrix puts the peaks on the diagonal', () => {
    const spec = topographyMatrixSpec(TOPO);
    const values = (spec.data as { values: { i: number; j: number; value: number; kind: string }[] }).values;
    expect(values[0]).toEqual({ i: 0, j: 0, value: -1, kind: 'peak' });
    expect(values[1]).toEqual({ i: 0, j: 1, value: -2, kind: 'saddle' });
    expect(spec).toMatchSnapshot();
    expect(() => compile(spec as never)).not.toThrow();
  });

  it('the decision graph has an interval selection for the centres and marks the cuts', () => {
    const spec = decisionGraphSpec([-1, -2, -0.5, -3], [0.1, 2, 3, 0.2], { densCut: -2.5, deltaCut: 1 });
    const v = (spec.data as { values: { centre: boolean }[] }).values.map((p) => p.centre);
    expect(v).toEqual([false, true, true, false]);
    expect(((spec.layer as { params?: { name: string }[] }[])[0].params ?? [])[0].name).toBe('centres');
    expect(spec).toMatchSnapshot();
    expect(() => compile(spec as never)).not.toThrow();
  });

  it('the cluster scatter greys the halo and marks the centres', () => {
    const spec = clusterScatterSpec([[0, 0], [1, 0], [0, 1], [5, 5], [6, 5]], [0, 0, -1, 1, 1], { centers: [0, 3] });
    expect((spec.data as { values: { cluster: string }[] }).values.map((p) => p.cluster)).toEqual(['0', '0', 'halo', '1', '1']);
    expect(spec).toMatchSnapshot();
    expect(() => compile(spec as never)).not.toThrow();
  });

  it('results plot themselves: ADP topography and scatter, DP decision graph', () => {
    const c = loadCase(join(__dirname, '../../parity/cases/clustering_blobs3_D2_N1000.json'));
    const X = loadInputs(c).get('X') as Matrix;
    const nn = computeNeighborsSync(X, { maxk: 100 });
    const pak = c.steps[3];
    const ld = decodeValue(pak.returned!.log_den) as number[];
    const r = adpClustering(nn, ld, decodeValue(pak.returned!.log_den_err) as number[], decodeValue(pak.attributes!.kstar) as number[], { halo: true });
    for (const chart of [r.plot(), r.plot({ kind: 'matrix' }), r.plot({ kind: 'scatter', coordinates: X })]) {
      expect(() => compile(chart.spec as never)).not.toThrow();
    }
    expect(() => r.plot({ kind: 'scatter' })).toThrow(/coordinates/);
    const g = decisionGraph(nn, ld, X);
    const dp = dpClustering(nn, g, null, { densCut: -4, deltaCut: 1.5 });
    expect(() => compile(dp.plot().spec as never)).not.toThrow();
    expect(() => compile(g.plot({ densCut: -4, deltaCut: 1.5 }).spec as never)).not.toThrow();
    expect(g.summary()).toMatch(/Decision graph of 1000 points/);
  });
});
