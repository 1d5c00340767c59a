import type { SpecFragment } from '../chart';

const r6 = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

export interface Topography {
  /** Saddle log densities between peaks (nClusters x nClusters), DADApy's log_den_bord. */
  logDenBord: ArrayLike<ArrayLike<number>>;
  /** Log density of each peak (cluster centre). */
  centerLogDen: ArrayLike<number>;
  /** Points per cluster. */
  populations: ArrayLike<number>;
  /** The top of the scale (DADApy: max of log_den); default the highest peak. */
  fMax?: number;
}

export interface DendrogramNode { id: number; left: number; right: number; height: number; distance: number }

export interface DendrogramLayout {
  /** Leaves in drawing order. */
  order: number[];
  /** Merges in order (single linkage on F_max − saddle), nodes numbered nClusters + step − 1. */
  merges: DendrogramNode[];
  /** x and height of every node (leaves first, then merges). */
  x: number[];
  y: number[];
  /** Width given to each leaf (population, or its log with `logscale`, truncated to an integer as DADApy does). */
  widths: number[];
}

/**
 * DADApy's get_dendrogram: single linkage on the distances F_max − log_den_bord[i][j], merging the
 * closest pair first (first argmin), the new node's distance to the others the minimum of its two
 * parts; leaves ordered by unfolding the merge tree, each given a width from its population
 * (log population with `logscale`, truncated to an integer), leaf heights the peaks' log densities,
 * join heights F_max − merge distance.
 */
export function dendrogramLayout(t: Topography, logscale = true): DendrogramLayout {
  const n = t.centerLogDen.length;
  let fMax = t.fMax ?? -Infinity;
  if (t.fMax === undefined) for (let i = 0; i < n; i++) fMax = Math.max(fMax, t.centerLogDen[i]);
  const D = new Map<number, Map<number, number>>();
  const active: number[] = [];
  for (let i = 0; i < n; i++) {
    active.push(i);
    const row = new Map<number, number>();
    for (let j = 0; j < n; j++) if (j !== i) row.set(j, fMax - t.logDenBord[i][j]);
    D.set(i, row);
  }
  const merges: DendrogramNode[] = [];
  const children = new Map<number, [number, number]>();
  let next = n;
  while (active.length > 1) {
    let best = Infinity, bi = -1, bj = -1;
    for (let a = 0; a < active.length; a++) {
      for (let b = a + 1; b < active.length; b++) {
        const d = (D.get(active[a]) as Map<number, number>).get(active[b]) as number;
        if (d < best) { best = d; bi = active[a]; bj = active[b]; }
      }
    }
    const id = next++;
    merges.push({ id, left: bi, right: bj, height: fMax - best, distance: best });
    children.set(id, [bi, bj]);
    const row = new Map<number, number>();
    for (const k of active) {
      if (k === bi || k === bj) continue;
      const d = Math.min((D.get(bi) as Map<number, number>).get(k) as number, (D.get(bj) as Map<number, number>).get(k) as number);
      row.set(k, d);
      (D.get(k) as Map<number, number>).set(id, d);
    }
    D.set(id, row);
    active.splice(active.indexOf(bi), 1);
    active.splice(active.indexOf(bj), 1);
    active.push(id);
  }
  const order: number[] = [];
  const unfold = (node: number): void => {
    const ch = children.get(node);
    if (!ch) { order.push(node); return; }
    unfold(ch[0]); unfold(ch[1]);
  };
  if (n > 0) unfold(active[0]);
  const widths: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = Math.max(1, t.populations[i]);
    widths.push(Math.max(1, Math.trunc(logscale ? Math.log(p) : p)));
  }
  const x = new Array<number>(n + merges.length).fill(0);
  const y = new Array<number>(n + merges.length).fill(0);
  let cum = 0;
  for (const leaf of order) { x[leaf] = cum + widths[leaf] / 2; cum += widths[leaf]; y[leaf] = t.centerLogDen[leaf]; }
  for (const m of merges) { x[m.id] = (x[m.left] + x[m.right]) / 2; y[m.id] = m.height; }
  return { order, merges, x, y, widths };
}

/** The dendrogram of the density peaks (vega-lite v5): leaves at the peaks, joins at the saddles. */
export function dendrogramSpec(t: Topography, opts: { logscale?: boolean; title?: string } = {}): SpecFragment {
  const L = dendrogramLayout(t, opts.logscale ?? true);
  const segments: { x: number | null; x2: number | null; y: number | null; y2: number | null }[] = [];
  for (const m of L.merges) {
    for (const ch of [m.left, m.right]) segments.push({ x: r6(L.x[ch]), x2: r6(L.x[ch]), y: r6(L.y[ch]), y2: r6(m.height) });
    segments.push({ x: r6(L.x[m.left]), x2: r6(L.x[m.right]), y: r6(m.height), y2: r6(m.height) });
  }
  const leaves = L.order.map((leaf) => ({ cluster: leaf, x: r6(L.x[leaf]), y: r6(L.y[leaf]), population: t.populations[leaf] }));
  // room above the highest peak for its number (16 of the 260 pixels), so no label runs out of the plot
  const ys = [...L.y, ...L.merges.map((m) => m.height)].filter(Number.isFinite);
  const lo = Math.min(...ys), hi = Math.max(...ys), span = hi - lo || 1;
  const yDomain = [r6(lo - 0.03 * span), r6(hi + 0.1 * span)];
  return {
    title: opts.title ?? 'Density peaks dendrogram',
    width: 420, height: 260,
    layer: [
      {
        data: { values: segments },
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'x', type: 'quantitative', axis: null },
          x2: { field: 'x2' },
          y: { field: 'y', type: 'quantitative', title: 'log density', scale: { domain: yDomain, nice: false, zero: false } },
          y2: { field: 'y2' },
        },
      },
      {
        data: { values: leaves },
        mark: { type: 'point', filled: true, size: 50 },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative' },
          color: { field: 'cluster', type: 'nominal', legend: null },
          tooltip: [{ field: 'cluster', type: 'nominal' }, { field: 'population', type: 'quantitative' }, { field: 'y', type: 'quantitative', title: 'peak log density' }],
        },
      },
      {
        data: { values: leaves },
        mark: { type: 'text', dy: -10 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'cluster', type: 'nominal' } },
      },
    ],
  };
}

/** The peak topography as a matrix (DADApy's plot_matrix): saddle log densities, peaks on the diagonal. */
export function topographyMatrixSpec(t: Topography, opts: { title?: string } = {}): SpecFragment {
  const n = t.centerLogDen.length;
  const values: { i: number; j: number; value: number | null; kind: string }[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      values.push({ i, j, value: r6(i === j ? t.centerLogDen[i] : t.logDenBord[i][j]), kind: i === j ? 'peak' : 'saddle' });
    }
  }
  return {
    title: opts.title ?? 'Peak topography (saddle log densities)',
    width: Math.max(120, 28 * n), height: Math.max(120, 28 * n),
    data: { values },
    mark: { type: 'rect', tooltip: true },
    encoding: {
      x: { field: 'j', type: 'ordinal', title: 'cluster' },
      y: { field: 'i', type: 'ordinal', title: 'cluster' },
      color: { field: 'value', type: 'quantitative', title: 'log density', scale: { scheme: 'viridis' } },
    },
  };
}

/** The topography as a dendrogram (default) or a matrix. */
export function adpTopographySpec(t: Topography, kind: 'dendrogram' | 'matrix' = 'dendrogram'): SpecFragment {
  return kind === 'matrix' ? topographyMatrixSpec(t) : dendrogramSpec(t);
}
