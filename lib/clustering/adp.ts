import { checkOptionKeys, optBoolean, optNonNegativeNumber } from '../options';
import { DadalabError, InputError } from '../errors';
import type { NeighborTable } from '../neighbors/table';
import { Chart } from '../../widgets/chart';
import { adpTopographySpec } from '../../widgets/clustering/topography';
import { clusterScatterSpec } from '../../widgets/clustering/scatter';

export interface AdpOptions {
  /** Merging threshold in units of the errors (DADApy's default 1.65). Larger Z merges more. */
  Z?: number;
  /** Report halo points (members less dense than their cluster's highest saddle) as −1 in clusterAssignment. */
  halo?: boolean;
  /** DADApy's memory-lean implementation (saddle lists instead of Nc x Nc matrices). */
  v2?: boolean;
  /**
   * How a point with no labelled point among its maxk neighbours is assigned (only removed
   * candidate peaks can be in that position). 'intended' (default): the label of the densest point
   * that has it in its k*-neighbourhood (the point that caused its removal), which is always
   * labelled already, so every point gets a valid label. 'cython': DADApy's Cython fallback with
   * its off-by-one in the removal table (§7.5a), which can read the wrong remover or none; points
   * it leaves unassigned get −1 here (DADApy leaves uninitialised memory). 'python': DADApy's
   * pure-Python rule (removers with one level of chaining; the densest remover of the removed
   * candidates among the point's neighbours), which can also leave points at −1.
   */
  fallback?: 'intended' | 'cython' | 'python';
  /** Scan the neighbours of the outer point up to column maxk (Cython, default) or maxk − 1 (DADApy's pure Python). */
  borderScan?: 'cython' | 'python';
}

export interface AdpPlotOptions {
  kind?: 'dendrogram' | 'matrix' | 'scatter';
  /** For the scatter: the coordinates (first two columns are drawn). */
  coordinates?: ArrayLike<ArrayLike<number>> | { rows: number; cols: number; data: ArrayLike<number> };
  /** For the scatter: each point's class (shown in the tooltips). */
  classes?: ArrayLike<number | string>;
}

export interface AdpResult {
  /** Cluster of every point (−1 for halo points when `halo`). */
  readonly clusterAssignment: Int32Array;
  /** Cluster of every point, halo included (the core + halo partition). */
  readonly coreAssignment: Int32Array;
  /** The assignment with halo points at −1, whatever `halo` was. */
  readonly haloAssignment: Int32Array;
  readonly nClusters: number;
  /** Point index of each cluster's density peak. */
  readonly clusterCenters: Int32Array;
  /** Members of each cluster (DADApy's order: the merged lists are concatenated, not sorted). */
  readonly clusterIndices: Int32Array[];
  /** Saddle log densities between clusters (nClusters x nClusters): diagonal ldMin − 2, no saddle ldMin − 1. */
  readonly logDenBord: number[][];
  readonly logDenBordErr: number[][];
  /** Saddle point indices (−1: no saddle, and on the diagonal). */
  readonly bordIndices: number[][];
  /** min(logDen − Z logDenErr), the shift of DADApy's log_den_c. */
  readonly ldMin: number;
  /** Log density of each cluster's centre. */
  readonly centerLogDen: Float64Array;
  /** Points assigned through the removed-centre fallback. */
  readonly fallbackIndices: Int32Array;
  /** Points left without a cluster (only with fallback: 'cython'; DADApy's uninitialised labels). */
  readonly unassigned: Int32Array;
  /** Fraction of points that are not halo. */
  readonly coreFraction: number;
  readonly Z: number;
  readonly halo: boolean;
  readonly v2: boolean;
  summary(): string;
  /**
   * The peak topography: the dendrogram of the density peaks from the saddle matrix (default), the
   * saddle matrix, or (kind 'scatter', given the coordinates) the points coloured by cluster with the halo in grey.
   */
  plot(options?: AdpPlotOptions): Chart;
}

