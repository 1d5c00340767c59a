import { checkOptionKeys, optionKeys } from '../options';
import { ensureMemory } from '../runtime/memory';
import { InputError } from '../errors';
import { asMatrix, type MatrixLike } from '../matrix';
import type { NeighborTable } from '../neighbors/table';
import { symmetricEigenvalues } from '../stats/symeig';
import type { Chart } from '../../widgets/chart';
import { histogramChart, idCurveChart } from '../../widgets/id/charts';
import { fmt } from './format';

/**
 * Linear (PCA) estimates of the intrinsic dimension, beyond DADApy (scikit-dimension's PCA / lPCA
 * and the participation ratio of the seed papers). They see the dimension of the linear span, so
 * they overestimate curved manifolds (a swiss roll is 3 globally, 2 locally).
 */
export interface PcaIdResult {
  /** Components needed to explain `threshold` of the variance. */
  readonly id: number;
  readonly threshold: number;
  /** Components for 90% and 99% of the variance. */
  readonly id90: number;
  readonly id99: number;
  /** (sum λ)² / sum λ²: a continuous count of the dominant directions. */
  readonly participationRatio: number;
  /** Covariance eigenvalues, descending. */
  readonly eigenvalues: Float64Array;
  /** Cumulative explained-variance ratio after each component. */
  readonly cumulative: Float64Array;
  summary(): string;
  plot(): Chart;
}

/** Eigenvalues of the covariance of the rows listed in `rows` (all when null), via the smaller of D x D and n x n. */
export function covarianceEigenvalues(data: ArrayLike<number>, D: number, rows: ArrayLike<number> | null, nRows: number): Float64Array {
  const n = rows ? rows.length : nRows;
  if (n < 2) throw new InputError(`PCA needs at least 2 points, got ${n}`, 'Pass more points');
  const mean = new Float64Array(D);
  for (let r = 0; r < n; r++) {
    const o = (rows ? rows[r] : r) * D;
    for (let j = 0; j < D; j++) mean[j] += data[o + j];
  }
  for (let j = 0; j < D; j++) mean[j] /= n;
  const Xc = new Float64Array(n * D);
  for (let r = 0; r < n; r++) {
    const o = (rows ? rows[r] : r) * D;
    for (let j = 0; j < D; j++) Xc[r * D + j] = data[o + j] - mean[j];
  }
  let ev: Float64Array;
  if (D <= n) {
    const C = new Float64Array(D * D);
    for (let r = 0; r < n; r++) {
      const o = r * D;
      for (let a = 0; a < D; a++) {
        const x = Xc[o + a];
        if (x === 0) continue;
        for (let b = 0; b <= a; b++) C[a * D + b] += x * Xc[o + b];
      }
    }
    for (let a = 0; a < D; a++) for (let b = 0; b <= a; b++) { C[a * D + b] /= n - 1; C[b * D + a] = C[a * D + b]; }
    ev = symmetricEigenvalues(C, D);
  } else {
    // the n x n Gram matrix has the same non-zero eigenvalues
    ensureMemory(8 * n * n, `PCA of ${n} points in D = ${D} dimensions through the ${n} x ${n} Gram matrix`, 'Use fewer points (a subsample) or fewer coordinates');
    const G = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += Xc[a * D + j] * Xc[b * D + j];
      G[a * n + b] = G[b * n + a] = s / (n - 1);
    }
    ev = symmetricEigenvalues(G, n);
  }
  for (let i = 0; i < ev.length; i++) if (ev[i] < 0) ev[i] = 0;
  return ev;
}

/** Components needed to reach `threshold` of the total variance. */
export function componentsFor(cumulative: Float64Array, threshold: number): number {
  for (let i = 0; i < cumulative.length; i++) if (cumulative[i] >= threshold - 1e-12) return i + 1;
  return cumulative.length;
}

export function participationRatioOf(ev: ArrayLike<number>): number {
  let s = 0, s2 = 0;
  for (let i = 0; i < ev.length; i++) { s += ev[i]; s2 += ev[i] * ev[i]; }
  return s2 > 0 ? (s * s) / s2 : 0;
}

/** Global PCA ID: components for `threshold` (0.9 by default) of the variance, the 90/99% counts and the participation ratio. */
export function pcaId(X: MatrixLike, opts: { threshold?: number } = {}): PcaIdResult {
  checkOptionKeys(opts, ['threshold'], 'pcaId');
  const M = asMatrix(X);
  const threshold = opts.threshold ?? 0.9;
  if (!(threshold > 0 && threshold <= 1)) throw new InputError(`threshold = ${threshold} is outside (0, 1]`, 'Pass a fraction of variance such as 0.9');
  const ev = covarianceEigenvalues(M.data, M.cols, null, M.rows);
  let total = 0;
  for (const v of ev) total += v;
  if (!(total > 0)) throw new InputError('The data have zero variance', 'Pass points that are not all identical');
  const cumulative = new Float64Array(ev.length);
  let c = 0;
  for (let i = 0; i < ev.length; i++) { c += ev[i]; cumulative[i] = c / total; }
  const id = componentsFor(cumulative, threshold);
  const pr = participationRatioOf(ev);
  const r: PcaIdResult = {
    id, threshold, id90: componentsFor(cumulative, 0.9), id99: componentsFor(cumulative, 0.99), participationRatio: pr,
    eigenvalues: ev, cumulative,
    summary: () => `ID ${id} (PCA, ${fmt(threshold * 100)}% of the variance; 90%: ${componentsFor(cumulative, 0.9)}, 99%: ${componentsFor(cumulative, 0.99)}; participation ratio ${fmt(pr)})`,
    plot: () => idCurveChart({ x: Array.from(cumulative, (_, i) => i + 1), ids: cumulative, xTitle: 'components', title: 'PCA: cumulative explained variance' }),
  };
  return Object.freeze(r);
}

