/**
 * The decision-graph explorer's chart (vega-lite v5): the decision graph (log density against
 * delta, the distance to the nearest denser point), where a drag draws a box, beside the points
 * coloured by their DP cluster. The kernel reads the box (`centres`), recomputes the clustering
 * and replaces the data sets `chosen` (the centres) and `labels` (each shown point's cluster).
 * Without a kernel the chart shows the last clustering, with tooltips and zoom/pan.
 */
import type { SpecFragment } from '../chart';
import { zoomPan } from '../interactions';

export interface DpExplorerInput {
  /** Decision graph rows (a sample keeping the points most likely to be centres). */
  graph: { i: number; rho: number; delta: number }[];
  /** Scatter rows: row j of the sample, its point index and 2-D position. */
  points: { j: number; i: number; x: number; y: number; logDen: number; label?: number | string }[];
  /** The current centres (point indices). */
  centers: number[];
  /** Cluster of each scatter row (−1: halo). */
  labels: number[];
  /** The cuts drawn as dashed lines (cut mode). */
  cuts?: { densCut: number; deltaCut: number } | null;
  title?: string;
  nTotal?: number;
}

const r6 = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

export function dpExplorerData(input: DpExplorerInput): Record<string, Record<string, unknown>[]> {
  return {
    graph: input.graph.map((g) => ({ i: g.i, rho: r6(g.rho), delta: r6(g.delta) })),
    points: input.points.map((p) => {
      const row: Record<string, unknown> = { j: p.j, i: p.i, x: r6(p.x), y: r6(p.y), logDen: r6(p.logDen) };
      if (p.label !== undefined) row.label = p.label;
      return row;
    }),
    chosen: input.centers.map((i, k) => ({ i, centre: k })),
    labels: input.labels.map((k, j) => ({ j, k })),
    cuts: input.cuts ? [{ densCut: r6(input.cuts.densCut), deltaCut: r6(input.cuts.deltaCut) }] : [],
  };
}

export function dpExplorerSpec(input: DpExplorerInput, opts: { inlineData?: boolean } = {}): SpecFragment {
  const data = opts.inlineData ? dpExplorerData(input) : null;
  const ds = (name: string) => (data ? { values: data[name] } : { name });
  const hasLabels = input.points.some((p) => p.label !== undefined);
  const tooltip: SpecFragment[] = [
    { field: 'i', type: 'quantitative', title: 'point' }, { field: 'cluster', type: 'nominal' },
    { field: 'logDen', type: 'quantitative', title: 'log density', format: '.3f' },
  ];
  if (hasLabels) tooltip.push({ field: 'label', type: 'nominal' });
  const shown = input.nTotal && input.nTotal > input.points.length ? ` (${input.points.length} of ${input.nTotal} points)` : '';
  const spec: SpecFragment = {
    title: input.title ?? 'Decision graph explorer: drag a box around the centres',
    resolve: { scale: { color: 'independent' } },
    hconcat: [
      {
        title: 'Decision graph (drag: box, shift-drag: pan)',
        width: 320, height: 300,
        layer: [
          {
            data: ds('graph'),
            transform: [{ lookup: 'i', from: { data: ds('chosen'), key: 'i', fields: ['centre'] } }, { calculate: 'isValid(datum.centre) && datum.centre !== \'\'', as: 'isCentre' }],
            params: [{ name: 'centres', select: { type: 'interval', encodings: ['x', 'y'] } }, zoomPan({ shiftPan: true })],
            mark: { type: 'point', filled: true },
            encoding: {
              x: { field: 'rho', type: 'quantitative', title: 'log density (rho)', scale: { zero: false } },
              y: { field: 'delta', type: 'quantitative', title: 'delta' },
              color: { condition: { test: 'datum.isCentre', value: '#d62728' }, value: '#4c78a8' },
              size: { condition: { test: 'datum.isCentre', value: 90 }, value: 16 },
              tooltip: [{ field: 'i', type: 'quantitative', title: 'point' }, { field: 'rho', type: 'quantitative', format: '.3f' },
                { field: 'delta', type: 'quantitative', format: '.4g' }, { field: 'centre', type: 'nominal', title: 'cluster of the centre' }],
            },
          },
          { data: ds('cuts'), mark: { type: 'rule', strokeDash: [4, 4], color: 'grey' }, encoding: { x: { field: 'densCut', type: 'quantitative' } } },
          { data: ds('cuts'), mark: { type: 'rule', strokeDash: [4, 4], color: 'grey' }, encoding: { y: { field: 'deltaCut', type: 'quantitative' } } },
        ],
      },
      {
        title: `Clusters${shown}`,
        width: 340, height: 300,
        data: ds('points'),
        transform: [
          { lookup: 'j', from: { data: ds('labels'), key: 'j', fields: ['k'] }, as: ['kRaw'] },
          { calculate: 'toNumber(datum.kRaw)', as: 'k' },
          { calculate: "datum.k < 0 ? 'halo' : '' + datum.k", as: 'cluster' },
        ],
        params: [zoomPan()],
        mark: { type: 'circle', size: 12, opacity: 0.85 },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { zero: false } },
          y: { field: 'y', type: 'quantitative', scale: { zero: false } },
          color: { condition: { test: 'datum.k < 0', value: '#c8c8c8' }, field: 'k', type: 'nominal', title: 'cluster', scale: { scheme: 'tableau20' } },
          tooltip,
        },
      },
    ],
  };
  return spec;
}