/** A stable descending order of g (DADApy's argsort(−g); exact ties are ordered by index here). */
function orderDesc(g: Float64Array): Int32Array {
  // the values sorted natively (no comparator calls), then each point placed in its value's run of
  // the descending order, ties by ascending index (points visited in ascending order)
  const n = g.length;
  const sk = Float64Array.from(g).sort();
  const taken = new Int32Array(n);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = g[i];
    let lo = 0, hi = n;
    while (lo < hi) { const m = (lo + hi) >> 1; if (sk[m] < v) lo = m + 1; else hi = m; } // first >= v
    let up = lo + 1; // first > v: mostly right after lo (a value alone), else a second search
    if (up < n && sk[up] === v) {
      let top = n;
      while (up < top) { const m = (up + top) >> 1; if (sk[m] > v) top = m; else up = m + 1; }
    }
    // ascending run [lo, up) is descending positions [n - up, n - lo)
    idx[n - up + taken[lo]++] = i;
  }
  return idx;
}

function validate(nn: NeighborTable, logDen: ArrayLike<number>, logDenErr: ArrayLike<number>, kstar: ArrayLike<number>): void {
  const n = nn.n;
  if (logDen.length !== n || logDenErr.length !== n || kstar.length !== n) {
    throw new DadalabError(`ADP needs one log density, error and k* per point (${n} points; got ${logDen.length}, ${logDenErr.length}, ${kstar.length})`,
      'Compute the density on the same data (computeDensityPAk())');
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(logDen[i]) || !Number.isFinite(logDenErr[i])) {
      throw new DadalabError(`ADP needs finite log densities and errors, but point ${i} has ${logDen[i]} ± ${logDenErr[i]}`,
        'Remove duplicate points (dedupe) or use a density estimator that gives finite values');
    }
    if (!(kstar[i] >= 1 && kstar[i] <= nn.maxk)) {
      throw new DadalabError(`k* of point ${i} is ${kstar[i]}, outside [1, ${nn.maxk}]`, 'Use the k* the density was computed with');
    }
  }
}

/**
 * Advanced Density Peaks (d'Errico, Facco, Laio, Rodriguez 2021), DADApy's compute_clustering_ADP
 * with the Cython v1 semantics (v2 with `v2: true`):
 *  1. with c = logDen − min(logDen − Z err) + 1 and g = c − err, candidate peaks are the points
 *     whose g is not below that of any of their k* neighbours;
 *  2. a candidate inside the k*-neighbourhood of a point of higher g is removed;
 *  3. the other points, by decreasing g, take the label of their nearest labelled neighbour;
 *  4. saddle points between clusters: a border point p1 of cluster c whose first k*-neighbour p2
 *     of another cluster has p1 as its nearest c-point; the one of highest g per pair;
 *  5. pairs whose peaks are not significantly above the saddle (c_peak − c_saddle < Z (err_peak +
 *     err_saddle)) are merged, highest saddle first, the peak with the smaller margin absorbed;
 *  6. halo: members less dense than the highest saddle of their cluster.
 */
export function adpClustering(nn: NeighborTable, logDen: ArrayLike<number>, logDenErr: ArrayLike<number>,
  kstar: ArrayLike<number>, opts: AdpOptions = {}): AdpResult {
  checkOptionKeys(opts, ['Z', 'halo', 'v2', 'fallback', 'borderScan'], 'adpClustering');
  const Z = optNonNegativeNumber(opts.Z, 'Z', 1.65, 'ADP');
  return adpTopology(nn, logDen, logDenErr, kstar, { Z, fallback: opts.fallback, borderScan: opts.borderScan })
    .merge({ Z, halo: opts.halo, v2: opts.v2 });
}

/** A saddle between two preliminary clusters: the first border point of highest g found for the pair. */
export interface AdpSaddle {
  readonly a: number;
  readonly b: number;
  readonly point: number;
}

/**
 * The part of ADP that does not depend on Z (steps 1-4: peaks, preliminary clusters, saddle
 * points). Z shifts every density by the same constant (min(logDen − Z err)), so the candidate,
 * assignment and border steps, which compare densities of points, give the same result at every
 * Z; only the merging (step 5) and the halo (step 6) depend on it. `merge({ Z })` redoes those in
 * O(peaks²) plus one pass over the points: what an explorer's Z slider needs. The comparisons use
 * the densities shifted at the Z given here, so `merge` at that Z is exactly `adpClustering`; at
 * another Z it can differ only where two densities are equal to the last bit (a tie that the shift
 * rounds one way or the other).
 */
