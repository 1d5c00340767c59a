/**
 * Vega-lite v5 spec builders for comparing representations: the information-imbalance plane,
 * the greedy-selection curve, overlap profiles, the DII training curves and the causal graph.
 * Pure functions of plain arrays; the output is plain JSON.
 */
import { Chart } from '../chart';
import { commonAffixes, distinctiveNames, nameAxis, placeLabels, shortLabel, textWidth, type PlacedLabel } from '../axes';
import { zoomPan } from '../interactions';

const WIDTH = 420, HEIGHT = 300;

function r(x: number, digits = 6): number {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)) : x;
}

export interface ImbalancePlaneInput {
  /** Delta(A -> B) of each pair (x axis). */
  aToB: ArrayLike<number>;
  /** Delta(B -> A) of each pair (y axis). */
  bToA: ArrayLike<number>;
  /** A label per point (e.g. the coordinate set), shown beside it. */
  labels?: readonly string[];
  /** Axis names of the two spaces (default 'A' and 'B'). */
  nameA?: string;
  nameB?: string;
  title?: string;
}

/**
 * The information-imbalance plane: Delta(A -> B) against Delta(B -> A) in [0, 1.1]^2, the diagonal,
 * and the four regions named (equivalent near the origin, A more informative below the diagonal,
 * B more informative above it, independent near (1, 1)).
 */
export function imbalancePlaneChart(input: ImbalancePlaneInput): Chart {
  const A = input.nameA ?? 'A', B = input.nameB ?? 'B';
  const size = HEIGHT;
  const domain: [number, number] = [0, 1.1];
  const fontSize = 10;
  // the four regions, in the corners, aligned inwards so that no text runs past an axis
  const regions = [
    { x: 0.015, y: 0.03, text: 'equivalent', align: 'left' },
    { x: 0.015, y: 1.07, text: shortLabel(`${A} predicts ${B}`, 30), align: 'left' },
    { x: 1.085, y: 0.03, text: shortLabel(`${B} predicts ${A}`, 30), align: 'right' },
    { x: 1.085, y: 1.07, text: 'independent', align: 'right' },
  ];
  const px = (x: number) => (x / domain[1]) * size;
  const py = (y: number) => size - (y / domain[1]) * size;
  const obstacles = regions.map((g) => {
    const w = textWidth(g.text, 11);
    const left = g.align === 'left' ? px(g.x) : px(g.x) - w;
    return { x0: left, x1: left + w, y0: py(g.y) - 7, y1: py(g.y) + 7 };
  });
  const n = input.aToB.length;
  const names = Array.from({ length: n }, (_, i) => input.labels?.[i] ?? String(i));
  // labels show what tells the names apart (layer names share long prefixes), cut to 24 characters
  const cut = commonAffixes([...new Set(names)]);
  const shown = names.map((nm) => shortLabel(cut ? nm.slice(cut.prefix, nm.length - cut.suffix) : nm));
  const points = names.map((name, i) => ({ x: r(input.aToB[i]), y: r(input.bToA[i]), name, label: shown[i] }));
  // the first and the last point (a profile's ends) are labelled first, then the others in order
  const order = n > 2 ? [0, n - 1, ...Array.from({ length: n - 2 }, (_, i) => i + 1)] : names.map((_, i) => i);
  const placedInOrder = placeLabels(order.map((i) => points[i]), { width: size, height: size, xDomain: domain, yDomain: domain, fontSize, obstacles, maxDistance: 42 });
  const placed = new Array<PlacedLabel>(n);
  order.forEach((i, k) => { placed[i] = placedInOrder[k]; });
  const values = points.map((p, i) => ({ x: p.x, y: p.y, label: p.name, text: p.label, lx: r(placed[i].x, 4), ly: r(placed[i].y, 4) }));
  // labels with no free spot are left out (the tooltip names every point)
  const labelled = values.filter((_, i) => placed[i].fits);
  const leaders = values.filter((_, i) => placed[i].fits && placed[i].leader);
  const omitted = n - labelled.length;
  const notes = [cut ? `labels: ${cut.pattern}` : '', omitted ? `${omitted} of ${n} labels left out where they would overlap` : ''].filter(Boolean);
  const xEnc = { field: 'x', type: 'quantitative', title: `Δ(${A} → ${B})`, scale: { domain } };
  const yEnc = { field: 'y', type: 'quantitative', title: `Δ(${B} → ${A})`, scale: { domain } };
  const titleText = input.title ?? 'Information imbalance plane';
  const title = notes.length ? { text: titleText, subtitle: notes.join('; ') } : titleText;
  const regionLayer = (align: string) => ({
    data: { values: regions.filter((g) => g.align === align).map(({ x, y, text }) => ({ x, y, text })) },
    mark: { type: 'text', color: '#888', fontStyle: 'italic', align, baseline: 'middle' },
    encoding: { x: { field: 'x', type: 'quantitative', scale: { domain } }, y: { field: 'y', type: 'quantitative', scale: { domain } }, text: { field: 'text' } },
  });
  return new Chart({
    title,
    width: size,
    height: size,
    layer: [
      {
        data: { values: [{ x: 0, y: 0 }, { x: 1.1, y: 1.1 }] },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
        encoding: { x: xEnc, y: yEnc },
      },
      regionLayer('left'),
      regionLayer('right'),
      ...(leaders.length ? [{
        data: { values: leaders },
        mark: { type: 'rule', color: '#bbb', strokeWidth: 0.8 },
        encoding: { x: xEnc, y: yEnc, x2: { field: 'lx' }, y2: { field: 'ly' } },
      }] : []),
      {
        data: { values },
        params: [zoomPan()],
        mark: { type: 'point', filled: true, size: 60, color: '#1f77b4' },
        encoding: {
          x: xEnc, y: yEnc,
          tooltip: [
            { field: 'label', title: 'space' },
            { field: 'x', type: 'quantitative', title: `Δ(${A} → ${B})`, format: '.3f' },
            { field: 'y', type: 'quantitative', title: `Δ(${B} → ${A})`, format: '.3f' },
          ],
        },
      },
      {
        data: { values: labelled },
        mark: { type: 'text', align: 'center', baseline: 'middle', fontSize },
        encoding: { x: { field: 'lx', type: 'quantitative', scale: { domain } }, y: { field: 'ly', type: 'quantitative', scale: { domain } }, text: { field: 'text' } },
      },
    ],
  }, titleText);
}

