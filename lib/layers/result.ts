/**
 * What `layerProfile` returns: every per-layer result, a table with one row per layer, a text
 * summary, and the charts (one per question: ID, overlaps, imbalances, clusters; the scale curves as
 * small multiples; the layer x layer overlap heatmap from the tables it kept).
 */
import type { Chart } from '../../widgets/chart';
import { layerCurvesChart, layerMatrixChart, layerOverviewChart, layerQuantityChart, type LayerSeries } from '../../widgets/layers/charts';
import type { IndexTable } from '../compare/imbalance';
import { dataOverlapPerPoint } from '../compare/overlap';
import type { AdpResult } from '../clustering/adp';
import type { TwoNNResult } from '../id/twonn';
import type { GrideScalingResult } from '../id/gride';
import type { Labels } from '../io/types';

/** Imbalances of a layer with each reference layer (in the order of `settings.references`). */
export interface LayerImbalance {
  /** Delta(layer -> reference): how well this layer predicts the reference's neighbourhoods (0 = fully). */
  readonly to: Float64Array;
  /** Delta(reference -> layer). */
  readonly from: Float64Array;
}

export interface LayerClusters {
  readonly nClusters: number;
  /** Against the labels (NaN without labels). */
  readonly ari: number;
  readonly ami: number;
  /** Fraction of points that are not halo. */
  readonly coreFraction: number;
  /** Cluster of every distinct row (see `kept`). */
  readonly assignment: Int32Array;
  /** The same with halo points at -1. */
  readonly haloAssignment: Int32Array;
  /** The input rows the assignment refers to, when duplicates were removed (null: all rows). */
  readonly kept: Int32Array | null;
  readonly result: AdpResult;
}

export interface LayerResult {
  readonly index: number;
  readonly name: string;
  /** Inputs (rows) and width of the layer. */
  readonly n: number;
  readonly dims: number;
  /** Distinct rows, and how many duplicates were removed for the per-layer estimates. */
  readonly nUnique: number;
  readonly duplicates: number;
  readonly id2nn: TwoNNResult | null;
  readonly gride: GrideScalingResult | null;
  /** Gride's ID at the profile's scale n2, and its error. */
  readonly idAtScale: number;
  readonly idAtScaleErr: number;
  readonly labelOverlap: number;
  /** Overlap of the neighbourhoods with the next layer's (NaN for the last layer). */
  readonly nextOverlap: number;
  readonly imbalance: LayerImbalance;
  readonly clusters: LayerClusters | null;
  /** What went wrong or is worth knowing for this layer (the profile goes on). */
  readonly warnings: readonly string[];
  /**
   * Seconds per step (read, neighbours, ranks, dedupe, id, gride, labelOverlap, clusters; for a
   * reference layer, referenceRanks: the later layers' ranks in it, at the end of the profile).
   */
  readonly seconds: Readonly<Record<string, number>>;
  /**
   * A reference layer: how many rows had a later layer's nearest neighbour beyond its table, so
   * that their ranks were counted over all N points (the others come from its table); NaN otherwise.
   */
  readonly rowsCounted: number;
}

/** One row of the table. */
export interface LayerRow {
  layer: string;
  n: number;
  distinct: number;
  dims: number;
  id2nn: number;
  idGride: number;
  idGrideErr: number;
  overlapLabels: number;
  overlapNext: number;
  [imbalance: `imb${string}`]: number;
  clusters: number;
  ari: number;
  ami: number;
  coreFraction: number;
  warnings: string;
}

export interface LayerProfileSettings {
  readonly steps: readonly string[];
  readonly maxk: number;
  readonly k: number;
  readonly rangeMax: number;
  readonly scale: number;
  readonly Z: number;
  readonly metric: string;
  /** Names of the reference layers of the imbalance. */
  readonly references: readonly string[];
}

export interface LayerProfileResult {
  readonly names: readonly string[];
  readonly n: number;
  readonly description: string;
  readonly layers: readonly LayerResult[];
  readonly labels: Labels | null;
  readonly settings: LayerProfileSettings;
  /** True when the run was interrupted and this holds what was computed until then. */
  readonly partial: boolean;
  /** One row per layer (plain objects, for a table or a CSV). */
  table(): LayerRow[];
  /** The table as CSV text. */
  toCSV(): string;
  /** The neighbourhood overlap of every pair of layers at k, from the tables kept (no new search). */
  overlapMatrix(): { names: readonly string[]; values: Float64Array; k: number; plot(): Chart };
  summary(): string;
  /**
   * 'overview' (default: every quantity, one panel each, sharing the layer axis), 'id', 'overlap',
   * 'imbalance', 'clusters', 'curves' (the Gride scale curves as small multiples), 'overlapMatrix'.
   */
  plot(options?: { kind?: 'overview' | 'id' | 'overlap' | 'imbalance' | 'clusters' | 'curves' | 'overlapMatrix' }): Chart;
}