export interface AdpTopology {
  readonly n: number;
  readonly logDen: Float64Array;
  readonly logDenErr: Float64Array;
  /** Point index of each preliminary peak. */
  readonly centers: Int32Array;
  /** Preliminary cluster of every point (−1 only with fallback 'cython'). */
  readonly label: Int32Array;
  /** Members of each preliminary cluster, in point order. */
  readonly members: readonly (readonly number[])[];
  readonly fallbackIndices: Int32Array;
  readonly unassigned: Int32Array;
  /** Saddles as the v1 (matrix) implementation keys them: unordered pairs. */
  readonly saddlesV1: readonly AdpSaddle[];
  /** Saddles as v2 (saddle list) keeps them, in the order found. */
  readonly saddlesV2: readonly AdpSaddle[];
  /** The highest log density (the top of the dendrogram). */
  readonly fMax: number;
  /** Steps 5-6 at this Z: the clustering. */
  merge(opts?: { Z?: number; halo?: boolean; v2?: boolean }): AdpResult;
}

/** Steps 1-4 of ADP (see AdpTopology); `Z` only sets the shift the comparisons are made at. */
export function adpTopology(nn: NeighborTable, logDen: ArrayLike<number>, logDenErr: ArrayLike<number>,
  kstar: ArrayLike<number>, opts: Omit<AdpOptions, 'halo' | 'v2'> = {}): AdpTopology {
  checkOptionKeys(opts, ['Z', 'fallback', 'borderScan'], 'adpTopology');
  const Z = optNonNegativeNumber(opts.Z, 'Z', 1.65, 'ADP');
  const fallback = opts.fallback ?? 'intended';
  validate(nn, logDen, logDenErr, kstar);
  const N = nn.n, maxk = nn.maxk, w = maxk + 1, I = nn.indices;
  const ld = Float64Array.from(logDen);
  const err = Float64Array.from(logDenErr);
  const { c, g } = shifted(ld, err, Z);

  const { cands, candPos } = candidatePeaks(g, I, w, kstar);
  const L = cands.length;
  const { hitCount, remover } = removers(g, I, w, kstar, candPos, L);
  const removed = new Uint8Array(N);
  const bestRemover = new Int32Array(N).fill(-1);
  // DADApy's Cython removal table, rows (removed candidate, remover) with its off-by-one (§7.5a):
  // the candidate at row len, the row counted, its best remover at the new len. (Its loop also
  // writes the candidate at the new len on every later hit; only a value's first row is ever read.)
  const tCand = new Int32Array(L + 1).fill(-1), tRem = new Int32Array(L + 1).fill(-1);
  let len = 0;
  for (let p = 0; p < L; p++) {
    if (hitCount[p] === 0) continue;
    const cc = cands[p];
    removed[cc] = 1;
    if (len < L) tCand[len] = cc;
    len++;
    if (remover[p] >= 0) { tRem[Math.min(len, L)] = remover[p]; bestRemover[cc] = remover[p]; }
  }
  const centers: number[] = [];
  for (const cc of cands) if (!removed[cc]) centers.push(cc);
  const nClus = centers.length;
  const isCenter = new Uint8Array(N);
  for (const cc of centers) isCenter[cc] = 1;

  // 3. preliminary assignment
  const label = new Int32Array(N).fill(-1);
  centers.forEach((cc, k) => { label[cc] = k; });
  const order = orderDesc(g);
  const fallbackPts: number[] = [];
  for (let t = 0; t < N; t++) {
    const e = order[t];
    let nnc = 0;
    while (label[e] === -1 && nnc < maxk) { nnc++; label[e] = label[I[e * w + nnc]]; }
    if (label[e] !== -1) continue;
    fallbackPts.push(e);
    if (fallback === 'cython') {
      label[e] = cythonFallback(e, I, w, tCand, tRem, g, label);
    } else if (fallback === 'python') {
      label[e] = pythonFallback(e, I, w, maxk, removed, bestRemover, g, label);
    } else {
      label[e] = intendedFallback(e, I, w, maxk, removed, bestRemover, g, label);
    }
  }
  const unassigned: number[] = [];
  for (let i = 0; i < N; i++) if (label[i] === -1) unassigned.push(i);
  const members: number[][] = Array.from({ length: nClus }, () => []);
  for (let i = 0; i < N; i++) if (label[i] >= 0) members[label[i]].push(i);

  // 4. saddles: per pair of clusters the first border point of highest g (as both implementations keep it)
  const scanMax = opts.borderScan === 'python' ? maxk - 1 : maxk;
  const v1 = new Map<number, { a: number; b: number; point: number }>();
  const v2 = new Map<number, { a: number; b: number; point: number }>();
  for (let cl = 0; cl < nClus; cl++) {
    for (const p1 of members[cl]) {
      const pp = borderPartner(p1, cl, label, isCenter, I, w, kstar, scanMax);
      if (pp === -1) continue;
      const raw = label[pp];
      // v1: an unassigned partner (cython fallback only) wraps to the last cluster, as NumPy's indexing does
      const cp = raw < 0 ? nClus + raw : raw;
      const k1 = Math.min(cl, cp) * (nClus + 1) + Math.max(cl, cp);
      const s1 = v1.get(k1);
      if (!s1) v1.set(k1, { a: cl, b: cp, point: p1 });
      else if (g[p1] > g[s1.point]) s1.point = p1;
      // v2 keys the pair on the raw labels (−1 kept, wrapped later)
      const a = Math.min(cl, raw), b = Math.max(cl, raw);
      const k2 = (a + 1) * (nClus + 2) + (b + 1);
      const s2 = v2.get(k2);
      if (!s2) v2.set(k2, { a, b, point: p1 });
      else if (g[p1] > g[s2.point]) s2.point = p1;
    }
  }
  let fMax = -Infinity;
  for (let i = 0; i < N; i++) if (ld[i] > fMax) fMax = ld[i];
  const topology: AdpTopology = {
    n: N, logDen: ld, logDenErr: err, centers: Int32Array.from(centers), label, members,
    fallbackIndices: Int32Array.from(fallbackPts), unassigned: Int32Array.from(unassigned),
    saddlesV1: [...v1.values()].map((s) => Object.freeze(s)), saddlesV2: [...v2.values()].map((s) => Object.freeze(s)), fMax,
    merge: (o = {}) => adpMerge(topology, o),
  };
  return Object.freeze(topology);
}

