/**
 * The ADP explorer's chart (vega-lite v5): the dendrogram of the density peaks and the points
 * coloured by cluster, side by side, for one or several merging outcomes.
 *
 * - Without a kernel (HTML reports, frontends without a widget manager): every outcome of a Z grid
 *   is in the spec, a range input sets Z and a check box the halo; an expression picks the
 *   outcome of the grid point nearest Z, and the points look their cluster up in it.
 * - In the widget: one outcome, the one the kernel computed at the current Z, replaced in place
 *   as the slider moves (the data sets are named: points, assign, seg, leaf, count).
 */
import type { SpecFragment } from '../chart';
import { zoomPan } from '../interactions';

/** One merging result, as the chart draws it. */
export interface AdpOutcome {
  /** Final cluster of each preliminary cluster. */
  assign: number[];
  /** Per final cluster: members with a log density below this are halo. */
  haloBelow: number[];
  nClusters: number;
  coreFraction: number;
  /** The dendrogram's segments and leaves (dendrogramLayout). */
  segments: { x: number; x2: number; y: number; y2: number }[];
  leaves: { x: number; y: number; cluster: number; population: number }[];
}

export interface AdpExplorerPoint {
  /** Point index in the data. */
  i: number;
  x: number;
  y: number;
  /** Preliminary cluster. */
  p: number;
  logDen: number;
  label?: number | string;
}

export interface AdpExplorerInput {
  points: AdpExplorerPoint[];
  outcomes: AdpOutcome[];
  /** The outcome of each Z on the grid zmin, zmin + zstep, ... (static chart); absent: one live outcome. */
  grid?: { zmin: number; zstep: number; outcome: number[] };
  Z: number;
  halo: boolean;
  title?: string;
  /** Points in the data (the scatter may show a sample). */
  nTotal?: number;
}

/** Keys of (outcome, preliminary cluster) pairs in the lookup table. */
const KEY = 100000;

const r6 = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

/** The explorer's data sets (rows), by name. */
export function adpExplorerData(input: AdpExplorerInput, outcomeIds?: number[]): Record<string, Record<string, unknown>[]> {
  const ids = outcomeIds ?? input.outcomes.map((_, o) => o);
  const assign: Record<string, unknown>[] = [];
  const seg: Record<string, unknown>[] = [];
  const leaf: Record<string, unknown>[] = [];
  const count: Record<string, unknown>[] = [];
  input.outcomes.forEach((oc, idx) => {
    const o = ids[idx];
    oc.assign.forEach((k, p) => assign.push({ key: o * KEY + p, k, h: r6(oc.haloBelow[k] ?? -Infinity) }));
    for (const s of oc.segments) seg.push({ o, x: r6(s.x), x2: r6(s.x2), y: r6(s.y), y2: r6(s.y2) });
    for (const l of oc.leaves) leaf.push({ o, x: r6(l.x), y: r6(l.y), k: l.cluster, population: l.population });
    count.push({ o, text: `${oc.nClusters} cluster${oc.nClusters === 1 ? '' : 's'}, ${(100 * oc.coreFraction).toFixed(0)}% core` });
  });
  const points = input.points.map((pt) => {
    const row: Record<string, unknown> = { i: pt.i, x: r6(pt.x), y: r6(pt.y), p: pt.p, logDen: r6(pt.logDen) };
    if (pt.label !== undefined) row.label = pt.label;
    return row;
  });
  return { points, assign, seg, leaf, count };
}

