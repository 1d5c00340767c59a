/**
 * The layer explorer's chart (vega-lite v5): the intrinsic dimension across layers on top (click
 * a layer), and below, for the chosen layer, its Gride scale curve, its clusters (sizes, split by
 * class when there are labels) and its row of the layer x layer neighbourhood overlap.
 *
 * - Without a kernel: every layer's rows are in the spec and a point selection (click, or the
 *   layer drop-down bound to it) filters them.
 * - In the widget: the kernel answers a click by sending the chosen layer's rows (data sets
 *   curve, comp, overlap), so the chart shows what the kernel holds as `explorer.selected`.
 */
import type { SpecFragment } from '../chart';
import { logEncoding, nameAxis } from '../axes';

export interface LayerExplorerInput {
  names: readonly string[];
  /** Per layer: ID at the profile's scale and its error (NaN: none). */
  id: { value: number; err: number }[];
  idTitle: string;
  /** Per layer: Gride's scale curve (null: none). */
  curves: ({ ranks: ArrayLike<number>; ids: ArrayLike<number>; idsErr: ArrayLike<number> } | null)[];
  /** Per layer: cluster sizes by class (class '' without labels); null: no clustering. */
  clusters: ({ cluster: number; cls: string; count: number }[] | null)[];
  /** The overlap matrix (L x L, row-major), or null. */
  overlap: { values: ArrayLike<number>; k: number } | null;
  selected: number;
  title?: string;
}

const r6 = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

/** Data sets: profile (all layers), and the detail rows of the layers listed (default all). */
export function layerExplorerData(input: LayerExplorerInput, layers?: number[]): Record<string, Record<string, unknown>[]> {
  const L = input.names.length;
  const which = layers ?? Array.from({ length: L }, (_, l) => l);
  const profile = input.names.map((name, layer) => ({ layer, name, id: r6(input.id[layer].value), lo: r6(input.id[layer].value - input.id[layer].err), hi: r6(input.id[layer].value + input.id[layer].err) }));
  const curve: Record<string, unknown>[] = [];
  const comp: Record<string, unknown>[] = [];
  const overlap: Record<string, unknown>[] = [];
  for (const layer of which) {
    const c = input.curves[layer];
    if (c) {
      for (let t = 0; t < c.ids.length; t++) {
        curve.push({ layer, rank: c.ranks[t], id: r6(c.ids[t]), lo: r6(c.ids[t] - c.idsErr[t]), hi: r6(c.ids[t] + c.idsErr[t]) });
      }
    }
    for (const row of input.clusters[layer] ?? []) comp.push({ layer, cluster: row.cluster, cls: row.cls, count: row.count });
    if (input.overlap) {
      for (let m = 0; m < L; m++) overlap.push({ layer, other: m, otherName: input.names[m], value: r6(input.overlap.values[layer * L + m]) });
    }
  }
  return { profile, curve, comp, overlap };
}

