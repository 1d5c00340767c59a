import { InputError } from '../errors';
import type { NeighGraph } from './graph';
import { ensureArrayLength, ensureMemory } from '../runtime/memory';

export interface Gradients {
  /** Gradient of log ρ at each point (N x D). */
  readonly grads: Float64Array;
  /** Variance of each component (N x D). */
  readonly gradsVar: Float64Array;
  /** Covariance matrices (N x D x D), when asked for. */
  readonly gradsCovmat: Float64Array | null;
  readonly dims: number;
}

/**
 * DADApy's compute_grads: the point-adaptive mean-shift estimate of ∇ log ρ from the K = k*_i − 1
 * edge vectors v_e of point i: g_i = (d + 2)/R² · mean(v_e), R² = |v_last|² (the (k*_i − 1)-th
 * neighbour); variance [(1/K²) Σ v² ((d + 2)/R²)² − g²/K] · k*_i ÷ (k*_i − 1); the covariance likewise
 * with 1e-10 added on the diagonal (and then the variance is its diagonal).
 */
export function computeGrads(g: NeighGraph, diffs: Float64Array, dims: number, id: number, compCovmat = false): Gradients {
  const n = g.n, D = dims;
  if (compCovmat) {
    const what = `The gradient covariances (BMTI, deltaFs) of ${n} points in D = ${D} dimensions are an ${n} x ${D} x ${D} array`;
    const fix = 'Reduce D first (e.g. PCA to a few tens of components; BMTI needs the covariance of every point) or use fewer points';
    ensureArrayLength(n * D * D, what, fix);
    ensureMemory(8 * n * D * (D + 2), what, fix);
  } else {
    ensureMemory(16 * n * D, `The density gradients of ${n} points in D = ${D} dimensions`, 'Reduce D first (e.g. PCA) or use fewer points');
  }
  const grads = new Float64Array(n * D), gv = new Float64Array(n * D);
  const cov = compCovmat ? new Float64Array(n * D * D) : null;
  for (let i = 0; i < n; i++) {
    const e0 = g.nindIptr[i], e1 = g.nindIptr[i + 1];
    const K = e1 - e0;
    if (K < 1) {
      throw new InputError(`Point ${i} has k* = ${g.kstar[i]}: the gradient needs at least one edge (k* >= 2)`, 'Use k* >= 2 at every point');
    }
    let R2 = 0;
    for (let a = 0; a < D; a++) { const v = diffs[(e1 - 1) * D + a]; R2 += v * v; }
    const f = (id + 2) / R2;
    const ks = g.kstar[i], bessel = ks / (ks - 1);
    for (let a = 0; a < D; a++) {
      let s = 0;
      for (let e = e0; e < e1; e++) s += diffs[e * D + a];
      grads[i * D + a] = (f * s) / K;
    }
    if (!cov) {
      for (let a = 0; a < D; a++) {
        let s2 = 0;
        for (let e = e0; e < e1; e++) { const v = diffs[e * D + a]; s2 += v * v; }
        const gi = grads[i * D + a];
        gv[i * D + a] = ((s2 / (K * K)) * f * f - (gi * gi) / K) * bessel;
      }
    } else {
      for (let a = 0; a < D; a++) {
        for (let b = a; b < D; b++) {
          let s2 = 0;
          for (let e = e0; e < e1; e++) s2 += diffs[e * D + a] * diffs[e * D + b];
          let v = ((s2 / (K * K)) * f * f - (grads[i * D + a] * grads[i * D + b]) / K) * bessel;
          if (a === b) v += 1e-10;
          cov[i * D * D + a * D + b] = v;
          cov[i * D * D + b * D + a] = v;
        }
        gv[i * D + a] = cov[i * D * D + a * D + a];
      }
    }
  }
  return Object.freeze({ grads, gradsVar: gv, gradsCovmat: cov, dims: D });
}

/** Per edge: similarity · sign((g_i · v_e)(g_j · v_e)) (DADApy's compute_pearson). */
export function computePearson(g: NeighGraph, diffs: Float64Array, grads: Float64Array, D: number, similarity: Float64Array): Float64Array {
  const out = new Float64Array(g.nspar);
  for (let e = 0; e < g.nspar; e++) {
    const i = g.nindList[2 * e], j = g.nindList[2 * e + 1];
    let fi = 0, fj = 0;
    for (let a = 0; a < D; a++) { const v = diffs[e * D + a]; fi += grads[i * D + a] * v; fj += grads[j * D + a] * v; }
    out[e] = similarity[e] * Math.sign(fi * fj);
  }
  return out;
}

export interface DeltaFs {
  /** ΔF_e = ½ (g_i + g_j) · v_e: the log-density difference along each edge. */
  readonly Fij: Float64Array;
  /** Its variance ¼ (σ_i² + σ_j² + 2 p_e σ_i σ_j), σ² = vᵀ C v. */
  readonly FijVar: Float64Array;
}

/** DADApy's compute_deltaFs (needs the gradient covariance matrices). */
export function computeDeltaFs(g: NeighGraph, diffs: Float64Array, grads: Float64Array, covmat: Float64Array, D: number, pearson: Float64Array): DeltaFs {
  const Fij = new Float64Array(g.nspar), FijVar = new Float64Array(g.nspar);
  for (let e = 0; e < g.nspar; e++) {
    const i = g.nindList[2 * e], j = g.nindList[2 * e + 1];
    let f = 0, si = 0, sj = 0;
    for (let a = 0; a < D; a++) {
      const va = diffs[e * D + a];
      f += 0.5 * (grads[i * D + a] + grads[j * D + a]) * va;
      for (let b = 0; b < D; b++) {
        const vb = diffs[e * D + b];
        si += va * covmat[i * D * D + a * D + b] * vb;
        sj += va * covmat[j * D * D + a * D + b] * vb;
      }
    }
    Fij[e] = f;
    FijVar[e] = 0.25 * (si + sj + 2 * pearson[e] * Math.sqrt(si) * Math.sqrt(sj));
  }
  return Object.freeze({ Fij, FijVar });
}
