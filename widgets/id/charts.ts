/**
 * Vega-lite v5 spec builders for the intrinsic-dimension results: the ID scale curve (ID with error
 * bars against the neighbourhood radius or the neighbour rank, log x axis), the TwoNN fit
 * (-log(1 - F) against log mu with the fitted line) and the 2NN decimation curve. Pure functions
 * of plain arrays; the output is plain JSON.
 */
import { Chart } from '../chart';
import { commonAffixes, logEncoding, nameAxis } from '../axes';
import { zoomPan } from '../interactions';

const WIDTH = 420, HEIGHT = 280;

/** Rounds for compact, stable JSON (snapshots and notebook size). */
function r(x: number, digits = 6): number {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)) : x;
}

function errorBarLayers(x: { field: string; title: string; log: boolean; values?: ArrayLike<number> }, yTitle: string, color = '#1f77b4'): object[] {
  const xEnc = { field: x.field, type: 'quantitative', title: x.title, ...(x.log ? logEncoding(x.values ?? []) : { scale: { zero: false } }) };
  return [
    {
      mark: { type: 'rule', color },
      encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' } },
    },
    {
      mark: { type: 'line', point: { filled: true, size: 40 }, color },
      encoding: {
        x: xEnc,
        y: { field: 'id', type: 'quantitative', title: yTitle, scale: { zero: false } },
        tooltip: [
          { field: x.field, type: 'quantitative', title: x.title, format: '.4~g' },
          { field: 'id', type: 'quantitative', title: 'ID', format: '.3f' },
          { field: 'err', type: 'quantitative', title: '±', format: '.3f' },
        ],
      },
    },
  ];
}

export interface ScaleCurveInput {
  ids: ArrayLike<number>;
  idsErr: ArrayLike<number>;
  /** Mean neighbourhood radius of each estimate. */
  radii: ArrayLike<number>;
  /** Neighbour rank n2 of each estimate. */
  ranks: ArrayLike<number>;
  /** 'radius' (default) or 'rank' on the x axis. */
  x?: 'radius' | 'rank';
  title?: string;
}

/** The ID scale curve: ID ± error against the radius (or rank), log x axis. */
export function scaleCurveChart(input: ScaleCurveInput): Chart {
  const byRank = input.x === 'rank';
  const values = [];
  for (let i = 0; i < input.ids.length; i++) {
    const id = input.ids[i], e = input.idsErr[i];
    values.push({ radius: r(input.radii[i]), rank: input.ranks[i], id: r(id), err: r(e), lo: r(id - e), hi: r(id + e) });
  }
  const title = input.title ?? 'Intrinsic dimension across scales';
  return new Chart({
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: errorBarLayers(
      byRank ? { field: 'rank', title: 'neighbour rank n2', log: true, values: input.ranks } : { field: 'radius', title: 'neighbourhood radius', log: true, values: input.radii },
      'intrinsic dimension'),
  }, title);
}

export interface TwoNNFitInput {
  mus: ArrayLike<number>;
  /** The slope drawn (the estimated ID). */
  id: number;
  /** Fraction of the sorted mus used in the fit (drawn darker); 1 for ML. */
  muFraction: number;
  /** At most this many points are drawn (evenly spaced in rank); default 1000. */
  maxPoints?: number;
  title?: string;
}

/** The TwoNN fit: -log(1 - F(mu)) against log mu, the fitted line through the origin. */
export function twoNNFitChart(input: TwoNNFitInput): Chart {
  const N = input.mus.length;
  const logs = Float64Array.from(input.mus, (m) => Math.log(m)).sort();
  const nEff = Math.trunc(N * input.muFraction);
  const maxPoints = input.maxPoints ?? 1000;
  const step = Math.max(1, Math.ceil(N / maxPoints));
  const values = [];
  let xmax = 0;
  for (let i = 0; i < N; i += step) {
    const F = (i + 1) / N;
    if (F >= 1) break;
    values.push({ logMu: r(logs[i]), y: r(-Math.log(1 - F)), used: i < nEff ? 'fitted' : 'discarded' });
    if (i < nEff) xmax = logs[i];
  }
  const line = [{ logMu: 0, y: 0 }, { logMu: r(xmax), y: r(input.id * xmax) }];
  const title = input.title ?? `TwoNN fit: slope ${r(input.id, 4)}`;
  return new Chart({
    title,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values },
        params: [zoomPan()],
        mark: { type: 'point', filled: true, size: 12, opacity: 0.6 },
        encoding: {
          tooltip: [{ field: 'logMu', type: 'quantitative', title: 'log mu', format: '.3f' }, { field: 'y', type: 'quantitative', title: '-log(1 - F)', format: '.3f' }, { field: 'used', title: 'in the fit' }],
          x: { field: 'logMu', type: 'quantitative', title: 'log mu' },
          y: { field: 'y', type: 'quantitative', title: '-log(1 - F(mu))' },
          color: { field: 'used', type: 'nominal', title: null, scale: { domain: ['fitted', 'discarded'], range: ['#1f77b4', '#bbbbbb'] } },
        },
      },
      {
        data: { values: line },
        mark: { type: 'line', color: '#d62728', strokeWidth: 2 },
        encoding: { x: { field: 'logMu', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
    ],
  }, title);
}

