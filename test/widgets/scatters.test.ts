/**
 * Every scatter of data points has tooltips (the point's index, and its cluster, log density and
 * class where the chart knows them) and zoom/pan (an interval bound to the scales), so a chart is
 * explorable wherever vega-embed draws it, kernel or not. Checked on the charts as the library's
 * results and the explorers' static charts make them, and on the compiled vega (the tooltip and
 * the zoom signals are really there), not on hand-written specs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compile } from 'vega-lite';
import { adpClustering, decisionGraph, dpClustering } from '../../lib/clustering';
import { computeKstar, densityPAk } from '../../lib/density';
import { computeNeighborsSync, type NeighborTable } from '../../lib/neighbors';
import { loadData, loadLabels } from '../../lib/io';
import { Matrix } from '../../lib/matrix';
import { adpExplorer, decisionGraphExplorer } from '../../widgets/interactive';
import { densityVsTrueSpec } from '../../widgets/density/vsTrue';

type Spec = Record<string, any>;

let pts: number[][];
let labels: number[];
let nn: NeighborTable;
let dens: { logDen: Float64Array; logDenErr: Float64Array };
let ks: Int32Array;

beforeAll(() => {
  const root = join(__dirname, '..', '..', 'data');
  const { X } = loadData(join(root, 'Fig1.dat.gz'));
  const truth = loadLabels(join(root, 'gt_F1.txt.gz'));
  pts = [];
  labels = [];
  for (let i = 0; i < X.rows; i += 20) { pts.push([X.data[2 * i], X.data[2 * i + 1]]); labels.push(Number(truth[i])); }
  nn = computeNeighborsSync(pts, { maxk: 60 });
  ks = computeKstar(nn, 2).kstar as Int32Array;
  dens = densityPAk(nn, 2, ks);
});

interface Unit { spec: Spec; rows: Spec[]; zoom: boolean }

/** Every point or circle mark whose rows are data points (they carry the point index `i`), with whether its view zooms. */
function pointUnits(spec: Spec, inherited: Spec[] | null = null, viewZooms = false): Unit[] {
  const rows: Spec[] | null = spec.data?.values ?? inherited;
  const zoomsHere = (s: Spec) => (s.params ?? []).some((p: Spec) => p.select?.type === 'interval' && p.select?.bind === 'scales');
  const out: Unit[] = [];
  if (spec.layer) {
    // a layer shares its scales: a zoom in any layer zooms the whole view
    const zoom = viewZooms || zoomsHere(spec) || spec.layer.some(zoomsHere);
    for (const l of spec.layer) out.push(...pointUnits(l, rows, zoom));
    return out;
  }
  for (const key of ['hconcat', 'vconcat', 'concat']) {
    if (spec[key]) for (const s of spec[key]) out.push(...pointUnits(s, rows, false));
  }
  const mark = typeof spec.mark === 'string' ? spec.mark : spec.mark?.type;
  if ((mark === 'point' || mark === 'circle') && rows && rows.length && 'i' in rows[0]) out.push({ spec, rows, zoom: viewZooms || zoomsHere(spec) });
  return out;
}

const fields = (u: Unit) => (u.spec.encoding?.tooltip ?? []).map((t: Spec) => t.field);

/** The compiled vega has a tooltip on the marks and the zoom's signals. */
function compiles(spec: Spec): void {
  const v = compile(spec as never).spec as Spec;
  const text = JSON.stringify(v);
  expect(text).toContain('"tooltip"');
  expect(text).toMatch(/zoom/);
}

describe('every scatter of data points has tooltips and zoom/pan', () => {
  it('the ADP cluster scatter: index, cluster, log density, class; zoom and pan', () => {
    const r = adpClustering(nn, dens.logDen, dens.logDenErr, ks, { halo: true });
    const spec = r.plot({ kind: 'scatter', coordinates: pts, classes: labels }).spec as Spec;
    const units = pointUnits(spec);
    expect(units.length).toBe(2); // the halo and the core points
    for (const u of units) {
      expect(fields(u)).toEqual(expect.arrayContaining(['i', 'cluster', 'density', 'label']));
      expect(u.zoom).toBe(true);
      const row = u.rows[5];
      expect(row.label).toBe(labels[5]);
      expect(row.density).toBeCloseTo(dens.logDen[5], 4);
      expect(row.cluster).toBe(r.clusterAssignment[5] === -1 ? 'halo' : String(r.clusterAssignment[5]));
    }
    compiles(spec);
    expect(() => r.plot({ kind: 'scatter', coordinates: pts, classes: labels.slice(1) })).toThrow(/classes has .* entries/);
  });

  it('the DP decision graph: index, log density, delta, cluster (and class); zoom and pan', () => {
    const g = decisionGraph(nn, dens.logDen, Matrix.fromRows(pts));
    const dp = dpClustering(nn, g, null, { densCut: -6, deltaCut: 2 });
    const spec = dp.plot({ classes: labels }).spec as Spec;
    const [u] = pointUnits(spec);
    expect(fields(u)).toEqual(expect.arrayContaining(['i', 'rho', 'delta', 'cluster', 'label']));
    expect(u.zoom).toBe(true);
    expect(u.rows.map((r) => r.cluster)).toEqual(Array.from(dp.clusterAssignment, (c) => (c < 0 ? 'halo' : String(c))));
    compiles(spec);
    // the bare graph, before any clustering: index, log density, delta
    const bare = pointUnits(g.plot().spec as Spec)[0];
    expect(fields(bare)).toEqual(['i', 'rho', 'delta']);
    expect(bare.zoom).toBe(true);
    expect(() => dp.plot({ classes: [1, 2] })).toThrow(/classes has 2 entries/);
  });

  it('the density against the truth: index and both log densities; zoom and pan', () => {
    const [u] = pointUnits(densityVsTrueSpec(dens.logDen, dens.logDen.map((x) => x + 0.1)));
    expect(fields(u)).toEqual(['i', 'truth', 'estimate']);
    expect(u.zoom).toBe(true);
  });

  it('the explorers\' static charts (HTML reports): index, cluster, log density, class on the points; zoom and pan', async () => {
    const ex = await adpExplorer({ table: nn, logDen: dens.logDen, logDenErr: dens.logDenErr, kstar: ks, coordinates: pts }, { labels });
    const g = decisionGraph(nn, dens.logDen, Matrix.fromRows(pts));
    const dg = await decisionGraphExplorer({ table: nn, graph: g, coordinates: pts }, { labels });
    for (const spec of [ex.staticChart().spec, dg.staticChart().spec] as Spec[]) {
      const units = pointUnits(spec);
      expect(units.length).toBeGreaterThanOrEqual(1);
      const scatter = units.find((u) => u.spec.encoding?.color?.field === 'k')!;
      expect(fields(scatter)).toEqual(expect.arrayContaining(['i', 'cluster', 'logDen', 'label']));
      for (const u of units) {
        expect(fields(u)).toContain('i');
        expect(u.zoom).toBe(true);
      }
      compiles(spec);
    }
  });
});
