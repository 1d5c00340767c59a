import type { SpecFragment } from '../chart';

const r6 = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

/**
 * A 2-D scatter of the points coloured by cluster (vega-lite v5); halo points (label −1) in light
 * grey underneath, cluster centres as black crosses. Uses the first two coordinates.
 */
export function clusterScatterSpec(coordinates: ArrayLike<ArrayLike<number>> | { rows: number; cols: number; data: ArrayLike<number> },
  labels: ArrayLike<number>, opts: { centers?: ArrayLike<number>; title?: string; haloLabel?: number } = {}): SpecFragment {
  const halo = opts.haloLabel ?? -1;
  const get = (i: number, j: number): number => ('data' in coordinates && 'cols' in coordinates
    ? coordinates.data[i * coordinates.cols + j] : (coordinates as ArrayLike<ArrayLike<number>>)[i][j]);
  const n = labels.length;
  const pts: { x: number | null; y: number | null; cluster: string; halo: boolean }[] = [];
  for (let i = 0; i < n; i++) pts.push({ x: r6(get(i, 0)), y: r6(get(i, 1)), cluster: labels[i] === halo ? 'halo' : String(labels[i]), halo: labels[i] === halo });
  const layers: SpecFragment[] = [
    {
      transform: [{ filter: 'datum.halo' }],
      mark: { type: 'circle', size: 8, color: '#c8c8c8', opacity: 0.6 },
      encoding: { x: { field: 'x', type: 'quantitative', scale: { zero: false } }, y: { field: 'y', type: 'quantitative', scale: { zero: false } } },
    },
    {
      transform: [{ filter: '!datum.halo' }],
      mark: { type: 'circle', size: 10, opacity: 0.8 },
      encoding: {
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
