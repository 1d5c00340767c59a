/**
 * Every pair of layers at once: the neighbourhood overlap chi(a, b) at k and the information
 * imbalance Delta(a -> b), as L x L matrices for the heatmaps of the seed papers. The same
 * machinery as layerProfile with every layer a reference: one neighbour search per layer (which
 * also counts the ranks of the earlier layers' nearest neighbours), then for each layer the later
 * layers' neighbours looked up in its table and only the rows beyond it counted: at most 2L - 1
 * passes over the data for L^2 imbalances, the overlaps from the k-column tables kept along the way.
 */
import { InputError } from '../errors';
import type { Chart } from '../../widgets/chart';
import { layerMatrixChart } from '../../widgets/layers/charts';
import { layerProfile, type LayerProfileOptions } from './profile';
import type { LayerProfileResult } from './result';
import { layerSource } from './source';

export interface LayerMatrixOptions extends Pick<LayerProfileOptions, 'k' | 'metric' | 'signal' | 'names' | 'layers' | 'tables' | 'squared' | 'includesSelf' | 'seed'> {
  /** Which matrices (default both). */
  kind?: 'overlap' | 'imbalance' | 'both';
}

export interface LayerMatrixResult {
  readonly names: readonly string[];
  /** values[a * L + b] = chi(a, b) at k (symmetric), or null when not asked. */
  readonly overlap: Float64Array | null;
  /** values[a * L + b] = Delta(a -> b): how well layer a predicts layer b's neighbourhoods; null when not asked. */
  readonly imbalance: Float64Array | null;
  readonly k: number;
  summary(): string;
  plot(options?: { kind?: 'overlap' | 'imbalance' }): Chart;
}

export async function layerMatrix(source: unknown, opts: LayerMatrixOptions = {}): Promise<LayerMatrixResult> {
  const kind = opts.kind ?? 'both';
  if (kind !== 'overlap' && kind !== 'imbalance' && kind !== 'both') {
    throw new InputError(`kind '${String(kind)}' is not one of overlap, imbalance, both`, "Pass { kind: 'overlap' }, { kind: 'imbalance' } or leave it out");
  }
  const { kind: _k, ...rest } = opts;
  const src = layerSource(source, { layers: opts.layers, names: opts.names, tables: opts.tables, squared: opts.squared, includesSelf: opts.includesSelf });
  let prof: LayerProfileResult;
  try {
    const L = src.names.length;
    // every layer is a reference; the only step is the imbalance (none for the overlaps: the kept tables give them)
    prof = await layerProfile(src, { ...rest, names: undefined, layers: undefined, tables: undefined, squared: undefined, includesSelf: undefined,
      steps: kind === 'overlap' ? [] : ['imbalance'], references: kind === 'overlap' ? [] : Array.from({ length: L }, (_, i) => i) });
  } finally {
    if (src !== source) src.close();
  }
  const L = prof.names.length;
  const names = prof.names;
  let imbalance: Float64Array | null = null;
  if (kind !== 'overlap') {
    imbalance = new Float64Array(L * L).fill(NaN);
    for (let a = 0; a < L; a++) {
      for (let b = 0; b < L; b++) imbalance[a * L + b] = prof.layers[a].imbalance.to[b];
    }
  }
  const overlap = kind === 'imbalance' ? null : prof.overlapMatrix().values;
  const k = prof.settings.k;
  const fmtRow = (m: Float64Array, a: number) => names.map((_, b) => (Number.isFinite(m[a * L + b]) ? m[a * L + b].toFixed(2) : '—').padStart(6)).join('');
  return Object.freeze({
    names, overlap, imbalance, k,
    summary() {
      const out: string[] = [];
      for (const [title, m] of [[`overlap chi at k = ${k}`, overlap], ['information imbalance Delta(row -> column)', imbalance]] as const) {
        if (!m) continue;
        out.push(`${title}:`, `${''.padEnd(12)}${names.map((n) => n.slice(0, 5).padStart(6)).join('')}`);
        for (let a = 0; a < L; a++) out.push(`${names[a].slice(0, 11).padEnd(12)}${fmtRow(m, a)}`);
      }
      return out.join('\n');
    },
    plot(o: { kind?: 'overlap' | 'imbalance' } = {}) {
      const which = o.kind ?? (overlap ? 'overlap' : 'imbalance');
      const m = which === 'overlap' ? overlap : imbalance;
      if (!m) throw new InputError(`This layer matrix holds no ${which}`, `Compute it with layerMatrix(source, { kind: '${which}' })`);
      return which === 'overlap'
        ? layerMatrixChart({ names, values: m, title: `Neighbourhood overlap between layers (k = ${k})`, legend: 'overlap χ', domain: [0, 1] })
        : layerMatrixChart({ names, values: m, title: 'Information imbalance Δ(row → column)', legend: 'Δ', domain: [0, 1], rowTitle: 'from layer', columnTitle: 'to layer' });
    },
  });
}