/** The spec. `live`: the detail rows are the kernel's (no filter); otherwise the click selection filters them. */
export function layerExplorerSpec(input: LayerExplorerInput, opts: { live?: boolean; inlineData?: boolean } = {}): SpecFragment {
  const L = input.names.length;
  const data = opts.inlineData ? layerExplorerData(input) : null;
  const ds = (name: string) => (data ? { values: data[name] } : { name });
  const pick: SpecFragment = {
    name: 'pick',
    value: [{ layer: input.selected }],
    select: { type: 'point', fields: ['layer'], on: 'click', clear: false, toggle: false },
  };
  if (!opts.live) pick.bind = { input: 'select', options: Array.from({ length: L }, (_, l) => l), labels: [...input.names], name: 'layer ' };
  const chosen = opts.live ? [] : [{ filter: { param: 'pick' } }];
  const hasClasses = input.clusters.some((c) => (c ?? []).some((r) => r.cls !== ''));
  const width = Math.max(260, Math.min(760, 26 * L));
  // one rank axis for every layer's curve (1-2-5 ticks that do not collide, the ranks' own range)
  const rankAxis = logEncoding(input.curves.flatMap((c) => (c ? Array.from(c.ranks) : [])));
  const rankX = { field: 'rank', type: 'quantitative', ...rankAxis };
  const profileAxis = nameAxis(input.names, width);
  const overlapWidth = Math.max(200, Math.min(360, 16 * L));
  const overlapAxis = nameAxis(input.names, overlapWidth);
  const detail: SpecFragment[] = [
    {
      title: 'Scale curve (Gride)', width: 230, height: 200,
      data: ds('curve'), transform: chosen,
      layer: [
        { mark: { type: 'errorbar' }, encoding: { x: { ...rankX, title: 'rank n2' }, y: { field: 'lo', type: 'quantitative', title: 'ID' }, y2: { field: 'hi' } } },
        { mark: { type: 'line', point: { filled: true } }, encoding: { x: rankX, y: { field: 'id', type: 'quantitative', scale: { zero: false } }, tooltip: [{ field: 'rank', type: 'quantitative' }, { field: 'id', type: 'quantitative', format: '.2f' }] } },
      ],
    },
    {
      title: hasClasses ? 'ADP clusters by class' : 'ADP cluster sizes', width: 230, height: 200,
      data: ds('comp'), transform: chosen,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'cluster', type: 'ordinal', title: 'cluster' },
        y: { field: 'count', type: 'quantitative', title: 'points', stack: 'zero' },
        ...(hasClasses ? { color: { field: 'cls', type: 'nominal', title: 'class', scale: { scheme: 'tableau10' } } } : {}),
        tooltip: [{ field: 'cluster', type: 'ordinal' }, ...(hasClasses ? [{ field: 'cls', title: 'class' }] : []), { field: 'count', type: 'quantitative' }],
      },
    },
  ];
  if (input.overlap) {
    detail.push({
      title: `Overlap with the other layers (k = ${input.overlap.k})`, width: overlapWidth, height: 200,
      data: ds('overlap'), transform: chosen,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'otherName', type: 'ordinal', sort: { field: 'other' }, title: overlapAxis.title, axis: overlapAxis.axis },
        y: { field: 'value', type: 'quantitative', title: 'overlap χ', scale: { domain: [0, 1] } },
        color: { condition: { test: 'datum.other == datum.layer', value: '#d62728' }, value: '#4c78a8' },
        tooltip: [{ field: 'otherName', title: 'layer' }, { field: 'value', type: 'quantitative', format: '.3f', title: 'χ' }],
      },
    });
  }
  const spec: SpecFragment = {
    title: input.title ?? 'Layer explorer: click a layer',
    vconcat: [
      {
        title: input.idTitle, width, height: 170,
        data: ds('profile'),
        layer: [
          { mark: { type: 'errorbar' }, encoding: { x: { field: 'name', type: 'ordinal', sort: { field: 'layer' }, title: profileAxis.title, axis: profileAxis.axis }, y: { field: 'lo', type: 'quantitative', title: 'ID' }, y2: { field: 'hi' } } },
          { mark: { type: 'line', color: '#9ab' }, encoding: { x: { field: 'name', type: 'ordinal', sort: { field: 'layer' } }, y: { field: 'id', type: 'quantitative', scale: { zero: false } } } },
          {
            params: [pick],
            mark: { type: 'point', filled: true, cursor: 'pointer' },
            encoding: {
              x: { field: 'name', type: 'ordinal', sort: { field: 'layer' } },
              y: { field: 'id', type: 'quantitative' },
              size: { condition: { param: 'pick', empty: false, value: 180 }, value: 70 },
              color: { condition: { param: 'pick', empty: false, value: '#d62728' }, value: '#1f77b4' },
              tooltip: [{ field: 'name', title: 'layer' }, { field: 'id', type: 'quantitative', format: '.2f', title: 'ID' }],
            },
          },
        ],
      },
      { hconcat: detail },
    ],
  };
  return spec;
}