export interface DecimationInput {
  ids: ArrayLike<number>;
  idsErr: ArrayLike<number>;
  radii: ArrayLike<number>;
  sizes: ArrayLike<number>;
  x?: 'radius' | 'size';
  title?: string;
}

/** The 2NN decimation curve: ID ± error against the mean 2NN radius (or the subset size), log x. */
export function decimationChart(input: DecimationInput): Chart {
  const bySize = input.x === 'size';
  const values = [];
  for (let i = 0; i < input.ids.length; i++) {
    const id = input.ids[i], e = input.idsErr[i];
    values.push({ radius: r(input.radii[i]), size: input.sizes[i], id: r(id), err: r(e), lo: r(id - e), hi: r(id + e) });
  }
  const title = input.title ?? 'TwoNN decimation curve';
  return new Chart({
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: errorBarLayers(
      bySize ? { field: 'size', title: 'points per subset', log: true, values: input.sizes } : { field: 'radius', title: 'mean 2NN radius', log: true, values: input.radii },
      'intrinsic dimension', '#2ca02c'),
  }, title);
}

export interface IdCurveInput {
  /** x values (any scale: radius, k, iteration). */
  x: ArrayLike<number>;
  ids: ArrayLike<number>;
  idsErr?: ArrayLike<number>;
  xTitle: string;
  log?: boolean;
  title?: string;
}

/** A generic ID curve with optional error bars (correlation dimension, ABIDE/AGRIDE iterations, PCA). */
export function idCurveChart(input: IdCurveInput): Chart {
  const values = [];
  for (let i = 0; i < input.ids.length; i++) {
    const id = input.ids[i], e = input.idsErr ? input.idsErr[i] : 0;
    values.push({ x: r(input.x[i]), id: r(id), err: r(e), lo: r(id - e), hi: r(id + e) });
  }
  const title = input.title ?? 'Intrinsic dimension';
  return new Chart({
    title, width: WIDTH, height: HEIGHT, data: { values },
    layer: errorBarLayers({ field: 'x', title: input.xTitle, log: input.log ?? false, values: input.x }, 'intrinsic dimension', '#9467bd'),
  }, title);
}

export interface CurveInput {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  xTitle: string;
  yTitle: string;
  /** A vertical rule at this x (e.g. the estimate). */
  mark?: number;
  title?: string;
}

/** A smooth curve (a posterior density of d, a likelihood profile) with an optional rule at the estimate. */
export function curveChart(input: CurveInput): Chart {
  const values = [];
  for (let i = 0; i < input.x.length; i++) values.push({ x: r(input.x[i]), y: r(input.y[i]) });
  const title = input.title ?? input.yTitle;
  const layer: object[] = [{
    data: { values },
    mark: { type: 'line', color: '#1f77b4' },
    encoding: { x: { field: 'x', type: 'quantitative', title: input.xTitle, scale: { zero: false } }, y: { field: 'y', type: 'quantitative', title: input.yTitle } },
  }];
  if (input.mark !== undefined) {
    layer.push({ data: { values: [{ x: r(input.mark) }] }, mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3] }, encoding: { x: { field: 'x', type: 'quantitative' } } });
  }
  return new Chart({ title, width: WIDTH, height: HEIGHT, layer }, title);
}

/** A histogram of values (local ID estimates), `bins` equal bins. */
export function histogramChart(values: ArrayLike<number>, opts: { xTitle: string; bins?: number; title?: string }): Chart {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) { lo = Math.min(lo, values[i]); hi = Math.max(hi, values[i]); }
  const B = opts.bins ?? 20;
  if (hi === lo) hi = lo + 1;
  const counts = new Array(B).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(B - 1, Math.floor(((values[i] - lo) / (hi - lo)) * B))]++;
  const w = (hi - lo) / B;
  const data = counts.map((c, b) => ({ x0: r(lo + b * w), x1: r(lo + (b + 1) * w), count: c }));
  const title = opts.title ?? 'histogram';
  return new Chart({
    title, width: WIDTH, height: HEIGHT, data: { values: data },
    mark: { type: 'rect', color: '#9467bd' },
    encoding: {
      x: { field: 'x0', type: 'quantitative', title: opts.xTitle, bin: { binned: true } }, x2: { field: 'x1' },
      y: { field: 'count', type: 'quantitative', title: 'points' },
    },
  }, title);
}