/** Step 1: the points whose g is not below that of any of their k* neighbours, ascending, and each point's place among them (−1: none). */
function candidatePeaks(g: Float64Array, I: Int32Array, w: number, kstar: ArrayLike<number>): { cands: Int32Array; candPos: Int32Array } {
  const N = g.length;
  const candPos = new Int32Array(N).fill(-1);
  let L = 0;
  for (let i = 0; i < N; i++) {
    const ks = kstar[i], gi = g[i], row = i * w;
    let ok = true;
    for (let j = 1; j <= ks; j++) {
      if (gi < g[I[row + j]]) { ok = false; break; }
    }
    if (ok) { candPos[i] = L; L++; }
  }
  const cands = new Int32Array(L);
  for (let i = 0; i < N; i++) if (candPos[i] >= 0) cands[candPos[i]] = i;
  return { cands, candPos };
}

/**
 * Step 2's hits: for each candidate, how many points of higher g hold it among their k*
 * neighbours, and the first of highest g of them (points visited in ascending order; only g above
 * −999 counts, DADApy's starting maximum; −1: none). Typed arrays, not one list per candidate:
 * small arrays grown by push made this step 5 to 40 ms at 20,000 points, depending on the heap.
 */
function removers(g: Float64Array, I: Int32Array, w: number, kstar: ArrayLike<number>, candPos: Int32Array, L: number):
  { hitCount: Int32Array; remover: Int32Array } {
  const N = g.length;
  const hitCount = new Int32Array(L);
  const remover = new Int32Array(L).fill(-1);
  const best = new Float64Array(L).fill(-999);
  for (let i = 0; i < N; i++) {
    const ks = kstar[i], gi = g[i], row = i * w;
    for (let j = 1; j <= ks; j++) {
      const nb = I[row + j];
      const p = candPos[nb];
      if (p < 0 || !(gi > g[nb])) continue;
      hitCount[p]++;
      if (gi > best[p]) { best[p] = gi; remover[p] = i; }
    }
  }
  return { hitCount, remover };
}

