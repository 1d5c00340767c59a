import type { SpecFragment } from '../chart';
import { zoomPan } from '../interactions';

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
  const layers: SpecFragment[] = [
    {
      transform: [{ filter: 'datum.halo' }],
      mark: { type: 'circle', size: 8, color: '#c8c8c8', opacity: 0.6 },
      encoding: { x: { field: 'x', type: 'quantitative', scale: { zero: false } }, y: { field: 'y', type: 'quantitative', scale: { zero: false } }, tooltip },
    },
    {
      transform: [{ filter: '!datum.halo' }],
      params: [zoomPan()],
      mark: { type: 'circle', size: 10, opacity: 0.8 },
      encoding: {
        tooltip,
        x: { field: 'x', type: 'quantitative', scale: { zero: false } },
        y: { field: 'y', type: 'quantitative', scale: { zero: false } },
        color: { field: 'cluster', type: 'nominal', title: 'cluster', scale: { scheme: 'tableau20' } },
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
  }
  return { title: opts.title ?? 'Clusters (halo in grey)', width: 380, height: 340, data: { values: pts }, layer: layers };
}