/** The spec; its data sets are `adpExplorerData(input)` (top-level `datasets`, or the widget's). */
export function adpExplorerSpec(input: AdpExplorerInput, opts: { inlineData?: boolean } = {}): SpecFragment {
  const g = input.grid;
  // the static chart carries its rows inline (the notebook's bundle packs large ones as CSV); the widget's are named data sets
  const data = opts.inlineData ? adpExplorerData(input) : null;
  const ds = (name: string) => (data ? { values: data[name] } : { name });
  const params: SpecFragment[] = g
    ? [
      { name: 'Z', value: input.Z, bind: { input: 'range', min: g.zmin, max: r6(g.zmin + g.zstep * (g.outcome.length - 1)), step: g.zstep, name: 'Z ' } },
      { name: 'halo', value: input.halo, bind: { input: 'checkbox', name: 'halo ' } },
      { name: 'outcome', expr: `[${g.outcome.join(',')}][clamp(round((Z - ${g.zmin}) / ${g.zstep}), 0, ${g.outcome.length - 1})]` },
    ]
    : [{ name: 'Z', value: input.Z }, { name: 'halo', value: input.halo }, { name: 'outcome', value: 0 }];
  const hasLabels = input.points.some((p) => p.label !== undefined);
  const tooltip: SpecFragment[] = [
    { field: 'i', type: 'quantitative', title: 'point' }, { field: 'cluster', type: 'nominal' },
    { field: 'logDen', type: 'quantitative', title: 'log density', format: '.3f' },
  ];
  if (hasLabels) tooltip.push({ field: 'label', type: 'nominal' });
  const shown = input.nTotal && input.nTotal > input.points.length ? ` (${input.points.length} of ${input.nTotal} points)` : '';
  const current = 'datum.o == outcome';
  const spec: SpecFragment = {
    title: input.title ?? 'ADP explorer',
    params,
    resolve: { scale: { color: 'shared' } },
    hconcat: [
      {
        title: 'Density peaks',
        width: 300, height: 280,
        layer: [
          {
            data: ds('seg'), transform: [{ filter: current }],
            mark: { type: 'rule', strokeWidth: 1.5 },
            encoding: {
              x: { field: 'x', type: 'quantitative', axis: null }, x2: { field: 'x2' },
              y: { field: 'y', type: 'quantitative', title: 'log density', scale: { zero: false } }, y2: { field: 'y2' },
            },
          },
          {
            data: ds('leaf'), transform: [{ filter: current }],
            mark: { type: 'point', filled: true, size: 60 },
            encoding: {
              x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' },
              color: { field: 'k', type: 'nominal', scale: { scheme: 'tableau20' }, legend: null },
              tooltip: [{ field: 'k', type: 'nominal', title: 'cluster' }, { field: 'population', type: 'quantitative' }, { field: 'y', type: 'quantitative', title: 'peak log density', format: '.3f' }],
            },
          },
          {
            data: ds('count'), transform: [{ filter: current }],
            mark: { type: 'text', align: 'left', baseline: 'top', x: 4, y: 4, fontSize: 13, fontWeight: 'bold' },
            encoding: { text: { field: 'text' } },
          },
        ],
      },
      {
        title: `Clusters, halo ${input.halo ? 'in grey' : 'when ticked'}${shown}`,
        width: 340, height: 300,
        data: ds('points'),
        transform: [
          { calculate: `outcome * ${KEY} + datum.p`, as: 'key' },
          { lookup: 'key', from: { data: ds('assign'), key: 'key', fields: ['k', 'h'] }, as: ['kRaw', 'hRaw'] },
          // a looked-up table packed as CSV keeps its values as text: numbers again
          { calculate: 'toNumber(datum.kRaw)', as: 'k' },
          { calculate: 'toNumber(datum.hRaw)', as: 'h' },
          { calculate: "halo && datum.logDen < datum.h ? 'halo' : '' + datum.k", as: 'cluster' },
        ],
        params: [zoomPan()],
        mark: { type: 'circle', size: 12, opacity: 0.85 },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { zero: false }, title: 'x' },
          y: { field: 'y', type: 'quantitative', scale: { zero: false }, title: 'y' },
          color: { condition: { test: "datum.cluster == 'halo'", value: '#c8c8c8' }, field: 'k', type: 'nominal', title: 'cluster', scale: { scheme: 'tableau20' } },
          tooltip,
        },
      },
    ],
  };
  return spec;
}
