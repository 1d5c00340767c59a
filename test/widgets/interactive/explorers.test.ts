/**
 * The explorers' static charts (what HTML reports and frontends without a widget manager show),
 * evaluated with vega in Node: moving ADP's Z parameter picks the precomputed merge that equals
 * adpClustering at that Z, for the count and for every drawn point; the layer explorer's data hold
 * each layer's curve, clusters and overlap row; the decision-graph explorer keeps the likely
 * centres on its graph.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { adpClustering } from '../../../lib/clustering';
import { computeKstar, densityPAk } from '../../../lib/density';
import { computeNeighborsSync, type NeighborTable } from '../../../lib/neighbors';
import { loadData, loadLabels } from '../../../lib/io';
import { loadVega, packData, roundData, withoutSchema } from '../../../widgets/render';
import { adpExplorer, decisionGraphExplorer, layerExplorer } from '../../../widgets/interactive';
import { decisionGraph } from '../../../lib/clustering';
import { Matrix } from '../../../lib/matrix';

let pts: number[][];
let labels: number[];
let nn: NeighborTable;
let dens: { logDen: Float64Array; logDenErr: Float64Array };
let ks: Int32Array;

beforeAll(() => {
  const root = join(__dirname, '..', '..', '..', 'data');
  const { X } = loadData(join(root, 'Fig1.dat.gz'));
  const truth = loadLabels(join(root, 'gt_F1.txt.gz'));
  pts = [];
  labels = [];
  for (let i = 0; i < X.rows; i += 10) { pts.push([X.data[2 * i], X.data[2 * i + 1]]); labels.push(Number(truth[i])); }
  nn = computeNeighborsSync(pts, { maxk: 100 });
  ks = computeKstar(nn, 2).kstar as Int32Array;
  dens = densityPAk(nn, 2, ks);
});

async function view(spec: Record<string, unknown>): Promise<any> {
  const { vega, vl } = await loadVega();
  const v = new vega.View(vega.parse(vl.compile(withoutSchema(spec)).spec), { renderer: 'none' });
  await v.runAsync();
  return v;
}

describe('the ADP explorer without a kernel', () => {
  it('its Z parameter picks, for every Z of the grid, the clustering adpClustering gives at that Z', async () => {
    const ex = await adpExplorer({ table: nn, logDen: dens.logDen, logDenErr: dens.logDenErr, kstar: ks, coordinates: pts }, { labels, zStep: 0.25 });
    const spec = ex.staticChart().spec as Record<string, any>;
    // the rows are inline: the count text per outcome, the points, the (outcome, peak) -> cluster table
    const data = {
      count: spec.hconcat[0].layer[2].data.values as any[],
      points: spec.hconcat[1].data.values as any[],
      assign: spec.hconcat[1].transform[1].from.data.values as any[],
    };
    const v = await view(spec);
    const seen = new Set<number>();
    for (let s = 0; s <= 20; s++) {
      const Z = s * 0.25;
      v.signal('Z', Z);
      await v.runAsync();
      const o = v.signal('outcome');
      const r = adpClustering(nn, dens.logDen, dens.logDenErr, ks, { Z });
      seen.add(r.nClusters);
      expect(data.count.find((c) => c.o === o).text).toMatch(new RegExp(`^${r.nClusters} clusters?, `));
      // every drawn point looks its cluster up: the same as adpClustering's
      const assign = new Map(data.assign.map((a) => [a.key, a.k]));
      for (const p of data.points) expect(assign.get(o * 100000 + p.p)).toBe(r.coreAssignment[p.i]);
    }
    expect(seen.size).toBeGreaterThanOrEqual(4);
    v.finalize();
    // as the notebook stores it (rounded, large tables packed as CSV text): the same clusters come out
    const packed = await view(packData(roundData(spec)) as Record<string, unknown>);
    const scatterRows = () => Object.keys(packed._runtime.data).map((n) => packed.data(n)).find((rows: any[]) => rows.length === data.points.length && rows[0] && 'cluster' in rows[0]);
    for (const Z of [0.5, 1.5, 3]) {
      packed.signal('Z', Z);
      await packed.runAsync();
      const r = adpClustering(nn, dens.logDen, dens.logDenErr, ks, { Z });
      for (const row of scatterRows()) expect(row.cluster).toBe(String(r.coreAssignment[row.i]));
    }
    packed.finalize();
  });
});

describe('the layer explorer without a kernel', () => {
  it('holds every layer\'s curve, cluster sizes and overlap row; starts on the layer asked for', async () => {
    const { layerProfile } = await import('../../../lib/layers');
    const layers = [0, 1, 2].map((l) => pts.slice(0, 600).map(([x, y]) => [x, y, Math.sin(x * (l + 1) / 5), Math.cos(y * (l + 1) / 5)]));
    const profile = await layerProfile(layers, { names: ['a', 'b', 'c'], labels: labels.slice(0, 600), steps: ['id', 'gride', 'nextOverlap', 'clusters'], rangeMax: 16, scale: 8 });
    const lx = layerExplorer(profile, { layer: 'b' });
    expect(lx.layer).toBe(1);
    const spec = lx.staticChart().spec as Record<string, any>;
    const detail = spec.vconcat[1].hconcat;
    const data = { curve: detail[0].data.values as any[], comp: detail[1].data.values as any[], overlap: detail[2].data.values as any[] };
    for (let l = 0; l < 3; l++) {
      expect(data.curve.filter((r) => r.layer === l).map((r) => r.rank)).toEqual(Array.from(profile.layers[l].gride!.ranks));
      const sizes = data.comp.filter((r) => r.layer === l).reduce((s, r) => s + r.count, 0);
      expect(sizes).toBe(profile.layers[l].clusters!.assignment.length);
      expect(data.overlap.filter((r) => r.layer === l).length).toBe(3);
    }
    const v = await view(spec);
    expect(v.signal('pick')).toBeDefined();
    v.finalize();
    await expect(lx.select('nope')).rejects.toThrow(/no layer "nope"/);
  });
});

describe('the decision-graph explorer without a kernel', () => {
  it('keeps the likely centres on a thinned graph and starts from a DP clustering', async () => {
    const g = decisionGraph(nn, dens.logDen, Matrix.fromRows(pts));
    const dg = await decisionGraphExplorer({ table: nn, graph: g, coordinates: pts }, { maxPoints: 300, staticPoints: 200 });
    const data = { graph: (dg.staticChart().spec as Record<string, any>).hconcat[0].layer[0].data.values as any[] };
    expect(data.graph.length).toBe(200);
    for (const c of dg.centers) expect(data.graph.some((r) => r.i === c)).toBe(true);
    expect(dg.result.nClusters).toBe(dg.centers.length);
    const r = await dg.setCenters([dg.centers[0]]);
    expect(r.nClusters).toBeLessThanOrEqual(2);
  });
});
