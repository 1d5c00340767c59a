import type { SpecFragment } from '../chart';
import { zoomPan } from '../interactions';
import { placeLabels } from '../axes';

const WIDTH = 380, HEIGHT = 340;

const r6 = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

export interface ClusterScatterOptions {
  centers?: ArrayLike<number>;
  title?: string;
  haloLabel?: number;
  /** Log density of each point (shown in the tooltip). */
  densities?: ArrayLike<number>;
  /** True class of each point (shown in the tooltip). */
  classes?: ArrayLike<number | string>;
}

/**
 * A 2-D scatter of the points coloured by cluster (vega-lite v5); halo points (label −1) in light
 * grey underneath, cluster centres as black crosses. Uses the first two coordinates. Tooltips give
 * each point's index, cluster, and (when given) log density and class; wheel zooms, drag pans.
 */
export function clusterScatterSpec(coordinates: ArrayLike<ArrayLike<number>> | { rows: number; cols: number; data: ArrayLike<number> },
  labels: ArrayLike<number>, opts: ClusterScatterOptions = {}): SpecFragment {
  const halo = opts.haloLabel ?? -1;
  const get = (i: number, j: number): number => ('data' in coordinates && 'cols' in coordinates
    ? coordinates.data[i * coordinates.cols + j] : (coordinates as ArrayLike<ArrayLike<number>>)[i][j]);
  const n = labels.length;
  const pts: Record<string, number | string | boolean | null>[] = [];
  for (let i = 0; i < n; i++) {
    const p: Record<string, number | string | boolean | null> = { i, x: r6(get(i, 0)), y: r6(get(i, 1)), cluster: labels[i] === halo ? 'halo' : String(labels[i]), halo: labels[i] === halo };
    if (opts.densities) p.density = r6(opts.densities[i]);
    if (opts.classes) p.label = opts.classes[i] as number | string;
    pts.push(p);
  }
  const tooltip: SpecFragment[] = [{ field: 'i', type: 'quantitative', title: 'point' }, { field: 'cluster', type: 'nominal' }];
  if (opts.densities) tooltip.push({ field: 'density', type: 'quantitative', title: 'log density', format: '.3f' });
  if (opts.classes) tooltip.push({ field: 'label', type: 'nominal', title: 'label' });
  const clusterOrder = [...new Set(pts.filter((p) => !p.halo).map((p) => Number(p.cluster)))].sort((a, b) => a - b).map(String);
  const manyClusters = clusterOrder.length > 20;
  // the data's extent, padded 3% (fixed, so that labels can be placed in pixels)
  const extent = (key: 'x' | 'y'): [number, number] => {
    let lo = Infinity, hi = -Infinity;
    for (const p of pts) { const v = p[key] as number | null; if (v !== null && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
    if (!Number.isFinite(lo)) return [0, 1];
    const pad = (hi - lo || 1) * 0.03;
    return [Number((lo - pad).toPrecision(6)), Number((hi + pad).toPrecision(6))];
  };
  const domain = { x: extent('x'), y: extent('y') };
  const scaleOf = (key: 'x' | 'y') => (manyClusters ? { domain: domain[key], nice: false, zero: false } : { zero: false });
  const layers: SpecFragment[] = [
    {
      transform: [{ filter: 'datum.halo' }],
      mark: { type: 'circle', size: 8, color: '#c8c8c8', opacity: 0.6 },
      encoding: { x: { field: 'x', type: 'quantitative', scale: scaleOf('x') }, y: { field: 'y', type: 'quantitative', scale: scaleOf('y') }, tooltip },
    },
    {
      transform: [{ filter: '!datum.halo' }],
      params: [zoomPan()],
      mark: { type: 'circle', size: 10, opacity: 0.8 },
      encoding: {
        tooltip,
        x: { field: 'x', type: 'quantitative', scale: scaleOf('x') },
        y: { field: 'y', type: 'quantitative', scale: scaleOf('y') },
        // clusters in numeric order (not 0, 1, 10, 11, ...); beyond 20 the colours repeat, so the
        // centres carry their numbers and the legend is left out
        color: { field: 'cluster', type: 'nominal', title: 'cluster', sort: clusterOrder, scale: { scheme: 'tableau20' }, ...(manyClusters ? { legend: null } : {}) },
      },
    },
  ];
  if (opts.centers && opts.centers.length) {
    const cs = Array.from(opts.centers, (c, k) => ({ x: r6(get(c, 0)), y: r6(get(c, 1)), cluster: String(k) }));
    layers.push({
      data: { values: cs },
      mark: { type: 'point', shape: 'cross', size: 120, color: 'black', filled: true },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, tooltip: [{ field: 'cluster', type: 'nominal' }] },
    });
    if (manyClusters) {
      // the numbers placed apart from each other and from the centres (placeLabels, on the plot's own domain)
      const placed = placeLabels(cs.map((c) => ({ x: c.x ?? 0, y: c.y ?? 0, label: c.cluster })),
        { width: WIDTH, height: HEIGHT, xDomain: domain.x, yDomain: domain.y, fontSize: 10, maxDistance: 42 });
      const numbers = cs.map((c, k) => ({ ...c, lx: r6(placed[k].x), ly: r6(placed[k].y) })).filter((_, k) => placed[k].fits);
      layers.push({
        data: { values: numbers },
        mark: { type: 'text', align: 'center', baseline: 'middle', fontSize: 10, fontWeight: 'bold' },
        encoding: { x: { field: 'lx', type: 'quantitative' }, y: { field: 'ly', type: 'quantitative' }, text: { field: 'cluster' } },
      });
    }
  }
  return { title: opts.title ?? 'Clusters (halo in grey)', width: WIDTH, height: HEIGHT, data: { values: pts }, layer: layers };
}