/** c = logDen − min(logDen − Z err) + 1 and g = c − err (DADApy's log_den_c and its lower bound). */
function shifted(ld: Float64Array, err: Float64Array, Z: number): { c: Float64Array; g: Float64Array; ldMin: number } {
  const N = ld.length;
  let ldMin = Infinity;
  for (let i = 0; i < N; i++) { const v = ld[i] - Z * err[i]; if (v < ldMin) ldMin = v; }
  const c = new Float64Array(N), g = new Float64Array(N);
  for (let i = 0; i < N; i++) { c[i] = ld[i] - ldMin + 1; g[i] = c[i] - err[i]; }
  return { c, g, ldMin };
}

/** Steps 5-6 of ADP on a topology: merging at Z, then the halo. */
export function adpMerge(t: AdpTopology, opts: { Z?: number; halo?: boolean; v2?: boolean } = {}): AdpResult {
  checkOptionKeys(opts, ['Z', 'halo', 'v2'], 'merge');
  // Z counts standard errors: a peak survives if it stands Z errors above its saddle (DADApy's default 1.65)
  const Z = optNonNegativeNumber(opts.Z, 'Z', 1.65, 'ADP');
  const halo = optBoolean(opts.halo, 'halo', false, 'ADP');
  const v2 = optBoolean(opts.v2, 'v2', false, 'ADP');
  const N = t.n;
  const { c, g, ldMin } = shifted(t.logDen, t.logDenErr, Z);
  const err = t.logDenErr;
  const centers = Array.from(t.centers);
  const merged = v2 ? mergeV2(t, centers, c, err, Z) : mergeV1(t, centers, c, g, err, Z);

  // 6. finalisation
  const { survivors, B, E, P } = merged;
  const nC = survivors.length;
  const clusterCenters = Int32Array.from(survivors.map((s) => centers[s]));
  const clusterIndices = survivors.map((s) => Int32Array.from(merged.members[s]));
  const core = new Int32Array(N).fill(-1);
  clusterIndices.forEach((m, k) => { for (const p of m) core[p] = k; });
  const haloA = Int32Array.from(core);
  let nHalo = 0;
  for (let k = 0; k < nC; k++) {
    let h = -Infinity;
    for (let l = 0; l < nC; l++) if (B[k][l] > h) h = B[k][l];
    for (const p of clusterIndices[k]) if (c[p] < h) { haloA[p] = -1; nHalo++; }
  }
  const logDenBord = B.map((row) => row.map((v) => v + ldMin - 1));
  const centerLogDen = Float64Array.from(clusterCenters, (p) => t.logDen[p]);
  const fMax = t.fMax;
  const assignment = halo ? haloA : core;
  const unassigned = t.unassigned;
  const coreFraction = (N - nHalo - unassigned.length) / N;
  const result: AdpResult = {
    clusterAssignment: assignment, coreAssignment: core, haloAssignment: haloA,
    nClusters: nC, clusterCenters, clusterIndices, logDenBord, logDenBordErr: E, bordIndices: P,
    ldMin, centerLogDen, fallbackIndices: t.fallbackIndices, unassigned,
    coreFraction, Z, halo, v2,
    summary(): string {
      const sizes = clusterIndices.map((m) => m.length).join(', ');
      return `ADP (Z = ${Z}${v2 ? ', v2' : ''}): ${nC} cluster${nC === 1 ? '' : 's'} of sizes [${sizes}], ${(100 * coreFraction).toFixed(1)}% core points`
        + (unassigned.length ? `, ${unassigned.length} unassigned` : '');
    },
    plot(options: AdpPlotOptions = {}): Chart {
      if (options.kind === 'scatter' || (options.coordinates && !options.kind)) {
        if (!options.coordinates) {
          throw new DadalabError('The cluster scatter needs the coordinates', "Pass them: result.plot({ kind: 'scatter', coordinates: X })");
        }
        if (options.classes && options.classes.length !== N) {
          throw new InputError(`plot: classes has ${options.classes.length} entries for ${N} points`, 'Pass one class per point');
        }
        return new Chart(clusterScatterSpec(options.coordinates, haloA, {
          centers: clusterCenters, title: `ADP clusters (Z = ${Z}), halo in grey`, densities: t.logDen, classes: options.classes,
        }));
      }
      return new Chart(adpTopographySpec({ logDenBord, centerLogDen, populations: clusterIndices.map((m) => m.length), fMax }, options.kind === 'matrix' ? 'matrix' : 'dendrogram'));
    },
  };
  return Object.freeze(result);
}

