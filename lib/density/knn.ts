import { checkOptionKeys, optionKeys } from '../options';
import { InputError } from '../errors';
import type { NeighborTable } from '../neighbors/table';
import { lgamma } from '../stats/special';
import { makeDensityResult, type DensityResult } from './result';

/**
 * log ω_d as DADApy computes it: log(exp(d/2 log π − lnΓ((d+2)/2))) (the round trip through exp is
 * kept so that the last bits follow DADApy's).
 */
export function logPrefactor(d: number): number {
  return Math.log(Math.exp((d / 2) * Math.log(Math.PI) - lgamma((d + 2) / 2)));
}

export interface KnnCoreOptions {
  /** Use k − 1 neighbours' worth of mass (densities at new points, whose column k is the k-th data point). */
  interpolation?: boolean;
  /** Add (k/N)^(2/d) in quadrature to the error (DADApy's experimental bias term). */
  bias?: boolean;
  /** The N that normalises the density (default: the number of rows). */
  normaliseBy?: number;
}

/**
 * DADApy's return_not_normalised_density_kstarNN followed by the − log N normalisation:
 * log ρ_i = log k_i − log ω_d − d log r_{i,k_i} − log N, error 1/√k_i
 * (k_i − 1 in both with `interpolation`).
 * `distances` is row-major with `width` columns (column 0 = the point itself for data tables,
 * the nearest data point for cross tables, as DADApy stores them).
 */
export function kstarNNCore(distances: Float64Array, width: number, n: number, id: number, kstar: ArrayLike<number>,
  opts: KnnCoreOptions = {}): { logDen: Float64Array; logDenErr: Float64Array; dc: Float64Array } {
  const interp = opts.interpolation ?? false;
  const bias = opts.bias ?? false;
  const logN = Math.log(opts.normaliseBy ?? n);
  const lp = logPrefactor(id);
  const logDen = new Float64Array(n), logDenErr = new Float64Array(n), dc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = kstar[i];
    const kk = interp ? k - 1 : k;
    const r = distances[i * width + k];
    dc[i] = r;
    logDen[i] = Math.log(kk) - (lp + id * Math.log(r)) - logN;
    let err = 1 / Math.sqrt(kk);
    if (bias) err = Math.sqrt(err * err + Math.pow(k / n, 2 / id));
    logDenErr[i] = err;
  }
  return { logDen, logDenErr, dc };
}

export function checkId(id: number): void {
  if (!(id > 0) || !Number.isFinite(id)) {
    throw new InputError(`Density estimation needs a positive intrinsic dimension, got ${id}`,
      'Compute or set the intrinsic dimension first (computeId2NN() or setId(d) with d > 0)');
  }
}

export function checkK(k: number, maxk: number, min = 1): void {
  if (!Number.isInteger(k) || k < min) {
    throw new InputError(`k must be an integer >= ${min}, got ${k}`, `Pass k between ${min} and maxk = ${maxk}`);
  }
  if (k > maxk) {
    throw new InputError(`k = ${k} exceeds the ${maxk} neighbours stored per point`,
      `Pass k <= ${maxk}, or compute distances with maxk >= ${k}`);
  }
}

export function checkKstar(kstar: ArrayLike<number>, nn: NeighborTable, min = 1): void {
  if (kstar.length !== nn.n) {
    throw new InputError(`k* has ${kstar.length} entries but there are ${nn.n} points`, 'Pass one k* per point (or compute it with computeKstar)');
  }
  for (let i = 0; i < kstar.length; i++) {
    const k = kstar[i];
    if (!Number.isInteger(k) || k < min || k > nn.maxk) {
      throw new InputError(`k* of point ${i} is ${k}, outside [${min}, ${nn.maxk}]`,
        `Use k* values between ${min} and maxk = ${nn.maxk} (compute distances with a larger maxk if needed)`);
    }
  }
}

function rejectZeroRadii(dc: Float64Array, what: string): void {
  for (let i = 0; i < dc.length; i++) {
    if (!(dc[i] > 0)) {
      throw new InputError(`${what}: point ${i} has its k-th neighbour at distance ${dc[i]} (duplicate points), so its density is infinite`,
        'Remove duplicates first with dedupe(X) (it returns the index map), or use a larger k');
    }
  }
}

export interface KnnOptions {
  /** Number of neighbours (DADApy's default 10). */
  k?: number;
  bias?: boolean;
}
const KNN_KEYS = optionKeys<KnnOptions>({ k: 1, bias: 1 });

/** The kNN density (DADApy's compute_density_kNN): log ρ_i = log k − log N − log ω_d − d log r_{i,k}, error 1/√k. */
export function densityKNN(nn: NeighborTable, id: number, opts: KnnOptions = {}): DensityResult {
  checkOptionKeys(opts, KNN_KEYS, 'densityKNN');
  const k = opts.k ?? 10;
  checkId(id);
  checkK(k, nn.maxk);
  const kstar = new Int32Array(nn.n).fill(k);
  const { logDen, logDenErr, dc } = kstarNNCore(nn.distances, nn.maxk + 1, nn.n, id, kstar, { bias: opts.bias });
  rejectZeroRadii(dc, 'kNN density');
  return makeDensityResult('kNN', logDen, logDenErr, dc, kstar, id, { k });
}

/** The k*NN density (DADApy's compute_density_kstarNN): the kNN formula with k = k*_i at each point. */
export function densityKstarNN(nn: NeighborTable, id: number, kstar: ArrayLike<number>, opts: { bias?: boolean } = {}): DensityResult {
  checkOptionKeys(opts, ['bias'], 'densityKstarNN');
  checkId(id);
  checkKstar(kstar, nn);
  const ks = Int32Array.from(kstar);
  const { logDen, logDenErr, dc } = kstarNNCore(nn.distances, nn.maxk + 1, nn.n, id, ks, { bias: opts.bias });
  rejectZeroRadii(dc, 'k*NN density');
  return makeDensityResult('kstarNN', logDen, logDenErr, dc, ks, id);
}

/**
 * k-peaks (DADApy's compute_density_kpeaks): NOT a log density but the score k*_i itself, with
 * error sqrt(Σ_{j=1}^{k*_i − 1} (k*_{nn(i,j)} − k*_i)² / k*_i); dc_i = r_{i,k*_i}. No normalisation.
 */
export function densityKpeaks(nn: NeighborTable, id: number, kstar: ArrayLike<number>): DensityResult {
  checkKstar(kstar, nn);
  const n = nn.n, w = nn.maxk + 1;
  const ks = Int32Array.from(kstar);
  const logDen = new Float64Array(n), logDenErr = new Float64Array(n), dc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = ks[i];
    logDen[i] = k;
    dc[i] = nn.distances[i * w + k];
    let s = 0;
    for (let j = 1; j < k; j++) {
      const diff = ks[nn.indices[i * w + j]] - k;
      s += (diff * diff) / k;
    }
    logDenErr[i] = Math.sqrt(s);
  }
  return makeDensityResult('kpeaks', logDen, logDenErr, dc, ks, id);
}
