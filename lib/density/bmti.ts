import { checkOptionKeys, optionKeys } from '../options';
import { InputError } from '../errors';
import type { NeighGraph } from './graph';
import { makeDensityResult, type DensityResult } from './result';

export type BmtiWeights = 'uncorr' | 'identity' | 'LSDI';

export interface BmtiOptions {
  /** Edge weights: 1/(Var ΔF · √(k*_i k*_j)) ('uncorr', DADApy's default), 1 ('identity'), or LSDI inverse covariances (pass `invDeltaFsCov`). */
  deltaFInvCov?: BmtiWeights | string;
  /** Weight of the ΔF term against the regulariser (DADApy's alpha, default 1: no regulariser). */
  alpha?: number;
  /** Compute the errors from the diagonal of the (pseudo-)inverse of the system matrix. */
  compLogDenErr?: boolean;
  /** LSDI weights (DADApy's inv_deltaFs_cov), required with deltaFInvCov = 'LSDI'. */
  invDeltaFsCov?: Float64Array;
  /** Conjugate-gradient relative residual (default 1e-12) and iteration cap (default 10 N). */
  tol?: number;
  maxIter?: number;
}
export const BMTI_KEYS = optionKeys<BmtiOptions>({ deltaFInvCov: 1, alpha: 1, compLogDenErr: 1, invDeltaFsCov: 1, tol: 1, maxIter: 1 });

export interface BmtiResult extends DensityResult {
  /** CG iterations and final relative residual. */
  readonly iterations: number;
  readonly residual: number;
  /** Connected components of the (undirected) graph; with alpha = 1 each is shifted to the regulariser's mean. */
  readonly components: number;
}

/** The sparse symmetric system matrix (CSR) of BMTI. */
interface Csr { n: number; ptr: Int32Array; col: Int32Array; val: Float64Array; diag: Float64Array }

function buildSystem(g: NeighGraph, w: Float64Array, alpha: number, regErr: Float64Array): Csr {
  const n = g.n;
  const rows: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  const diag = new Float64Array(n);
  for (let e = 0; e < g.nspar; e++) {
    const i = g.nindList[2 * e], j = g.nindList[2 * e + 1];
    if (i === j) continue;
    const v = alpha * w[e];
    rows[i].set(j, (rows[i].get(j) ?? 0) - v);
    rows[j].set(i, (rows[j].get(i) ?? 0) - v);
    diag[i] += v;
    diag[j] += v;
  }
  for (let i = 0; i < n; i++) diag[i] += (1 - alpha) / (regErr[i] * regErr[i]);
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) ptr[i + 1] = ptr[i] + rows[i].size;
  const col = new Int32Array(ptr[n]), val = new Float64Array(ptr[n]);
  for (let i = 0; i < n; i++) {
    let k = ptr[i];
    for (const [j, v] of [...rows[i]].sort((a, b) => a[0] - b[0])) { col[k] = j; val[k] = v; k++; }
  }
  return { n, ptr, col, val, diag };
}

function matvec(A: Csr, x: Float64Array, out: Float64Array, shift = 0): void {
  let mean = 0;
  if (shift) { for (let i = 0; i < A.n; i++) mean += x[i]; mean = (mean * shift); }
  for (let i = 0; i < A.n; i++) {
    let s = A.diag[i] * x[i];
    for (let k = A.ptr[i]; k < A.ptr[i + 1]; k++) s += A.val[k] * x[A.col[k]];
    out[i] = s + mean;
  }
}

/** Jacobi-preconditioned conjugate gradients on A (+ shift·J) x = b, from x (in place). */
function pcg(A: Csr, b: Float64Array, x: Float64Array, tol: number, maxIter: number, shift = 0): { it: number; res: number } {
  const n = A.n;
  const r = new Float64Array(n), z = new Float64Array(n), p = new Float64Array(n), q = new Float64Array(n);
  matvec(A, x, q, shift);
  let bn = 0;
  for (let i = 0; i < n; i++) { r[i] = b[i] - q[i]; bn += b[i] * b[i]; }
  bn = Math.sqrt(bn) || 1;
  const dinv = Float64Array.from(A.diag, (d) => (d + shift > 0 ? 1 / (d + shift) : 1));
  let rz = 0;
  for (let i = 0; i < n; i++) { z[i] = dinv[i] * r[i]; p[i] = z[i]; rz += r[i] * z[i]; }
  let it = 0, res = 0;
  for (; it < maxIter; it++) {
    let rn = 0;
    for (let i = 0; i < n; i++) rn += r[i] * r[i];
    res = Math.sqrt(rn) / bn;
    if (res <= tol) break;
    matvec(A, p, q, shift);
    let pq = 0;
    for (let i = 0; i < n; i++) pq += p[i] * q[i];
    if (pq <= 0) break;
    const a = rz / pq;
    let rz2 = 0;
    for (let i = 0; i < n; i++) { x[i] += a * p[i]; r[i] -= a * q[i]; z[i] = dinv[i] * r[i]; rz2 += r[i] * z[i]; }
    const beta = rz2 / rz;
    rz = rz2;
    for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
  }
  return { it, res };
}

