/**
 * Charts of a layer profile (vega-lite v5 JSON, no dependencies): a quantity across layers (one
 * line per series, error bars where given), the overview (one panel per question, sharing the
 * layer axis), the layer x layer heatmap, and the per-layer scale curves as small multiples.
 * Readable with 80 layers: the layer axis widens with the number of layers (up to a cap), turns its
 * labels when they are many, and drops the labels that would still overlap.
 */
import { Chart, type SpecFragment } from '../chart';
import { commonAffixes, logEncoding, nameAxis } from '../axes';

export interface LayerSeries {
  name: string;
  values: ArrayLike<number>;
  /** Half-width of an error bar per layer. */
  errors?: ArrayLike<number>;
}

const r = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

/** Pixels along the layer axis: 14 per layer, between 360 and 960. */
export function layerAxisWidth(layers: number): number {
  return Math.max(360, Math.min(960, 14 * layers));
}

function layerAxis(names: readonly string[], title: string | null = 'layer'): Record<string, unknown> {
  const a = nameAxis(names, layerAxisWidth(names.length), title);
  return { field: 'layer', type: 'ordinal', sort: [...names], title: a.title, axis: a.axis };
}

function quantityLayers(names: readonly string[], series: LayerSeries[], yTitle: string, domain?: [number, number], zero = false): { data: object; layer: object[] } {
  const values: object[] = [];
  for (const s of series) {
    for (let i = 0; i < names.length; i++) {
      const v = s.values[i];
      const e = s.errors ? s.errors[i] : NaN;
      values.push({ layer: names[i], series: s.name, value: r(v), lo: Number.isFinite(e) ? r(v - e) : null, hi: Number.isFinite(e) ? r(v + e) : null });
    }
  }
  const x = layerAxis(names);
  const y = { field: 'value', type: 'quantitative', title: yTitle, scale: domain ? { domain } : { zero } };
  const color = { field: 'series', type: 'nominal', title: null, sort: series.map((s) => s.name), legend: { orient: 'top', labelLimit: 220 } };
  const layer: object[] = [];
  if (series.some((s) => s.errors)) {
    layer.push({
      transform: [{ filter: 'datum.lo !== null' }],
      mark: { type: 'rule' },
      encoding: { x, y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' }, color },
    });
  }
  layer.push({
    mark: { type: 'line', point: { filled: true, size: names.length > 40 ? 16 : 36 } },
    encoding: {
      x, y, color,
      tooltip: [{ field: 'layer', title: 'layer' }, { field: 'series', title: 'series' }, { field: 'value', type: 'quantitative', format: '.3f', title: yTitle }],
    },
  });
  return { data: { values }, layer };
}

export interface LayerQuantityInput {
  names: readonly string[];
  series: LayerSeries[];
  title: string;
  yTitle: string;
  domain?: [number, number];
  /** Start the y axis at 0 (when there is no domain). */
  zero?: boolean;
}

/** One quantity across layers: a line per series, error bars where given. */
export function layerQuantityChart(input: LayerQuantityInput): Chart {
  const { data, layer } = quantityLayers(input.names, input.series, input.yTitle, input.domain, input.zero);
  return new Chart({ title: input.title, width: layerAxisWidth(input.names.length), height: 260, data, layer }, input.title);
}

export interface LayerOverviewInput {
  names: readonly string[];
  title: string;
  panels: { title: string; series: LayerSeries[]; yTitle: string; domain?: [number, number]; zero?: boolean }[];
}

/** Every quantity of a profile, one panel each, stacked on the same layer axis. */
export function layerOverviewChart(input: LayerOverviewInput): Chart {
  const width = layerAxisWidth(input.names.length);
  const vconcat: SpecFragment[] = input.panels.map((p, j) => {
    const { data, layer } = quantityLayers(input.names, p.series, p.yTitle, p.domain, p.zero);
    const last = j === input.panels.length - 1;
    // only the bottom panel names the layers; the others keep the grid
    const strip = (ly: object[]) => (last ? ly : ly.map((l) => {
      const enc = (l as { encoding: Record<string, unknown> }).encoding;
      return { ...l, encoding: { ...enc, x: { ...(enc.x as object), axis: { labels: false, title: null, ticks: false } } } };
    }));
    return { title: { text: p.title, anchor: 'start', fontSize: 12 }, width, height: 120, data, layer: strip(layer), resolve: { scale: { color: 'independent' } } };
  });
  return new Chart({ title: input.title, vconcat, spacing: 14, resolve: { legend: { color: 'independent' } } }, input.title);
}

export interface LayerMatrixInput {
  names: readonly string[];
  /** L x L row-major: values[a * L + b] is the value of layer a (row) with layer b (column). */
  values: ArrayLike<number>;
  title: string;
  legend: string;
  domain?: [number, number];
  rowTitle?: string;
  columnTitle?: string;
}

/** A layer x layer heatmap (overlap, information imbalance). */
export function layerMatrixChart(input: LayerMatrixInput): Chart {
  const L = input.names.length;
  const values: object[] = [];
  for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) values.push({ row: input.names[a], column: input.names[b], value: r(input.values[a * L + b]) });
  const side = Math.max(240, Math.min(720, 12 * L));
  const axis = (field: string, title: string) => {
    const a = nameAxis(input.names, side, title);
    // rows read across: their labels stay horizontal
    const rowAxis = { ...a.axis, labelAngle: 0, labelAlign: 'right', labelBaseline: 'middle' };
    return { field, type: 'ordinal', sort: [...input.names], title: a.title, axis: field === 'column' ? a.axis : rowAxis };
  };
  return new Chart({
    title: input.title, width: side, height: side, data: { values },
    mark: { type: 'rect' },
    encoding: {
      x: axis('column', input.columnTitle ?? 'layer'),
      y: axis('row', input.rowTitle ?? 'layer'),
      color: { field: 'value', type: 'quantitative', title: input.legend, scale: { scheme: 'viridis', ...(input.domain ? { domain: input.domain } : {}) } },
      tooltip: [{ field: 'row', title: input.rowTitle ?? 'layer' }, { field: 'column', title: input.columnTitle ?? 'layer' }, { field: 'value', type: 'quantitative', format: '.3f', title: input.legend }],
    },
  }, input.title);
}

