import { checkpoint, startProgress } from '../runtime/progress';
import { checkOptionKeys, describeOptionValue, finiteNumber, nonNegativeInteger, numberInRange, optionKeys, positiveNumber, positiveNumbers } from '../options';
import { InputError } from '../errors';
import { asMatrix, validateCoordinates, type MatrixLike } from '../matrix';
import { pairDistance } from '../neighbors/distance';
import { ensureMemory } from '../runtime/memory';
import { parseMetric, type Metric } from '../neighbors/metrics';
import type { NeighborTable } from '../neighbors/table';
import type { Chart } from '../../widgets/chart';
import { idCurveChart } from '../../widgets/id/charts';
import { fmt } from './format';

/** Least-squares slope and intercept of y against x (NumPy's polyfit of degree 1). */
export function lineFit(x: ArrayLike<number>, y: ArrayLike<number>): { slope: number; intercept: number } {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * DADApy's correlation_integral (a function in _utils/id_estimation.py): for each scale r,
 * CI(r) = (#{table entries < r} - N) / (N (N - 1)) (1 / (N (N - 1)) when below 1e-10), and from
 * the second scale on the slope of the line through (log r, log CI) of all scales so far. The
 * table should hold every neighbour (maxk = N - 1) for CI to count all pairs.
 */
export function correlationIntegral(nn: NeighborTable, scalesIn: ArrayLike<number>): { ids: Float64Array; scales: Float64Array; ci: Float64Array } {
  const scales = positiveNumbers(scalesIn, 'scales', 'correlationIntegral');
  const N = nn.n;
  const ci = new Float64Array(scales.length);
  const ids: number[] = [];
  const D = nn.distances;
  for (let s = 0; s < scales.length; s++) {
    let c = 0;
    for (let t = 0; t < D.length; t++) if (D[t] < scales[s]) c++;
    let v = (c - N) / N / (N - 1);
    if (v < 1e-10) v = 1 / N / (N - 1);
    ci[s] = v;
    if (s < 1) continue;
    const lx: number[] = [], ly: number[] = [];
    for (let t = 0; t <= s; t++) { lx.push(Math.log(scales[t])); ly.push(Math.log(ci[t])); }
    ids.push(lineFit(lx, ly).slope);
  }
  return { ids: Float64Array.from(ids), scales: Float64Array.from(Array.from(scales).slice(1)), ci };
}

export interface CorrelationDimensionOptions {
  /** Smallest and largest radius of the fit; default the 0.2% and 5% quantiles of the pair distances (estimated on a sample). */
  rMin?: number;
  rMax?: number;
  /** Radii, log-spaced between rMin and rMax (default 12). */
  nScales?: number;
  metric?: Metric | string;
}
export const CORRELATION_KEYS = optionKeys<CorrelationDimensionOptions>({ rMin: 1, rMax: 1, nScales: 1, metric: 1 });

export interface CorrelationDimensionResult {
  /** Slope of log C(r) against log r over [rMin, rMax]. */
  readonly id: number;
  /** Standard error of that slope (least squares). */
  readonly idErr: number;
  /** Geometric middle of the fitted range. */
  readonly scale: number;
  readonly radii: Float64Array;
  /** C(r): the fraction of pairs closer than r. */
  readonly C: Float64Array;
  /** Slopes between consecutive radii (the local correlation dimension). */
  readonly localIds: Float64Array;
  summary(): string;
  plot(): Chart;
}

interface CorrelationPlan {
  readonly N: number;
  readonly Dm: number;
  readonly data: ArrayLike<number>;
  readonly metric: Metric;
  readonly rMin: number;
  readonly rMax: number;
  readonly radii: Float64Array;
}

function correlationPlan(X: MatrixLike, opts: CorrelationDimensionOptions): CorrelationPlan {
  const M = asMatrix(X);
  const N = M.rows, Dm = M.cols, data = M.data;
  const metric = parseMetric(opts.metric);
  if (N < 3) throw new InputError(`The correlation dimension needs at least 3 points, got ${N}`, 'Pass more points');
  let rMin = opts.rMin === undefined ? undefined : positiveNumber(opts.rMin, 'rMin', 'correlationDimension');
  let rMax = opts.rMax === undefined ? undefined : positiveNumber(opts.rMax, 'rMax', 'correlationDimension');
  const S = opts.nScales === undefined ? 12 : numberInRange(opts.nScales, 'nScales', 2, Infinity, { integer: true, maxInclusive: false, where: 'correlationDimension' });
  if (rMin === undefined || rMax === undefined) {
    // the pair distances of about 200 rows (a typed array: its numeric sort is fast)
    const step = Math.max(1, Math.floor(N / 200));
    const rows = Math.ceil(N / step);
    ensureMemory(8 * rows * (N - 1), `Choosing rMin and rMax from the distances of ${rows} rows to all ${N} points`, 'Pass rMin and rMax yourself (the scales bracketing the neighbourhoods)');
    const sample = new Float64Array(rows * (N - 1));
    let t = 0;
    for (let i = 0; i < N; i += step) for (let j = 0; j < N; j++) if (j !== i) sample[t++] = pairDistance(data, i, data, j, Dm, metric, null);
    sample.sort();
    rMin ??= sample[Math.floor(0.002 * (sample.length - 1))];
    rMax ??= sample[Math.floor(0.05 * (sample.length - 1))];
  }
  if (!(rMin > 0 && rMax > rMin)) throw new InputError(`Need 0 < rMin < rMax, got ${rMin} and ${rMax}`, 'Pass rMin and rMax that bracket the neighbourhood scales');
  const radii = Float64Array.from({ length: S }, (_, s) => rMin! * Math.pow(rMax! / rMin!, s / (S - 1)));
  return { N, Dm, data, metric, rMin, rMax, radii };
}

/** Counts the pairs (i, j > i) of rows i in [i0, i1) into hist by the first radius above their distance. */
function countPairs(p: CorrelationPlan, hist: Float64Array, i0: number, i1: number): void {
  const { N, Dm, data, metric, radii } = p;
  const S = radii.length;
  for (let i = i0; i < i1; i++) {
    for (let j = i + 1; j < N; j++) {
      const d = pairDistance(data, i, data, j, Dm, metric, null);
      if (d >= radii[S - 1]) continue;
      // first radius strictly above d
      let lo = 0, hi = S - 1;
      while (lo < hi) { const m = (lo + hi) >> 1; if (radii[m] > d) hi = m; else lo = m + 1; }
      hist[lo]++;
    }
  }
}

function correlationResult(p: CorrelationPlan, hist: Float64Array): CorrelationDimensionResult {
  const { N, radii, rMin, rMax } = p;
  const S = radii.length;
  const pairs = (N * (N - 1)) / 2;
  const C = new Float64Array(S);
  let c = 0;
  for (let s = 0; s < S; s++) { c += hist[s]; C[s] = c / pairs; }
  const lx: number[] = [], ly: number[] = [];
  for (let s = 0; s < S; s++) if (C[s] > 0) { lx.push(Math.log(radii[s])); ly.push(Math.log(C[s])); }
  if (lx.length < 2) throw new InputError('Too few pairs closer than rMax to fit a slope', 'Increase rMax');
  const { slope, intercept } = lineFit(lx, ly);
  let ss = 0, sxx = 0, mx = 0;
  for (const v of lx) mx += v;
  mx /= lx.length;
  for (let t = 0; t < lx.length; t++) { ss += (ly[t] - intercept - slope * lx[t]) ** 2; sxx += (lx[t] - mx) ** 2; }
  const idErr = lx.length > 2 ? Math.sqrt(ss / (lx.length - 2) / sxx) : NaN;
  const localIds = new Float64Array(S - 1);
  for (let s = 0; s + 1 < S; s++) localIds[s] = C[s] > 0 ? Math.log(C[s + 1] / C[s]) / Math.log(radii[s + 1] / radii[s]) : NaN;
  const scale = Math.sqrt(rMin * rMax);
  const mids = Float64Array.from(localIds, (_, s) => Math.sqrt(radii[s] * radii[s + 1]));
  const r: CorrelationDimensionResult = {
    id: slope, idErr, scale, radii, C, localIds,
    summary: () => `ID ${fmt(slope)} ± ${fmt(idErr)} at r = ${fmt(scale)} (correlation dimension over r in [${fmt(rMin)}, ${fmt(rMax)}])`,
    plot: () => idCurveChart({ x: mids, ids: localIds, xTitle: 'radius', log: true, title: 'Correlation dimension: local slope of log C(r)' }),
  };
  return Object.freeze(r);
}

/**
 * The Grassberger-Procaccia correlation dimension from coordinates: all N(N-1)/2 pairs are counted
 * (O(N² D) time, no N x N matrix), C(r) at log-spaced radii, and the slope of log C against log r.
 * Synchronous; correlationDimensionAsync is the same computation in row blocks with progress and
 * interruption (what Data.computeIdCorrelation uses).
 */
export function correlationDimension(X: MatrixLike, opts: CorrelationDimensionOptions = {}): CorrelationDimensionResult {
  checkOptionKeys(opts, CORRELATION_KEYS, 'correlationDimension');
  const p = correlationPlan(X, opts);
  const hist = new Float64Array(p.radii.length + 1);
  countPairs(p, hist, 0, p.N);
  return correlationResult(p, hist);
}

/**
 * correlationDimension in row blocks of about 0.2 s each (sized from the time the previous block
 * took), reporting progress and calling the checkpoint between blocks, so an interrupt (or
 * `signal`) stops it within a block. The same numbers as correlationDimension.
 */
export async function correlationDimensionAsync(X: MatrixLike, opts: CorrelationDimensionOptions & { signal?: AbortSignal } = {}): Promise<CorrelationDimensionResult> {
  checkOptionKeys(opts, [...CORRELATION_KEYS, 'signal'], 'correlationDimension');
  const { signal, ...rest } = opts;
  const p = correlationPlan(X, rest);
  const hist = new Float64Array(p.radii.length + 1);
  const totalPairs = (p.N * (p.N - 1)) / 2;
  let target = 1e5; // pairs in the next block, adapted to about 0.2 s
  const bar = startProgress('correlation dimension', totalPairs);
  try {
    let done = 0;
    for (let i0 = 0; i0 < p.N;) {
      // rows until about `target` pairs (row i has N - i - 1 of them)
      let i1 = i0, pairs = 0;
      while (i1 < p.N && (pairs === 0 || pairs + (p.N - i1 - 1) <= target)) { pairs += p.N - i1 - 1; i1++; }
      const t0 = performance.now();
      countPairs(p, hist, i0, i1);
      const ms = performance.now() - t0;
      target = Math.max(1e4, target * Math.min(2, Math.max(0.5, 200 / Math.max(ms, 1e-3))));
      done += pairs;
      bar.update(done);
      await checkpoint(signal);
      i0 = i1;
    }
  } finally {
    bar.finish();
  }
  return correlationResult(p, hist);
}

/**
 * DADApy's box_counting (_utils/id_estimation.py): for each box size s, the number of occupied
 * cells of a grid of side s over [inf, sup] in every coordinate (NumPy histogramdd with DADApy's
 * edges [inf - s + off + 1e-5, inf + off + 1e-5, inf + s + off + 1e-5, ...]), minimised over
 * nOffsets shifts of the grid; the scales where the count changes are kept and, from the second
 * on, the slope of log N against log(1/s) over all scales so far is the box-counting dimension.
 */
export function boxCounting(X: MatrixLike, boxBoundaries: [number, number], inputScalesIn: ArrayLike<number>, nOffsets = 0): { cfs: Float64Array; scales: Float64Array; counts: Float64Array } {
  const M = asMatrix(X);
  validateCoordinates(M, 1);
  if (!Array.isArray(boxBoundaries) || boxBoundaries.length !== 2) {
    throw new InputError(`boxCounting: boxBoundaries must be [min, max], got ${describeOptionValue(boxBoundaries)}`, 'Pass the box as [min, max] over all coordinates');
  }
  const inf = finiteNumber(boxBoundaries[0], 'boxBoundaries[0]', 'boxCounting');
  const sup = finiteNumber(boxBoundaries[1], 'boxBoundaries[1]', 'boxCounting');
  if (!(sup > inf)) throw new InputError(`boxCounting: boxBoundaries [${inf}, ${sup}] is empty`, 'Pass [min, max] with min < max');
  const inputScales = positiveNumbers(inputScalesIn, 'scales', 'boxCounting');
  nOffsets = nonNegativeInteger(nOffsets, 'nOffsets', 'boxCounting');
  const N = M.rows, D = M.cols, x = M.data;
  const Ns: number[] = [];
  for (let si = 0; si < inputScales.length; si++) {
    const s = inputScales[si];
    const ngrid = Math.ceil((sup + 2 * s - inf) / s);
    const offsets = nOffsets > 0 ? Array.from({ length: nOffsets }, (_, o) => (o * s) / nOffsets) : [0];
    let best = Infinity;
    for (const off of offsets) {
      const edges = new Float64Array(ngrid + 1);
      edges[0] = inf - s + off + 1e-5;
      for (let g = 0; g < ngrid; g++) edges[g + 1] = inf + g * s + off + 1e-5;
      const last = edges.length - 1;
      const cells = new Set<string>();
      for (let i = 0; i < N; i++) {
        const key: number[] = [];
        let inside = true;
        for (let t = 0; t < D && inside; t++) {
          const v = x[i * D + t];
          if (v < edges[0] || v > edges[last]) { inside = false; break; }
          // searchsorted(edges, v, 'right') - 1, the right edge folded into the last bin
          let lo = 0, hi = edges.length;
          while (lo < hi) { const m = (lo + hi) >> 1; if (edges[m] <= v) lo = m + 1; else hi = m; }
          let b = lo - 1;
          if (b === last) b = last - 1;
          key.push(b);
        }
        if (inside) cells.add(key.join(','));
      }
      best = Math.min(best, cells.size);
    }
    Ns.push(best);
  }
  // keep the smallest scale of each distinct count, drop zero counts, sort by scale
  const uniq = Array.from(new Set(Ns)).sort((a, b) => a - b).filter((v) => v !== 0);
  const pairs = uniq.map((cnt) => {
    let m = Infinity;
    for (let i = 0; i < Ns.length; i++) if (Ns[i] === cnt) m = Math.min(m, inputScales[i]);
    return [m, cnt] as [number, number];
  }).sort((a, b) => a[0] - b[0]);
  const scales = Float64Array.from(pairs, (p) => p[0]), counts = Float64Array.from(pairs, (p) => p[1]);
  const cfs: number[] = [];
  for (let i = 1; i < scales.length; i++) {
    const lx: number[] = [], ly: number[] = [];
    for (let t = 0; t <= i; t++) { lx.push(Math.log(1 / scales[t])); ly.push(Math.log(counts[t])); }
    cfs.push(lineFit(lx, ly).slope);
  }
  return { cfs: Float64Array.from(cfs), scales: scales.slice(1), counts };
}