/** The intended fallback: the label of the point that removed e (or of the densest labelled remover of a removed neighbour). */
function intendedFallback(e: number, I: Int32Array, w: number, maxk: number, removed: Uint8Array, bestRemover: Int32Array,
  g: Float64Array, label: Int32Array): number {
  const r = bestRemover[e];
  if (r >= 0 && label[r] >= 0) return label[r];
  let best = -1, bestG = -Infinity;
  for (let j = 0; j <= maxk; j++) {
    const nb = I[e * w + j];
    if (!removed[nb]) continue;
    const rr = bestRemover[nb];
    if (rr >= 0 && label[rr] >= 0 && g[rr] > bestG) { bestG = g[rr]; best = label[rr]; }
  }
  return best;
}

/**
 * DADApy's pure-Python fallback: the removers of the removed candidates in e's neighbour row (a
 * remover that was itself removed replaced once by its own remover), the one of highest g.
 */
function pythonFallback(e: number, I: Int32Array, w: number, maxk: number, removed: Uint8Array, bestRemover: Int32Array,
  g: Float64Array, label: Int32Array): number {
  let best = -1, bestG = -Infinity;
  for (let j = 0; j <= maxk; j++) {
    const nb = I[e * w + j];
    if (!removed[nb]) continue;
    let r = bestRemover[nb];
    if (r >= 0 && removed[r] && bestRemover[r] >= 0) r = bestRemover[r];
    if (r >= 0 && g[r] > bestG) { bestG = g[r]; best = r; }
  }
  return best >= 0 ? label[best] : -1;
}

/** DADApy's Cython fallback, reproduced: intersect1d of e's row with the removal table's first column. */
function cythonFallback(e: number, I: Int32Array, w: number, tCand: Int32Array, tRem: Int32Array, g: Float64Array, label: Int32Array): number {
  const N = g.length;
  // first occurrence row of each value of tCand
  const firstRow = new Map<number, number>();
  for (let r = 0; r < tCand.length - 1; r++) if (!firstRow.has(tCand[r])) firstRow.set(tCand[r], r);
  const common = new Set<number>();
  for (let j = 0; j < w; j++) { const v = I[e * w + j]; if (firstRow.has(v)) common.add(v); }
  if (common.size === 0) return -1; // DADApy: argmax of an empty array (crash)
  const rows = [...common].sort((a, b) => a - b).map((v) => firstRow.get(v) as number);
  let m = -2, mg = -Infinity;
  for (const r of rows) {
    const cand = tRem[r];
    const gi = g[cand < 0 ? N + cand : cand];
    if (gi > mg) { mg = gi; m = cand; }
  }
  const li = m < 0 ? N + m : m;
  return label[li];
}

/** First neighbour (1..k*) of p1 in another cluster, if p1 is the closest point of its cluster to it. */
function borderPartner(p1: number, cl: number, label: Int32Array, isCenter: Uint8Array, I: Int32Array, w: number,
  kstar: ArrayLike<number>, scanMax: number): number {
  if (isCenter[p1]) return -1;
  let pp = -1;
  for (let k = 1; k <= kstar[p1]; k++) {
    const p2 = I[p1 * w + k];
    if (label[p2] !== cl) { pp = p2; break; }
  }
  if (pp === -1) return -1;
  for (let k = 1; k <= scanMax; k++) {
    const po = I[pp * w + k];
    if (po === p1) break;
    if (label[po] === cl) return -1;
  }
  return pp;
}

interface Merged {
  survivors: number[];
  members: number[][];
  B: number[][];
  E: number[][];
  P: number[][];
}