export interface GreedyCurveInput {
  /** The best tuple at each step. */
  tuples: readonly (readonly number[])[];
  /** [Delta(target -> tuple), Delta(tuple -> target)] at each step, or one value (e.g. the DII). */
  imbalances: readonly (readonly number[])[];
  /** Name of the single series when each step has one value (default 'DII'). */
  seriesName?: string;
  title?: string;
}

/** Greedy selection: the two imbalances (or the DII) of the best tuple against the number of features. */
export function greedyCurveChart(input: GreedyCurveInput): Chart {
  const values: object[] = [];
  input.tuples.forEach((t, i) => {
    const tuple = `[${t.join(', ')}]`;
    if (input.imbalances[i].length === 1) {
      values.push({ n: t.length, value: r(input.imbalances[i][0]), direction: input.seriesName ?? 'DII', tuple });
      return;
    }
    values.push({ n: t.length, value: r(input.imbalances[i][0]), direction: 'Δ(target → features)', tuple });
    values.push({ n: t.length, value: r(input.imbalances[i][1]), direction: 'Δ(features → target)', tuple });
  });
  const title = input.title ?? 'Greedy feature selection';
  return new Chart({
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', point: { filled: true, size: 50 } },
    encoding: {
      x: { field: 'n', type: 'quantitative', title: 'number of features', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: 'information imbalance', scale: { domain: [0, 1.05] } },
      color: { field: 'direction', type: 'nominal', title: null, legend: { labelLimit: 260 } },
      tooltip: [
        { field: 'tuple', title: 'features' },
        { field: 'direction', title: 'direction' },
        { field: 'value', type: 'quantitative', format: '.3f' },
      ],
    },
  }, title);
}