/** Connected components of the undirected graph (labels 0..). */
function components(A: Csr): { label: Int32Array; count: number } {
  const label = new Int32Array(A.n).fill(-1);
  let count = 0;
  const stack: number[] = [];
  for (let s = 0; s < A.n; s++) {
    if (label[s] >= 0) continue;
    label[s] = count;
    stack.push(s);
    while (stack.length) {
      const i = stack.pop() as number;
      for (let k = A.ptr[i]; k < A.ptr[i + 1]; k++) { const j = A.col[k]; if (label[j] < 0) { label[j] = count; stack.push(j); } }
    }
    count++;
  }
  return { label, count };
}

/**
 * BMTI (binless multidimensional thermodynamic integration; DADApy's compute_density_BMTI): the log
 * densities F minimising α Σ_e w_e (F_j − F_i − ΔF_e)² + (1 − α) Σ_i (F_i − F^reg_i)²/σ_i²,
 * solved by preconditioned conjugate gradients on the sparse normal equations.
 * Gauge: with α = 1 the system is a graph Laplacian and F is defined only up to a constant per
 * connected component (DADApy's output offset then depends on its solver); here each component is
 * shifted so that its mean equals the regulariser's (the k*NN estimate) mean over it.
 * Errors: the regulariser's unless `compLogDenErr` (then sqrt of the diagonal of the (pseudo-)inverse).
 */
export function densityBMTI(g: NeighGraph, Fij: Float64Array, FijVar: Float64Array, regLogDen: Float64Array, regErr: Float64Array,
  id: number, opts: BmtiOptions = {}): BmtiResult {
  checkOptionKeys(opts, BMTI_KEYS, 'densityBMTI');
  const alpha = opts.alpha ?? 1;
  const kind = opts.deltaFInvCov ?? 'uncorr';
  const n = g.n;
  if (!(alpha > 0 && alpha <= 1)) throw new InputError(`alpha must be in (0, 1], got ${alpha}`, 'Use alpha = 1 (no regulariser) or a value just below 1');
  const w = new Float64Array(g.nspar);
  if (kind === 'uncorr') {
    for (let e = 0; e < g.nspar; e++) {
      const i = g.nindList[2 * e], j = g.nindList[2 * e + 1];
      w[e] = 1 / (FijVar[e] * Math.sqrt(g.kstar[i] * g.kstar[j]));
    }
  } else if (kind === 'identity') {
    w.fill(1);
  } else if (kind === 'LSDI') {
    if (!opts.invDeltaFsCov) throw new InputError('LSDI weights were asked for but not given', 'Compute them first (computeDiagInvDeltaFsCrossCovarianceLSDI)');
    w.set(opts.invDeltaFsCov);
  } else {
    throw new InputError(`The delta_F_inv_cov parameter is not valid: ${kind}`, "Use 'uncorr', 'LSDI' or 'identity'");
  }
  for (let e = 0; e < g.nspar; e++) {
    if (!Number.isFinite(w[e])) {
      throw new InputError(`Edge ${e} (${g.nindList[2 * e]} -> ${g.nindList[2 * e + 1]}) has a non-finite weight (zero ΔF variance)`,
        "Use deltaFInvCov: 'identity', or remove duplicate points");
    }
  }
  const A = buildSystem(g, w, alpha, regErr);
  const b = new Float64Array(n);
  for (let e = 0; e < g.nspar; e++) {
    const i = g.nindList[2 * e], j = g.nindList[2 * e + 1];
    const t = alpha * w[e] * Fij[e];
    b[j] += t;
    b[i] -= t;
  }
  for (let i = 0; i < n; i++) b[i] += ((1 - alpha) * regLogDen[i]) / (regErr[i] * regErr[i]);
  const x = Float64Array.from(regLogDen);
  const tol = opts.tol ?? 1e-12;
  const { it, res } = pcg(A, b, x, tol, opts.maxIter ?? Math.max(1000, 10 * n));
  const comp = components(A);
  if (alpha === 1) {
    const sx = new Float64Array(comp.count), sr = new Float64Array(comp.count), cnt = new Float64Array(comp.count);
    for (let i = 0; i < n; i++) { const c = comp.label[i]; sx[c] += x[i]; sr[c] += regLogDen[i]; cnt[c]++; }
    for (let i = 0; i < n; i++) { const c = comp.label[i]; x[i] += (sr[c] - sx[c]) / cnt[c]; }
  }
  let err = Float64Array.from(regErr);
  if (opts.compLogDenErr) {
    if (n > 5000) throw new InputError(`compLogDenErr needs N solves of the system; N = ${n} is too large here`, 'Use it on up to 5000 points');
    if (alpha === 1 && comp.count > 1) {
      throw new InputError('With alpha = 1 the graph must be connected to compute the errors (pseudo-inverse of a Laplacian)', 'Use alpha slightly below 1, e.g. 0.99');
    }
    err = new Float64Array(n);
    const e = new Float64Array(n);
    const shift = alpha === 1 ? 1 / n : 0;
    for (let i = 0; i < n; i++) {
      e.fill(0); e[i] = 1;
      const y = new Float64Array(n);
      pcg(A, e, y, 1e-10, Math.max(1000, 10 * n), shift);
      err[i] = Math.sqrt(Math.max(0, y[i] - shift));
    }
  }
  const base = makeDensityResult('BMTI', x, err, new Float64Array(n), g.kstar, id, { iterations: it, residual: res, components: comp.count });
  return base as BmtiResult;
}