function mergeV1(t: AdpTopology, centers: number[], c: Float64Array, g: Float64Array, err: Float64Array, Z: number): Merged {
  const nClus = centers.length;
  const B = Array.from({ length: nClus }, () => new Float64Array(nClus));
  const E = Array.from({ length: nClus }, () => new Float64Array(nClus));
  const P = Array.from({ length: nClus }, () => new Int32Array(nClus).fill(-1));
  // the Cython scan keeps a border point only above the running maximum, which starts at 0
  for (const s of t.saddlesV1) {
    if (g[s.point] > 0) { B[s.a][s.b] = g[s.point]; B[s.b][s.a] = g[s.point]; P[s.a][s.b] = s.point; P[s.b][s.a] = s.point; }
  }
  for (let i = 0; i < nClus - 1; i++) {
    for (let j = i + 1; j < nClus; j++) {
      if (P[i][j] !== -1) {
        B[i][j] = c[P[i][j]]; B[j][i] = c[P[j][i]];
        E[i][j] = err[P[i][j]]; E[j][i] = err[P[j][i]];
      }
    }
  }
  for (let i = 0; i < nClus; i++) { B[i][i] = -1; E[i][i] = 0; }
  const members = t.members.map((m) => m.slice());
  const alive = new Uint8Array(nClus).fill(1);
  // DADApy scans every pair i < j before each merge for the first pair of largest border density
  // among those not Z errors apart (nClus^3 in all). The same choice from a best pair per row,
  // (largest B, then smallest j), kept up to date: a merge changes only the columns imod and jmod
  // of the other rows (B > -9999999999 always: c >= 1, B is 0, -1 or a c)
  const apart = (i: number, j: number): boolean => {
    const ci = centers[i], cj = centers[j];
    const a1 = c[ci] - B[i][j], a2 = c[cj] - B[i][j];
    const e1 = Z * (err[ci] + E[i][j]), e2 = Z * (err[cj] + E[i][j]);
    return !(a1 < e1 || a2 < e2);
  };
  const best = new Int32Array(nClus).fill(-1);
  const rescan = (i: number): void => {
    let bj = -1, mp = -Infinity;
    for (let j = i + 1; j < nClus; j++) if (!apart(i, j) && B[i][j] > mp) { mp = B[i][j]; bj = j; }
    best[i] = bj;
  };
  const offer = (i: number, x: number): void => { // column x of row i changed (and is not its best)
    if (x <= i || apart(i, x)) return;
    const b = best[i];
    if (b < 0 || B[i][x] > B[i][b] || (B[i][x] === B[i][b] && x < b)) best[i] = x;
  };
  for (let i = 0; i < nClus - 1; i++) rescan(i);
  for (;;) {
    let maxpos = -9999999999, bi = -1, bj = -1;
    for (let i = 0; i < nClus - 1; i++) {
      const j = best[i];
      if (j >= 0 && B[i][j] > maxpos) { maxpos = B[i][j]; bi = i; bj = j; }
    }
    if (bi < 0) break;
    let imod = bi, jmod = bj;
    const m1 = (c[centers[imod]] - B[imod][jmod]) / (err[centers[imod]] + E[imod][jmod]);
    const m2 = (c[centers[jmod]] - B[imod][jmod]) / (err[centers[jmod]] + E[imod][jmod]);
    if (m1 < m2) { const tmp = jmod; jmod = imod; imod = tmp; }
    alive[jmod] = 0;
    B[imod][jmod] = -1; B[jmod][imod] = -1; E[imod][jmod] = 0; E[jmod][imod] = 0;
    for (const p of members[jmod]) members[imod].push(p);
    members[jmod] = [];
    for (let i = 0; i < nClus; i++) {
      if (i === imod || i === jmod) continue;
      if (B[imod][i] < B[jmod][i]) {
        P[imod][i] = P[jmod][i]; P[i][imod] = P[imod][i];
        B[imod][i] = B[jmod][i]; B[i][imod] = B[imod][i];
        E[imod][i] = E[jmod][i]; E[i][imod] = E[imod][i];
      }
      B[jmod][i] = -1; B[i][jmod] = -1; E[jmod][i] = 0; E[i][jmod] = 0;
    }
    for (let i = 0; i < nClus - 1; i++) {
      if (i === imod || i === jmod || best[i] === imod || best[i] === jmod) rescan(i);
      else { offer(i, imod); offer(i, jmod); }
    }
  }
  const survivors: number[] = [];
  for (let i = 0; i < nClus; i++) if (alive[i]) survivors.push(i);
  return {
    survivors, members,
    B: survivors.map((i) => survivors.map((j) => B[i][j])),
    E: survivors.map((i) => survivors.map((j) => E[i][j])),
    P: survivors.map((i) => survivors.map((j) => P[i][j])),
  };
}