export interface OverlapProfileInput {
  /** One overlap per position (e.g. per layer). */
  overlaps: ArrayLike<number>;
  /** Position names (default 0, 1, ...). */
  labels?: readonly string[];
  /** Axis title of the positions (default 'layer'). */
  xTitle?: string;
  /** Several profiles: a series name per value (same length as overlaps). */
  series?: readonly string[];
  /** y axis title and domain (default 'overlap χ' on [0, 1]). */
  yTitle?: string;
  yDomain?: [number, number] | null;
  title?: string;
}

/** Overlap profile: the neighbourhood overlap (0..1) across positions such as layers. */
export function overlapProfileChart(input: OverlapProfileInput): Chart {
  const values = [];
  const names = Array.from({ length: input.overlaps.length }, (_, i) => input.labels?.[i] ?? String(i));
  // the ticks show what tells the names apart; the axis title the common part
  const { labels: shown, pattern } = distinctiveNames([...new Set(names)]);
  const short = new Map([...new Set(names)].map((n, i) => [n, shortLabel(shown[i], 24)]));
  for (let i = 0; i < input.overlaps.length; i++) {
    values.push({ pos: i, label: short.get(names[i])!, name: names[i], overlap: r(input.overlaps[i]), series: input.series?.[i] ?? 'overlap' });
  }
  const xTitle = input.xTitle ?? 'layer';
  const title = input.title ?? 'Neighbourhood overlap';
  return new Chart({
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', point: { filled: true, size: 50 } },
    encoding: {
      x: { field: 'label', type: 'ordinal', sort: null, title: pattern ? `${xTitle} (${pattern})` : xTitle, axis: nameAxis([...short.values()], WIDTH, null).axis },
      y: { field: 'overlap', type: 'quantitative', title: input.yTitle ?? 'overlap χ', scale: input.yDomain === null ? { zero: false } : { domain: input.yDomain ?? [0, 1] } },
      // a legend only to tell several profiles apart
      color: { field: 'series', type: 'nominal', title: null, legend: input.series ? { labelLimit: 260 } : null },
      tooltip: [{ field: 'name', title: xTitle }, { field: 'overlap', type: 'quantitative', format: '.3f' }],
    },
  }, title);
}

export interface OverlapHistogramInput {
  /** Per-point overlaps. */
  overlaps: ArrayLike<number>;
  k: number;
  title?: string;
}

/** The distribution of the per-point overlaps (bars at the k + 1 possible values). */
export function overlapHistogramChart(input: OverlapHistogramInput): Chart {
  const counts = new Map<number, number>();
  for (let i = 0; i < input.overlaps.length; i++) {
    const v = r(input.overlaps[i], 4);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const values = [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([overlap, count]) => ({ overlap, count }));
  const title = input.title ?? `Per-point neighbourhood overlap (k = ${input.k})`;
  return new Chart({
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'bar', width: { band: 0.9 } },
    encoding: {
      x: { field: 'overlap', type: 'quantitative', title: 'overlap', scale: { domain: [0, 1] } },
      y: { field: 'count', type: 'quantitative', title: 'points' },
      tooltip: [{ field: 'overlap', type: 'quantitative', format: '.3f' }, { field: 'count', type: 'quantitative' }],
    },
  }, title);
}

export interface TrainingCurvesInput {
  /** Weights per epoch: (epochs + 1) rows of D values. */
  weights: readonly ArrayLike<number>[];
  /** The DII per epoch (epochs + 1 values). */
  imbalances: ArrayLike<number>;
  /** Feature names (default x0, x1, ...). */
  featureNames?: readonly string[];
  title?: string;
}

