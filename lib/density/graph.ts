import { InputError } from '../errors';
import type { Matrix } from '../matrix';
import type { NeighborTable } from '../neighbors/table';
import { ensureArrayLength, ensureMemory } from '../runtime/memory';

/**
 * DADApy's directed neighbourhood graph (NeighGraph): for every point i (ascending) the edges
 * i → nn(i, m), m = 1..k*_i − 1 (the k*-th neighbour itself is not an edge).
 */
export interface NeighGraph {
  readonly n: number;
  /** Number of edges, Σ (k*_i − 1). */
  readonly nspar: number;
  /** Edges as [i, j] pairs, row-major nspar x 2. */
  readonly nindList: Int32Array;
  /** Start of each point's edges (N + 1 entries, last = nspar). */
  readonly nindIptr: Int32Array;
  /** Distance of each edge. */
  readonly neighDists: Float64Array;
  readonly kstar: Int32Array;
}

export function neighGraph(nn: NeighborTable, kstar: ArrayLike<number>): NeighGraph {
  const n = nn.n, w = nn.maxk + 1;
  if (kstar.length !== n) throw new InputError(`k* has ${kstar.length} entries for ${n} points`, 'Compute k* on the same data');
  let nspar = 0;
  for (let i = 0; i < n; i++) {
    if (!(kstar[i] >= 1 && kstar[i] <= nn.maxk)) {
      throw new InputError(`k* of point ${i} is ${kstar[i]}, outside [1, ${nn.maxk}]`, 'Use k* values within the neighbour table');
    }
    nspar += kstar[i] - 1;
  }
  const nindList = new Int32Array(2 * nspar), nindIptr = new Int32Array(n + 1), neighDists = new Float64Array(nspar);
  let e = 0;
  for (let i = 0; i < n; i++) {
    nindIptr[i] = e;
    for (let m = 1; m < kstar[i]; m++) {
      nindList[2 * e] = i;
      nindList[2 * e + 1] = nn.indices[i * w + m];
      neighDists[e] = nn.distances[i * w + m];
      e++;
    }
  }
  nindIptr[n] = nspar;
  return Object.freeze({ n, nspar, nindList, nindIptr, neighDists, kstar: Int32Array.from(kstar) });
}

/**
 * X_j − X_i for every edge (nspar x D, row-major). With a periodic box each component is wrapped
 * into [−L/2, L/2] (DADApy: t > L/2 → t − L, t < −L/2 → t + L).
 */
export function neighVectorDiffs(X: Matrix, g: NeighGraph, period: Float64Array | null = null): Float64Array {
  const D = X.cols, data = X.data;
  if (period && period.length !== D) {
    throw new InputError(`The period has ${period.length} entries for ${D} coordinates`, 'Pass one box length per coordinate');
  }
  const what = `The neighbour vector differences of ${g.nspar} graph edges in D = ${D} dimensions are an ${g.nspar} x ${D} array`;
  ensureArrayLength(g.nspar * D, what, 'Reduce D first (e.g. PCA) or lower k* (kstar)');
  ensureMemory(8 * g.nspar * D, what, 'Reduce D first (e.g. PCA) or lower k* (kstar)');
  const out = new Float64Array(g.nspar * D);
  for (let e = 0; e < g.nspar; e++) {
    const i = g.nindList[2 * e], j = g.nindList[2 * e + 1];
    for (let a = 0; a < D; a++) {
      let t = data[j * D + a] - data[i * D + a];
      if (period) {
        const L = period[a];
        if (t > L / 2) t -= L;
        if (t < -L / 2) t += L;
      }
      out[e * D + a] = t;
    }
  }
  return out;
}

/** |Ω_i ∩ Ω_j| per edge, Ω_i = {i and its first k*_i − 1 neighbours} (k*_i points). */
export function commonNeighs(nn: NeighborTable, g: NeighGraph): Int32Array {
  const w = nn.maxk + 1;
  const out = new Int32Array(g.nspar);
  const mark = new Int32Array(g.n).fill(-1);
  for (let i = 0; i < g.n; i++) {
    for (let m = 0; m < g.kstar[i]; m++) mark[nn.indices[i * w + m]] = i;
    for (let e = g.nindIptr[i]; e < g.nindIptr[i + 1]; e++) {
      const j = g.nindList[2 * e + 1];
      let c = 0;
      for (let m = 0; m < g.kstar[j]; m++) if (mark[nn.indices[j * w + m]] === i) c++;
      out[e] = c;
    }
  }
  return out;
}

export type SimilarityMethod = 'jaccard' | 'geometric' | 'squared_geometric';

/** The neighbourhood similarity of each edge: Jaccard c/(k1 + k2 − c), geometric c/√(k1 k2), or its square. */
export function neighSimilarityIndex(g: NeighGraph, common: Int32Array, method: SimilarityMethod | string = 'jaccard'): Float64Array {
  const out = new Float64Array(g.nspar);
  for (let e = 0; e < g.nspar; e++) {
    const k1 = g.kstar[g.nindList[2 * e]], k2 = g.kstar[g.nindList[2 * e + 1]], c = common[e];
    if (method === 'jaccard') out[e] = c / (k1 + k2 - c);
    else if (method === 'geometric') out[e] = c / Math.sqrt(k1 * k2);
    else if (method === 'squared_geometric') out[e] = (c * c) / (k1 * k2);
    else throw new InputError(`similarity method "${method}" not recognised`, "Use 'jaccard', 'geometric' or 'squared_geometric'");
  }
  return out;
}
