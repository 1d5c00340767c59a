import { InputError } from '../errors';
import type { NeighGraph } from './graph';
import { ensureMemory } from '../runtime/memory';

/**
 * The N x N neighbourhood-similarity matrix (DADApy's compute_neigh_similarity_index_mat, dense):
 * for each edge in order M[i, j] = p_e and, if M[j, i] is still 0, M[j, i] = p_e; diagonal 1.
 */
export function similarityMatrix(g: NeighGraph, sim: Float64Array): Float64Array {
  const n = g.n;
  if (n > 20000) throw new InputError(`A dense ${n} x ${n} similarity matrix is too large`, 'Use it on up to 20000 points');
  ensureMemory(8 * n * n, `A dense ${n} x ${n} similarity matrix`, 'Use fewer points (a subsample), or the sparse neighSimilarityIndex per edge');
  const M = new Float64Array(n * n);
  for (let e = 0; e < g.nspar; e++) {
    const i = g.nindList[2 * e], j = g.nindList[2 * e + 1];
    M[i * n + j] = sim[e];
    if (M[j * n + i] === 0) M[j * n + i] = sim[e];
  }
  for (let i = 0; i < n; i++) M[i * n + i] = 1;
  return M;
}

/**
 * DADApy's compute_diag_inv_deltaFs_cross_covariance_LSDI: per edge a = (i, j) the inverse of a
 * diagonal approximation of the cross-covariance of the ΔF estimates: Var_a / (Var_a² + Σ_b γ_ab²/16)
 * over the other edges b = (l, m) with γ_ab = Σ p[x, y] s_x s_y over the four endpoint pairs,
 * s = σ · sign(g · v) at each endpoint (σ² = vᵀ C v); a pair b counts only if p[i, l] or p[j, l]
 * is non-zero (DADApy's ptot, reproduced as is). O(nspar²).
 */
export function invDeltaFsCovLSDI(g: NeighGraph, diffs: Float64Array, grads: Float64Array, covmat: Float64Array, D: number,
  FijVar: Float64Array, P: Float64Array): Float64Array {
  const n = g.n, S = g.nspar;
  const s0 = new Float64Array(S), s1 = new Float64Array(S);
  for (let e = 0; e < S; e++) {
    const i = g.nindList[2 * e], j = g.nindList[2 * e + 1];
    let si = 0, sj = 0, fi = 0, fj = 0;
    for (let a = 0; a < D; a++) {
      const va = diffs[e * D + a];
      fi += grads[i * D + a] * va;
      fj += grads[j * D + a] * va;
      for (let b = 0; b < D; b++) {
        const vb = diffs[e * D + b];
        si += va * covmat[i * D * D + a * D + b] * vb;
        sj += va * covmat[j * D * D + a * D + b] * vb;
      }
    }
    s0[e] = Math.sqrt(si) * Math.sign(fi);
    s1[e] = Math.sqrt(sj) * Math.sign(fj);
  }
  const den = new Float64Array(S), out = new Float64Array(S);
  for (let a = 0; a < S; a++) {
    const i = g.nindList[2 * a], j = g.nindList[2 * a + 1];
    out[a] = FijVar[a];
    den[a] += FijVar[a] * FijVar[a];
    for (let b = a + 1; b < S; b++) {
      const l = g.nindList[2 * b], m = g.nindList[2 * b + 1];
      let gam = 0, ptot = 0;
      const pil = P[i * n + l], pim = P[i * n + m], pjl = P[j * n + l], pjm = P[j * n + m];
      if (pil !== 0) { ptot++; gam += pil * s0[a] * s0[b]; }
      if (pim !== 0) gam += pim * s0[a] * s1[b];
      if (pjl !== 0) { ptot++; gam += pjl * s1[a] * s0[b]; }
      if (pjm !== 0) gam += pjm * s1[a] * s1[b];
      if (ptot !== 0) { const t = (gam * gam) / 16; den[a] += t; den[b] += t; }
    }
  }
  for (let a = 0; a < S; a++) out[a] /= den[a];
  return out;
}