/** DII training: the imbalance per epoch above, the weight of each feature per epoch below. */
export function diiTrainingChart(input: TrainingCurvesInput): Chart {
  const dii = [];
  for (let e = 0; e < input.imbalances.length; e++) dii.push({ epoch: e, dii: r(input.imbalances[e]) });
  const w = [];
  const D = input.weights.length ? input.weights[0].length : 0;
  const nameOf = (f: number) => input.featureNames?.[f] ?? `x${f}`;
  // beyond 10 features: the 10 with the largest final weights in colour and in the legend, the others
  // grey and unnamed there (the tooltip names every line); colours would repeat and the legend be cut
  const last = input.weights.length ? input.weights[input.weights.length - 1] : [];
  const top = new Set(Array.from({ length: D }, (_, f) => f).sort((a, b) => Math.abs(last[b]) - Math.abs(last[a]) || a - b).slice(0, 10));
  const others = D > 10 ? `the other ${D - 10} features` : '';
  for (let e = 0; e < input.weights.length; e++) {
    const row = input.weights[e];
    for (let f = 0; f < row.length; f++) w.push({ epoch: e, feature: nameOf(f), shown: top.has(f) || D <= 10 ? shortLabel(nameOf(f), 28) : others, weight: r(row[f]) });
  }
  const legendOrder = [...Array.from({ length: D }, (_, f) => f).filter((f) => top.has(f) || D <= 10).map((f) => shortLabel(nameOf(f), 28)), ...(others ? [others] : [])];
  const colorRange = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];
  const title = input.title ?? 'Differentiable information imbalance: training';
  return new Chart({
    title,
    vconcat: [
      {
        width: WIDTH, height: 160,
        data: { values: dii },
        // points only while they stay apart (a point per epoch over 200 epochs is a thick line)
        mark: { type: 'line', point: input.imbalances.length <= 40 },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
          y: { field: 'dii', type: 'quantitative', title: 'DII', scale: { zero: false } },
          tooltip: [{ field: 'epoch', type: 'quantitative' }, { field: 'dii', type: 'quantitative', format: '.4f' }],
        },
      },
      {
        width: WIDTH, height: 200,
        data: { values: w },
        mark: { type: 'line' },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
          y: { field: 'weight', type: 'quantitative', title: 'weight' },
          detail: { field: 'feature', type: 'nominal' },
          color: { field: 'shown', type: 'nominal', title: D > 10 ? 'feature (largest final weights)' : 'feature', sort: legendOrder,
            scale: { domain: legendOrder, range: [...colorRange.slice(0, legendOrder.length - (others ? 1 : 0)), ...(others ? ['#d0d0d0'] : [])] }, legend: { labelLimit: 220 } },
          tooltip: [{ field: 'feature' }, { field: 'epoch', type: 'quantitative' }, { field: 'weight', type: 'quantitative', format: '.4f' }],
        },
      },
    ],
  }, title);
}

export interface CausalGraphInput {
  /** Adjacency: adj[source][target] = 1 when source drives target. */
  adjacency: readonly (readonly number[])[];
  /** Edge strengths (same shape as adjacency), shown as width and in the tooltip. */
  strengths?: readonly (readonly number[])[];
  names?: readonly string[];
  title?: string;
}

/**
 * The causal graph as a layered vega-lite chart: nodes on a circle, an arrow (a rule and a
 * triangle near its head) for every link source -> target.
 */