/** The participation ratio (sum λ)² / sum λ² of the covariance eigenvalues. */
export function participationRatio(X: MatrixLike): number {
  const M = asMatrix(X);
  return participationRatioOf(covarianceEigenvalues(M.data, M.cols, null, M.rows));
}

export interface LocalPcaOptions {
  /** Neighbours per local patch (the point itself included); default min(20, maxk). */
  k?: number;
  /** 'FO' (Fukunaga-Olsen: eigenvalues > alpha λ_max, scikit-dimension's default), 'ratio' (variance threshold), or 'pr' (participation ratio). */
  method?: 'FO' | 'ratio' | 'pr';
  alpha?: number;
  threshold?: number;
  /** Estimate on every `stride`-th point only (1 = all). */
  stride?: number;
}
export const LOCAL_PCA_KEYS = optionKeys<LocalPcaOptions>({ k: 1, method: 1, alpha: 1, threshold: 1, stride: 1 });

export interface LocalPcaResult {
  /** Mean of the local IDs. */
  readonly id: number;
  /** Standard deviation of the local IDs. */
  readonly idErr: number;
  readonly localIds: Float64Array;
  readonly k: number;
  readonly method: 'FO' | 'ratio' | 'pr';
  /** Mean radius of the patches. */
  readonly scale: number;
  summary(): string;
  /** Histogram of the local IDs. */
  plot(): Chart;
}

/** Local PCA ID: PCA on the k-neighbourhood of each point, then the mean over points. */
export function localPcaId(X: MatrixLike, nn: NeighborTable, opts: LocalPcaOptions = {}): LocalPcaResult {
  checkOptionKeys(opts, LOCAL_PCA_KEYS, 'localPcaId');
  const M = asMatrix(X);
  if (nn.n !== M.rows) throw new InputError(`The neighbour table has ${nn.n} rows but there are ${M.rows} points`, 'Pass the table of these points');
  const k = opts.k ?? Math.min(20, nn.maxk);
  if (!(Number.isInteger(k) && k >= 2 && k <= nn.maxk)) throw new InputError(`k = ${k} must be between 2 and maxk = ${nn.maxk}`, 'Pass a smaller k or compute more neighbours');
  const method = opts.method ?? 'FO';
  const alpha = opts.alpha ?? 0.05, threshold = opts.threshold ?? 0.9;
  const stride = opts.stride ?? 1;
  const w = nn.maxk + 1;
  const ids: number[] = [];
  let rsum = 0;
  const rows = new Int32Array(k + 1);
  for (let i = 0; i < M.rows; i += stride) {
    for (let c = 0; c <= k; c++) rows[c] = nn.indices[i * w + c];
    rsum += nn.distances[i * w + k];
    const ev = covarianceEigenvalues(M.data, M.cols, rows, k + 1);
    let est: number;
    if (method === 'FO') {
      est = 0;
      for (const v of ev) if (v > alpha * ev[0]) est++;
    } else if (method === 'pr') {
      est = participationRatioOf(ev);
    } else {
      let t = 0;
      for (const v of ev) t += v;
      let c = 0;
      est = ev.length;
      for (let j = 0; j < ev.length; j++) { c += ev[j]; if (c / t >= threshold - 1e-12) { est = j + 1; break; } }
    }
    ids.push(est);
  }
  const localIds = Float64Array.from(ids);
  let m = 0;
  for (const v of localIds) m += v;
  m /= localIds.length;
  let v2 = 0;
  for (const v of localIds) v2 += (v - m) ** 2;
  const sd = Math.sqrt(v2 / localIds.length);
  const scale = rsum / localIds.length;
  return Object.freeze({
    id: m, idErr: sd, localIds, k, method, scale,
    summary: () => `ID ${fmt(m)} ± ${fmt(sd)} at r = ${fmt(scale)} (local PCA, ${method}, k = ${k})`,
    plot: () => histogramChart(localIds, { xTitle: 'local ID', bins: method === 'pr' ? 20 : Math.max(1, Math.min(20, Math.ceil(Math.max(...localIds)))), title: `Local PCA ID (${method}, k = ${k})` }),
  });
}