export interface ScaleCurvesInput {
  series: { name: string; ids: ArrayLike<number>; idsErr: ArrayLike<number>; radii: ArrayLike<number>; ranks: ArrayLike<number> }[];
  x?: 'radius' | 'rank';
  title?: string;
}

/** Several ID scale curves overlaid (one per layer or data set), coloured by name, log x axis. */
export function scaleCurvesChart(input: ScaleCurvesInput): Chart {
  const byRank = input.x === 'rank';
  const values: object[] = [];
  for (const s of input.series) {
    for (let i = 0; i < s.ids.length; i++) {
      const id = s.ids[i], e = s.idsErr[i];
      values.push({ name: s.name, radius: r(s.radii[i]), rank: s.ranks[i], id: r(id), err: r(e), lo: r(id - e), hi: r(id + e) });
    }
  }
  const field = byRank ? 'rank' : 'radius';
  const xEnc = { field, type: 'quantitative', title: byRank ? 'neighbour rank n2' : 'neighbourhood radius',
    ...logEncoding(input.series.flatMap((s) => Array.from(byRank ? s.ranks : s.radii))) };
  // up to 20 series: a colour and a legend entry each (tableau20 beyond 10). More (80 layers): a colour
  // gradient along the series' order (a categorical legend would repeat colours and cut its entries),
  // the name in the tooltip, the common part of the names in the legend title
  const many = input.series.length > 20;
  const cut = many ? commonAffixes(input.series.map((s) => s.name)) : null;
  const color = many
    ? { field: 'order', type: 'quantitative', title: cut ? ['series', cut.pattern] : 'series (order)', scale: { scheme: 'viridis' }, legend: { gradientLength: 200, format: 'd' } }
    : { field: 'name', type: 'nominal', title: null, sort: input.series.map((s) => s.name),
      scale: { scheme: input.series.length > 10 ? 'tableau20' : 'tableau10' }, legend: { labelLimit: 260 } };
  if (many) {
    let k = 0;
    for (const [o, s] of input.series.entries()) for (let i = 0; i < s.ids.length; i++) (values[k++] as Record<string, unknown>).order = o;
  }
  const detail = many ? { detail: { field: 'name', type: 'nominal' }, tooltip: [{ field: 'name', title: 'series' }, { field: 'id', type: 'quantitative', format: '.2f', title: 'ID' }] } : {};
  const title = input.title ?? 'Intrinsic dimension across scales';
  return new Chart({
    title, width: WIDTH, height: HEIGHT, data: { values },
    layer: [
      { mark: { type: 'rule', ...(many ? { opacity: 0.5 } : {}) }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative', title: 'intrinsic dimension' }, y2: { field: 'hi' }, color, ...(many ? { detail: detail.detail } : {}) } },
      { mark: { type: 'line', point: { filled: true, size: many ? 12 : 30 } }, encoding: { x: xEnc, y: { field: 'id', type: 'quantitative', title: 'intrinsic dimension', scale: { zero: false } }, color, ...detail } },
    ],
  }, title);
}

export interface IdProfileInput {
  names: string[];
  ids: ArrayLike<number>;
  idsErr: ArrayLike<number>;
  title?: string;
}

/** The ID profile: one ID ± error per layer (ordinal x axis, in the given order). */
export function idProfileChart(input: IdProfileInput): Chart {
  const values = input.names.map((name, i) => ({ layer: name, id: r(input.ids[i]), lo: r(input.ids[i] - input.idsErr[i]), hi: r(input.ids[i] + input.idsErr[i]) }));
  // 14 px a layer beyond 30 layers (as the layer-profile charts), names cut to what tells them apart
  const width = Math.max(WIDTH, Math.min(960, 14 * input.names.length));
  const a = nameAxis(input.names, width);
  const x = { field: 'layer', type: 'ordinal', sort: input.names, title: a.title, axis: a.axis };
  const title = input.title ?? 'Intrinsic dimension profile';
  return new Chart({
    title, width, height: HEIGHT, data: { values },
    layer: [
      { mark: { type: 'rule', color: '#1f77b4' }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'intrinsic dimension' }, y2: { field: 'hi' } } },
      { mark: { type: 'line', point: { filled: true }, color: '#1f77b4' }, encoding: { x, y: { field: 'id', type: 'quantitative', title: 'intrinsic dimension', scale: { zero: false } } } },
    ],
  }, title);
}