export function causalGraphChart(input: CausalGraphInput): Chart {
  const n = input.adjacency.length;
  const names = Array.from({ length: n }, (_, i) => input.names?.[i] ?? `x${i}`);
  // short names sit in their node; long ones outside the circle along its radius (labels of
  // neighbouring nodes never meet), cut to 20 characters (the tooltip has the whole name), with the
  // plot widened to hold them
  const inside = names.every((nm) => nm.length <= 3);
  const shown = names.map((nm) => shortLabel(nm, 20));
  const labelPx = inside ? 0 : Math.max(...shown.map((t) => textWidth(t, 11)));
  const R = 110; // pixels per unit: the nodes' circle has radius 1
  // node discs no wider than 80% of the arc between neighbours
  const nodeSize = Math.round(Math.min(900, (0.8 * (2 * Math.PI * R) / Math.max(n, 1)) ** 2));
  const off = 1 + (Math.sqrt(nodeSize) / 2 + 6) / R;
  const half = inside ? 1.3 : off + (labelPx + 8) / R;
  const side = Math.round(2 * half * R);
  const pos: Array<{ x: number; y: number; name: string; text: string; lx: number; ly: number; angle: number; align: string }> = [];
  for (let i = 0; i < n; i++) {
    const a = Math.PI / 2 - (2 * Math.PI * i) / n;
    const c = Math.cos(a), sn = Math.sin(a);
    const deg = (-a * 180) / Math.PI; // vega turns text clockwise, in screen space
    const right = c >= -1e-9;
    pos.push({
      x: r(c, 4), y: r(sn, 4), name: names[i], text: shown[i],
      lx: r(inside ? c : c * off, 4), ly: r(inside ? sn : sn * off, 4),
      angle: inside ? 0 : r(right ? deg : deg + 180, 4), align: inside ? 'center' : right ? 'left' : 'right',
    });
  }
  const edges = [];
  const heads = [];
  const gap = Math.min(0.13, (Math.sqrt(nodeSize) / 2 + 2) / R);
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < n; t++) {
      if (s === t || !input.adjacency[s][t]) continue;
      const p = pos[s], q = pos[t];
      const dx = q.x - p.x, dy = q.y - p.y, len = Math.hypot(dx, dy) || 1;
      const ux = dx / len, uy = dy / len;
      const strength = input.strengths ? r(input.strengths[s][t], 3) : 1;
      const x = r(p.x + ux * gap, 4), y = r(p.y + uy * gap, 4), x2 = r(q.x - ux * gap, 4), y2 = r(q.y - uy * gap, 4);
      edges.push({ x, y, x2, y2, source: p.name, target: q.name, strength });
      // the triangle points along the edge: vega's angle is clockwise from up, in screen space
      heads.push({ x: x2, y: y2, angle: r((Math.atan2(ux, uy) * 180) / Math.PI, 4), source: p.name, target: q.name, strength });
    }
  }
  const xs = { field: 'x', type: 'quantitative', axis: null, scale: { domain: [-half, half] } };
  const ys = { field: 'y', type: 'quantitative', axis: null, scale: { domain: [-half, half] } };
  const title = input.title ?? 'Causal graph';
  const labelLayers = ['left', 'center', 'right'].filter((align) => pos.some((p) => p.align === align)).map((align) => ({
    data: { values: pos.filter((p) => p.align === align) },
    mark: { type: 'text', fontSize: inside ? 12 : 11, fontWeight: 'bold', align, baseline: 'middle' },
    encoding: { x: { ...xs, field: 'lx' }, y: { ...ys, field: 'ly' }, text: { field: 'text' }, angle: { field: 'angle', type: 'quantitative', scale: null }, tooltip: [{ field: 'name', title: 'variable' }] },
  }));
  return new Chart({
    title,
    width: side,
    height: side,
    layer: [
      {
        data: { values: edges },
        mark: { type: 'rule', color: '#555' },
        encoding: {
          x: xs, y: ys, x2: { field: 'x2' }, y2: { field: 'y2' },
          strokeWidth: { field: 'strength', type: 'quantitative', legend: null, scale: { range: [1, 4] } },
          tooltip: [{ field: 'source' }, { field: 'target' }, { field: 'strength', type: 'quantitative', format: '.3f' }],
        },
      },
      {
        data: { values: heads },
        mark: { type: 'point', shape: 'triangle-up', filled: true, size: Math.min(90, nodeSize / 6), color: '#555' },
        encoding: { x: xs, y: ys, angle: { field: 'angle', type: 'quantitative', scale: null } },
      },
      {
        data: { values: pos },
        mark: { type: 'circle', size: nodeSize, color: '#cfe2f3', stroke: '#1f77b4' },
        encoding: { x: xs, y: ys, tooltip: [{ field: 'name', title: 'variable' }] },
      },
      ...labelLayers,
    ],
  }, title);
}