export interface LayerCurvesInput {
  names: readonly string[];
  title: string;
  curves: ({ ids: ArrayLike<number>; idsErr: ArrayLike<number>; ranks: ArrayLike<number> } | null)[];
}

/** The Gride scale curve of every layer as small multiples (shared axes, six panels a row). */
export function layerCurvesChart(input: LayerCurvesInput): Chart {
  const values: object[] = [];
  input.curves.forEach((c, l) => {
    if (!c) return;
    for (let i = 0; i < c.ids.length; i++) {
      const id = c.ids[i], e = c.idsErr[i];
      values.push({ layer: input.names[l], rank: c.ranks[i], id: r(id), lo: r(id - e), hi: r(id + e) });
    }
  });
  const x = { field: 'rank', type: 'quantitative', title: 'neighbour rank n2', ...logEncoding(values.map((v) => (v as { rank: number }).rank)) };
  // the panel headers: the part of each name that tells the layers apart (the common part in the title)
  const cut = commonAffixes([...new Set(input.names)]);
  return new Chart({
    title: input.title, data: { values },
    facet: { field: 'layer', type: 'ordinal', sort: [...input.names], title: cut ? `layer (${cut.pattern})` : null,
      header: { labelLimit: 150, ...(cut ? { labelExpr: `substring(datum.label, ${cut.prefix}, length(datum.label) - ${cut.suffix})` } : {}) } },
    columns: 6,
    spec: {
      width: 130, height: 90,
      layer: [
        { mark: { type: 'rule', color: '#1f77b4' }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'ID' }, y2: { field: 'hi' } } },
        { mark: { type: 'line', point: { filled: true, size: 16 }, color: '#1f77b4' }, encoding: { x, y: { field: 'id', type: 'quantitative', title: 'ID' }, tooltip: [{ field: 'layer' }, { field: 'rank' }, { field: 'id', format: '.2f' }] } },
      ],
    },
  }, input.title);
}