export interface LayerProfileParts {
  names: readonly string[];
  n: number;
  description: string;
  layers: LayerResult[];
  labels: Labels | null;
  settings: LayerProfileSettings;
  kTables: (IndexTable | null)[];
  nearest: (Int32Array | null)[];
  partial: boolean;
}

function cell(v: number, digits = 3): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '—';
}

/** "value ± error" with two decimals, or as many as the error's first significant digit needs (at most 6). */
export function plusMinus(value: number, err: number): string {
  if (!Number.isFinite(value)) return '—';
  if (!Number.isFinite(err)) return `${value.toFixed(2)} ± ?`;
  const decimals = err >= 0.005 || err === 0 ? 2 : Math.min(6, Math.ceil(-Math.log10(err)));
  return `${value.toFixed(decimals)} ± ${err.toFixed(decimals)}`;
}

export function makeLayerProfileResult(p: LayerProfileParts): LayerProfileResult {
  const { names, layers, settings } = p;
  const refs = settings.references;
  const imbKey = (dir: 'to' | 'from', q: number) => `imb${dir === 'to' ? 'To' : 'From'}${refs.length === 2 && q === 0 ? 'First' : refs.length === 2 && q === 1 ? 'Last' : `_${refs[q]}`}`;
  const table = (): LayerRow[] => layers.map((l) => {
    const row: Record<string, number | string> = {
      layer: l.name, n: l.n, distinct: l.nUnique, dims: l.dims,
      id2nn: l.id2nn ? l.id2nn.id : NaN, idGride: l.idAtScale, idGrideErr: l.idAtScaleErr,
      overlapLabels: l.labelOverlap, overlapNext: l.nextOverlap,
    };
    refs.forEach((_, q) => {
      row[imbKey('to', q)] = l.imbalance.to[q] ?? NaN;
      row[imbKey('from', q)] = l.imbalance.from[q] ?? NaN;
    });
    Object.assign(row, {
      clusters: l.clusters ? l.clusters.nClusters : NaN, ari: l.clusters ? l.clusters.ari : NaN, ami: l.clusters ? l.clusters.ami : NaN,
      coreFraction: l.clusters ? l.clusters.coreFraction : NaN, warnings: l.warnings.join('; '),
    });
    return row as unknown as LayerRow;
  });
  let overlapCache: Float64Array | null = null;
  const overlapMatrix = () => {
    if (!overlapCache) {
      const L = names.length;
      overlapCache = new Float64Array(L * L).fill(NaN);
      for (let a = 0; a < L; a++) {
        for (let b = a; b < L; b++) {
          const ta = p.kTables[a], tb = p.kTables[b];
          if (!ta || !tb) continue;
          const per = dataOverlapPerPoint(ta, tb, Math.min(settings.k, ta.maxk, tb.maxk));
          let t = 0;
          for (let i = 0; i < per.length; i++) t += per[i];
          overlapCache[a * L + b] = overlapCache[b * L + a] = t / per.length;
        }
      }
    }
    const values = overlapCache;
    return Object.freeze({
      names, values, k: settings.k,
      plot: () => layerMatrixChart({ names: [...names], values, title: `Neighbourhood overlap between layers (k = ${settings.k})`, legend: 'overlap χ', domain: [0, 1] }),
    });
  };
  const series = (): Record<string, LayerSeries[]> => {
    const get = (f: (l: LayerResult) => number) => layers.map(f);
    const imb: LayerSeries[] = [];
    refs.forEach((ref, q) => {
      imb.push({ name: `Δ(layer → ${ref})`, values: get((l) => l.imbalance.to[q] ?? NaN) });
      imb.push({ name: `Δ(${ref} → layer)`, values: get((l) => l.imbalance.from[q] ?? NaN) });
    });
    return {
      id: [
        { name: `Gride (n2 = ${settings.scale})`, values: get((l) => l.idAtScale), errors: get((l) => l.idAtScaleErr) },
        { name: '2NN', values: get((l) => (l.id2nn ? l.id2nn.id : NaN)) },
      ],
      overlap: [
        { name: 'with the labels', values: get((l) => l.labelOverlap) },
        { name: 'with the next layer', values: get((l) => l.nextOverlap) },
      ],
      imbalance: imb,
      clusters: [{ name: 'ADP clusters', values: get((l) => (l.clusters ? l.clusters.nClusters : NaN)) }],
      agreement: [
        { name: 'ARI', values: get((l) => (l.clusters ? l.clusters.ari : NaN)) },
        { name: 'AMI', values: get((l) => (l.clusters ? l.clusters.ami : NaN)) },
        { name: 'core fraction', values: get((l) => (l.clusters ? l.clusters.coreFraction : NaN)) },
      ],
    };
  };
  const has = (xs: LayerSeries[]) => xs.filter((x) => Array.from(x.values).some((v) => Number.isFinite(v)));
  const panels = () => {
    const s = series();
    return [
      { title: 'intrinsic dimension', series: has(s.id), yTitle: 'ID' },
      { title: `neighbourhood overlap (k = ${settings.k})`, series: has(s.overlap), yTitle: 'χ', domain: [0, 1] as [number, number] },
      { title: 'information imbalance', series: has(s.imbalance), yTitle: 'Δ', zero: true },
      { title: `ADP clusters (Z = ${settings.Z})`, series: has(s.clusters), yTitle: 'clusters', zero: true },
      { title: 'clusters against the labels', series: has(s.agreement), yTitle: 'score', domain: [0, 1] as [number, number] },
    ].filter((x) => x.series.length > 0);
  };
  const summary = () => {
    const rows = table();
    const cols: [string, (r: LayerRow) => string][] = [
      ['layer', (r) => r.layer], ['N', (r) => String(r.n)], ['dup', (r) => (Number.isFinite(r.distinct) ? String(r.n - r.distinct) : '—')],
      ['D', (r) => String(r.dims)], ['ID 2NN', (r) => cell(r.id2nn, 2)], [`ID n2=${settings.scale}`, (r) => plusMinus(r.idGride, r.idGrideErr)],
      ['χ labels', (r) => cell(r.overlapLabels)], ['χ next', (r) => cell(r.overlapNext)],
    ];
    refs.forEach((ref, q) => {
      const short = refs.length === 2 ? (q === 0 ? 'first' : 'last') : ref;
      cols.push([`Δ→${short}`, (r) => cell((r as unknown as Record<string, number>)[imbKey('to', q)])]);
      cols.push([`Δ${short}→`, (r) => cell((r as unknown as Record<string, number>)[imbKey('from', q)])]);
    });
    cols.push(['clusters', (r) => (Number.isFinite(r.clusters) ? String(r.clusters) : '—')], ['ARI', (r) => cell(r.ari)], ['AMI', (r) => cell(r.ami)], ['core', (r) => cell(r.coreFraction, 2)]);
    const used = cols.filter(([h, f]) => h === 'layer' || h === 'N' || h === 'D' || rows.some((r) => f(r) !== '—'));
    const text = rows.map((r) => used.map(([, f]) => f(r)));
    const widths = used.map(([h], j) => Math.max(h.length, ...text.map((t) => t[j].length)));
    const line = (cells: string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
    const out = [`Layer profile${p.partial ? ' (interrupted: partial)' : ''}: ${p.description}`, line(used.map(([h]) => h)), ...text.map(line)];
    const warned = layers.filter((l) => l.warnings.length);
    for (const l of warned) out.push(`! ${l.name}: ${l.warnings.join('; ')}`);
    return out.join('\n');
  };
  const toCSV = () => {
    const rows = table();
    if (rows.length === 0) return '';
    const keys = Object.keys(rows[0]);
    const esc = (v: unknown) => {
      const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
      return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    return [keys.join(','), ...rows.map((r) => keys.map((k) => esc((r as unknown as Record<string, unknown>)[k])).join(','))].join('\n') + '\n';
  };
  const result: LayerProfileResult = {
    names, n: p.n, description: p.description, layers: Object.freeze(layers), labels: p.labels, settings: Object.freeze(settings), partial: p.partial,
    table, toCSV, overlapMatrix, summary,
    plot(options = {}) {
      const kind = options.kind ?? 'overview';
      const s = series();
      const nm = [...names];
      switch (kind) {
        case 'id': return layerQuantityChart({ names: nm, series: has(s.id), title: 'Intrinsic dimension across layers', yTitle: 'intrinsic dimension' });
        case 'overlap': return layerQuantityChart({ names: nm, series: has(s.overlap), title: `Neighbourhood overlap across layers (k = ${settings.k})`, yTitle: 'overlap χ', domain: [0, 1] });
        case 'imbalance': return layerQuantityChart({ names: nm, series: has(s.imbalance), title: 'Information imbalance with the reference layers', yTitle: 'Δ', zero: true });
        case 'clusters': return layerOverviewChart({ names: nm, title: 'ADP clusters across layers', panels: panels().filter((x) => x.title.startsWith('ADP') || x.title.startsWith('clusters')) });
        case 'curves': return layerCurvesChart({
          names: nm, title: 'Gride scale curves, one panel per layer',
          curves: layers.map((l) => (l.gride ? { ids: l.gride.ids, idsErr: l.gride.idsErr, ranks: l.gride.ranks } : null)),
        });
        case 'overlapMatrix': return overlapMatrix().plot();
        case 'overview': return layerOverviewChart({ names: nm, title: `Layer profile: ${p.description}`, panels: panels() });
        default: throw new Error(`Unknown plot kind '${String(kind)}': use overview, id, overlap, imbalance, clusters, curves or overlapMatrix`);
      }
    },
  };
  return Object.freeze(result);
}