function mergeV2(t: AdpTopology, centers: number[], c: Float64Array, err: Float64Array, Z: number): Merged {
  const nClus = centers.length;
  // saddles: point, cluster1 < cluster2 (−1: an unassigned partner, cython fallback only), valid; density (c), error
  const sP: number[] = [], s1: number[] = [], s2: number[] = [], sValid: number[] = [];
  const sDen: number[] = [], sErr: number[] = [];
  for (const s of t.saddlesV2) {
    sP.push(s.point); s1.push(s.a); s2.push(s.b); sValid.push(1); sDen.push(c[s.point]); sErr.push(err[s.point]);
  }
  const members = t.members.map((m) => m.slice());
  const alive = new Uint8Array(nClus).fill(1);
  const S = sP.length;
  // NumPy's negative indexing (a cluster id −1 only arises from DADApy's unassigned points)
  const wrap = (x: number): number => (x < 0 ? nClus + x : x);
  for (;;) {
    let found = false, cur = -1, rem = -1, A1 = 0, A2 = 0, SE1 = 0, SE2 = 0;
    for (let i = 0; i < S; i++) {
      if (!sValid[i]) continue;
      const c1 = centers[wrap(s1[i])], c2 = centers[wrap(s2[i])];
      const a1 = c[c1] - sDen[i], a2 = c[c2] - sDen[i];
      const e1 = err[c1] + sErr[i], e2 = err[c2] + sErr[i];
      if (a1 < Z * e1 || a2 < Z * e2) {
        found = true;
        if (cur < sDen[i]) { A1 = a1; A2 = a2; SE1 = e1; SE2 = e2; rem = i; cur = sDen[i]; }
      }
    }
    if (!found) break;
    sValid[rem] = 0;
    const m1 = A1 / SE1, m2 = A2 / SE2;
    let k1: number, k2: number;
    if (m1 < m2) { k1 = s2[rem]; k2 = s1[rem]; } else { k1 = s1[rem]; k2 = s2[rem]; }
    alive[wrap(k2)] = 0;
    const into = members[wrap(k1)], from = members[wrap(k2)];
    members[wrap(k2)] = [];
    for (const p of from) into.push(p);
    const nb1: [number, number, number][] = [], nb2: [number, number, number][] = [];
    for (let i = 0; i < S; i++) {
      if (i === rem || !sValid[i]) continue;
      if (s1[i] === k1 || s2[i] === k1) nb1.push(s1[i] === k1 ? [s2[i], i, 1] : [s1[i], i, 2]);
      else if (s1[i] === k2 || s2[i] === k2) nb2.push(s1[i] === k2 ? [s2[i], i, 1] : [s1[i], i, 2]);
    }
    nb1.sort((x, y) => x[0] - y[0]);
    nb2.sort((x, y) => x[0] - y[0]);
    let i = 0, j = 0;
    const relabel = (t: [number, number, number]): void => { if (t[2] === 1) s1[t[1]] = k1; else s2[t[1]] = k1; };
    while (i < nb1.length && j < nb2.length) {
      if (nb1[i][0] === nb2[j][0]) {
        const x1 = nb1[i][1], x2 = nb2[j][1];
        if (sDen[x1] < sDen[x2]) { sDen[x1] = sDen[x2]; sErr[x1] = sErr[x2]; }
        sValid[x2] = 0;
        i++; j++;
      } else if (nb1[i][0] < nb2[j][0]) {
        i++;
      } else {
        relabel(nb2[j]); j++;
      }
    }
    while (j < nb2.length) { relabel(nb2[j]); j++; }
  }
  const survivors: number[] = [];
  const mapping = new Int32Array(nClus).fill(-1);
  for (let i = 0; i < nClus; i++) if (alive[i]) { mapping[i] = survivors.length; survivors.push(i); }
  const nC = survivors.length;
  const wrapC = (x: number): number => (x < 0 ? nC + x : x);
  const B = Array.from({ length: nC }, () => new Array<number>(nC).fill(0));
  const E = Array.from({ length: nC }, () => new Array<number>(nC).fill(0));
  const P = Array.from({ length: nC }, () => new Array<number>(nC).fill(-1));
  for (let s = 0; s < S; s++) {
    if (!sValid[s]) continue;
    const a = wrapC(mapping[wrap(s1[s])]), b = wrapC(mapping[wrap(s2[s])]);
    B[a][b] = sDen[s]; B[b][a] = sDen[s];
    E[a][b] = sErr[s]; E[b][a] = sErr[s];
    P[a][b] = sP[s]; P[b][a] = sP[s];
  }
  for (let k = 0; k < nC; k++) B[k][k] = -1;
  return { survivors, members, B, E, P };
}
