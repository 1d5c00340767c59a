import { describeOptionValue, checkOptionKeys, optionKeys } from '../options';
import { ensureMemory } from '../runtime/memory';
import { InputError } from '../errors';
import { asMatrix, type Matrix, type MatrixLike } from '../matrix';
import { computeNeighbors, computeNeighborsAndRanks, countNeighborRanks, pairDistance, type Metric } from '../neighbors';
import { sqEuclid } from '../neighbors/distance';
import type { Rng } from '../stats/rng';

/**
 * What the information imbalance reads from a neighbour table: `n` rows of `maxk + 1` indices,
 * row-major, the point itself in column 0. A `NeighborTable` is one.
 */
export interface IndexTable {
  readonly n: number;
  readonly maxk: number;
  readonly indices: Int32Array;
}

export interface ImbalanceOptions {
  /** Neighbours of each point in space A whose ranks in B are averaged (DADApy's k, default 1). */
  k?: number;
  /** Draws the ranks of neighbours missing from B's table (needed only when B's table is incomplete). */
  rng?: Rng;
}
const IMBALANCE_KEYS = optionKeys<ImbalanceOptions>({ k: 1, rng: 1 });

function checkPair(a: IndexTable, b: IndexTable, k: number): void {
  if (a.n !== b.n) {
    throw new InputError(`The two neighbour tables describe ${a.n} and ${b.n} points`,
      'Compare two representations of the same points, in the same order');
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new InputError(`k = ${describeOptionValue(k)} is not a positive whole number`, 'Pass k >= 1 (DADApy default: 1)');
  }
  if (k > a.maxk) {
    throw new InputError(`k = ${k} neighbours were asked for but the first table holds ${a.maxk} per point`,
      `Pass k <= ${a.maxk}, or compute the neighbours with maxk >= ${k}`);
  }
}

/**
 * DADApy's `_return_ranks`: for each point i and each of its first k neighbours a in space A
 * (columns 1..k), the rank of a among i's neighbours in B (its column in B's table, so the
 * nearest neighbour has rank 1). A neighbour missing from B's `maxk + 1` columns gets a random
 * rank `rng.integers(maxk + 1, N)`, one draw per missing entry, rows in order, then k: the order
 * and size of DADApy's draws, so recorded NumPy streams replay exactly. N x k, row-major.
 */
export function conditionalRanks(a: IndexTable, b: IndexTable, opts: ImbalanceOptions = {}): Float64Array {
  checkOptionKeys(opts, IMBALANCE_KEYS, 'conditionalRanks');
  const k = opts.k ?? 1;
  checkPair(a, b, k);
  const N = a.n, wa = a.maxk + 1, wb = b.maxk + 1;
  const ia = a.indices, ib = b.indices;
  const ranks = new Float64Array(N * k);
  // the position of each point in the current row of B (stamped per row, no clearing)
  const useStamp = k > 4;
  const pos = useStamp ? new Int32Array(N) : null;
  const stamp = useStamp ? new Int32Array(N).fill(-1) : null;
  for (let i = 0; i < N; i++) {
    const rb = i * wb;
    if (useStamp) {
      for (let c = 0; c < wb; c++) {
        const j = ib[rb + c];
        if (stamp![j] !== i) { stamp![j] = i; pos![j] = c; } // first occurrence
      }
    }
    for (let m = 0; m < k; m++) {
      const target = ia[i * wa + 1 + m];
      let r = -1;
      if (useStamp) {
        if (stamp![target] === i) r = pos![target];
      } else {
        for (let c = 0; c < wb; c++) if (ib[rb + c] === target) { r = c; break; }
      }
      if (r < 0) {
        if (!opts.rng) {
          throw new InputError(`A neighbour of point ${i} is not among the ${b.maxk} stored neighbours of the second space and no random generator was given`,
            'Use complete tables (maxk = N - 1) or pass an rng for the ranks beyond maxk');
        }
        r = opts.rng.integers(wb, N, 1)[0];
      }
      ranks[i * k + m] = r;
    }
  }
  return ranks;
}

/** Delta from the sum of the N k conditional ranks, in DADApy's arithmetic order: (S / (N k)) / (N / 2). */
export function imbalanceFromRankSum(sum: number, N: number, k: number): number {
  return (sum / (N * k)) / (N / 2.0);
}

/**
 * The information imbalance Delta(A -> B) (Glielmo et al. 2022): the mean rank in B of the
 * k nearest neighbours in A, over N/2. About 0 when A predicts B's neighbourhoods, about 1 when
 * A says nothing about B. Exact when B's table is complete (maxk = N - 1); otherwise missing
 * ranks are drawn from `rng` as DADApy does.
 */
export function informationImbalance(a: IndexTable, b: IndexTable, opts: ImbalanceOptions = {}): number {
  const k = opts.k ?? 1;
  const ranks = conditionalRanks(a, b, opts);
  let s = 0;
  for (let t = 0; t < ranks.length; t++) s += ranks[t];
  return imbalanceFromRankSum(s, a.n, k);
}

/** The ranks of row i's neighbours counted directly from distances: the table's tie rule (ascending index). */
function rankIn(d: Float64Array, i: number, a: number): number {
  const da = d[a];
  let r = 1;
  const N = d.length;
  for (let j = 0; j < N; j++) {
    if (j === i) continue;
    const dj = d[j];
    if (dj < da || (dj === da && j < a)) r++;
  }
  return r;
}

/** The k nearest other points of i by (distance, index), ascending, into `out`. */
function nearest(d: Float64Array, i: number, k: number, outD: Float64Array, outI: Int32Array): void {
  let size = 0;
  const N = d.length;
  for (let j = 0; j < N; j++) {
    if (j === i) continue;
    const dj = d[j];
    if (size === k && (dj > outD[k - 1] || (dj === outD[k - 1] && j > outI[k - 1]))) continue;
    let p = size < k ? size++ : k - 1;
    while (p > 0 && (outD[p - 1] > dj || (outD[p - 1] === dj && outI[p - 1] > j))) {
      outD[p] = outD[p - 1]; outI[p] = outI[p - 1]; p--;
    }
    outD[p] = dj; outI[p] = j;
  }
}

function distanceRow(X: Matrix, i: number, metric: Metric, period: Float64Array | null, out: Float64Array): void {
  const N = X.rows, D = X.cols, x = X.data;
  if (metric === 'euclidean' && !period) {
    euclidRow(x, D, i, 0, N, out, 0);
    return;
  }
  for (let j = 0; j < N; j++) out[j] = pairDistance(x, i, x, j, D, metric, period);
}

/** Euclidean distances from point i to points j0..j1-1 into out[off + j - j0]: pairDistance's bits (sqEuclid's order). */
function euclidRow(x: ArrayLike<number>, D: number, i: number, j0: number, j1: number, out: Float64Array, off: number): void {
  const oi = i * D;
  for (let j = j0; j < j1; j++) out[off + j - j0] = Math.sqrt(sqEuclid(x, oi, x, j * D, D));
}

/** The full symmetric distance matrix (N x N, row-major), each pair computed once. */
function distanceMatrix(X: Matrix, metric: Metric, period: Float64Array | null): Float64Array {
  const N = X.rows, D = X.cols, x = X.data;
  ensureMemory(8 * N * N, `The full ${N} x ${N} distance matrix of ${N} points`, 'Use the neighbour-table form (maxk below N - 1) or a subsample');
  const M = new Float64Array(N * N);
  const fast = metric === 'euclidean' && !period;
  for (let i = 0; i < N; i++) {
    if (fast) euclidRow(x, D, i, i + 1, N, M, i * N + i + 1);
    else for (let j = i + 1; j < N; j++) M[i * N + j] = pairDistance(x, i, x, j, D, metric, period);
    for (let j = i + 1; j < N; j++) M[j * N + i] = M[i * N + j];
  }
  return M;
}

export interface PairOptions {
  k?: number;
  metric?: Metric;
  /** Period of each space's coordinates (null: not periodic). */
  periodA?: Float64Array | null;
  periodB?: Float64Array | null;
  /**
   * The table width DADApy would use (maxk, default N - 1): ranks above it are replaced by a random
   * draw, as when DADApy's tables hold fewer neighbours than the subset has points.
   */
  maxk?: number;
  rng?: Rng;
}
const PAIR_KEYS = optionKeys<PairOptions>({ k: 1, metric: 1, periodA: 1, periodB: 1, maxk: 1, rng: 1 });

/**
 * Delta(A -> B) and Delta(B -> A) between two representations of the same points, computed from
 * distances without building rank tables: the k nearest neighbours of each point in one space,
 * and their ranks in the other counted directly (1 + the points closer, ties by index). The same
 * numbers as `informationImbalance` on tables of width `maxk + 1` (random ranks beyond, drawn in
 * DADApy's order: all of A -> B, then all of B -> A), in O(N^2 (D_A + D_B)) time and O(N) memory.
 */
export function imbalancePair(A: Matrix, B: Matrix, opts: PairOptions = {}): [number, number] {
  checkOptionKeys(opts, PAIR_KEYS, 'imbalancePair');
  const N = A.rows;
  if (B.rows !== N) {
    throw new InputError(`The two representations have ${N} and ${B.rows} points`,
      'Pass two representations of the same points, in the same order');
  }
  const k = opts.k ?? 1;
  const maxk = opts.maxk ?? N - 1;
  if (!Number.isInteger(k) || k < 1 || k > N - 1 || k > maxk) {
    throw new InputError(`k = ${k} is not between 1 and ${Math.min(N - 1, maxk)}`, 'Pass a smaller k');
  }
  const metric = opts.metric ?? 'euclidean';
  const dA = new Float64Array(N), dB = new Float64Array(N);
  const nD = new Float64Array(k), nI = new Int32Array(k);
  const rAB = new Float64Array(N * k), rBA = new Float64Array(N * k);
  for (let i = 0; i < N; i++) {
    distanceRow(A, i, metric, opts.periodA ?? null, dA);
    distanceRow(B, i, metric, opts.periodB ?? null, dB);
    nearest(dA, i, k, nD, nI);
    for (let m = 0; m < k; m++) rAB[i * k + m] = rankIn(dB, i, nI[m]);
    nearest(dB, i, k, nD, nI);
    for (let m = 0; m < k; m++) rBA[i * k + m] = rankIn(dA, i, nI[m]);
  }
  return imbalancesFromRanks(rAB, rBA, N, k, maxk, opts.rng);
}

/**
 * The ranks in space `to` of the k nearest neighbours in space `from`, read from `to`'s table
 * where they are in it and counted from exact distances otherwise (1 + the points closer, ties by
 * index: the rank a complete table would give).
 */
async function ranksViaTables(from: IndexTable, to: IndexTable, Xto: Matrix, metric: Metric, periodTo: Float64Array | null, k: number,
  signal?: AbortSignal): Promise<Float64Array> {
  const N = from.n, wf = from.maxk + 1, wt = to.maxk + 1;
  const out = new Float64Array(N * k).fill(-1);
  let missRows = 0;
  for (let i = 0; i < N; i++) {
    let miss = false;
    for (let m = 0; m < k; m++) {
      const target = from.indices[i * wf + 1 + m];
      for (let c = 1; c < wt; c++) if (to.indices[i * wt + c] === target) { out[i * k + m] = c; break; }
      if (out[i * k + m] < 0) miss = true;
    }
    if (miss) missRows++;
  }
  if (missRows === 0) return out;
  if (!periodTo && (metric === 'euclidean' || metric === 'cosine') && missRows > N / 16 && N > 256) {
    // many misses (unrelated spaces): the neighbour engine counts them (wasm, workers; float32
    // values with certified bounds, exact float64 distances only near the target's)
    const targets = new Int32Array(N * k).fill(-1);
    for (let i = 0; i < N; i++) for (let m = 0; m < k; m++) if (out[i * k + m] < 0) targets[i * k + m] = from.indices[i * wf + 1 + m];
    const counted = await countNeighborRanks(Xto, targets, k, { metric, signal });
    for (let t = 0; t < out.length; t++) if (out[t] < 0) out[t] = counted[t];
    return out;
  }
  if (!periodTo && (metric === 'euclidean' || metric === 'cosine') && N > 256 && missRows * N * Xto.cols > 2e7) {
    // fewer misses, but their distance rows would cost tens of milliseconds on this thread: the
    // engine counts those rows only (M N pairs on the workers; the same ranks)
    const rows = new Int32Array(missRows), targets = new Int32Array(missRows * k).fill(-1);
    let q = 0;
    for (let i = 0; i < N; i++) {
      let miss = false;
      for (let m = 0; m < k; m++) if (out[i * k + m] < 0) { targets[q * k + m] = from.indices[i * wf + 1 + m]; miss = true; }
      if (miss) rows[q++] = i;
    }
    const counted = await countNeighborRanks(Xto, targets, k, { metric, signal, rows });
    for (let r = 0; r < missRows; r++) for (let m = 0; m < k; m++) if (targets[r * k + m] >= 0) out[rows[r] * k + m] = counted[r * k + m];
    return out;
  }
  // many misses: one symmetric matrix costs half of the rows one by one
  const M = missRows > N / 4 && N <= 4096 ? distanceMatrix(Xto, metric, periodTo) : null;
  const row = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let d: Float64Array | null = null;
    for (let m = 0; m < k; m++) {
      if (out[i * k + m] >= 0) continue;
      if (!d) {
        if (M) d = M.subarray(i * N, (i + 1) * N);
        else { distanceRow(Xto, i, metric, periodTo, row); d = row; }
      }
      out[i * k + m] = rankIn(d, i, from.indices[i * wf + 1 + m]);
    }
  }
  return out;
}

/**
 * `imbalancePair` for large N: neighbour tables of `tableK` columns (default 30) from the
 * neighbour engine, ranks read from them, and exact ranks counted from distances only for the
 * neighbours that fall outside the other space's table. The same numbers as `imbalancePair`;
 * fast when the two representations are related (most neighbours stay within the table).
 */
export interface PairHint {
  /**
   * Whether many of A's neighbours fell outside B's table in the last pair (e.g. the previous
   * subset): then B's table and their ranks are computed in one pass (computeNeighborsAndRanks).
   * Updated by each call; the numbers are the same either way.
   */
  manyMisses?: boolean;
}

export async function imbalancePairAsync(A: Matrix, B: Matrix, opts: PairOptions & { tableK?: number; signal?: AbortSignal; hint?: PairHint } = {}): Promise<[number, number]> {
  const N = A.rows;
  if (B.rows !== N) {
    throw new InputError(`The two representations have ${N} and ${B.rows} points`,
      'Pass two representations of the same points, in the same order');
  }
  const k = opts.k ?? 1;
  const maxk = opts.maxk ?? N - 1;
  if (!Number.isInteger(k) || k < 1 || k > N - 1 || k > maxk) {
    throw new InputError(`k = ${k} is not between 1 and ${Math.min(N - 1, maxk)}`, 'Pass a smaller k');
  }
  const metric = opts.metric ?? 'euclidean';
  const m = Math.min(N - 1, Math.max(opts.tableK ?? 30, k));
  const pA = opts.periodA ?? null, pB = opts.periodB ?? null;
  const tA = await computeNeighbors(A, { maxk: m, metric, period: pA, signal: opts.signal });
  // B's table and the ranks in B of A's neighbours in one pass over B's pairs (the ranks a
  // complete table of B would give, which are its columns where the neighbour is in it)
  // pays when many of A's neighbours fall outside B's table (their ranks are counted anyway);
  // when most are in it, the table alone is cheaper: `hint` carries what the last pair showed
  let both: { table: IndexTable; ranks: Float64Array } | null = null;
  if (opts.hint?.manyMisses) {
    const targets = new Int32Array(N * k);
    for (let i = 0; i < N; i++) for (let c = 0; c < k; c++) targets[i * k + c] = tA.indices[i * (m + 1) + 1 + c];
    both = await computeNeighborsAndRanks(B, { maxk: m, metric, period: pB, signal: opts.signal }, targets, k);
  }
  const tB = both ? both.table : await computeNeighbors(B, { maxk: m, metric, period: pB, signal: opts.signal });
  const rAB = both ? both.ranks : await ranksViaTables(tA, tB, B, metric, pB, k, opts.signal);
  if (opts.hint) {
    let missRows = 0;
    for (let i = 0; i < N; i++) {
      for (let c = 0; c < k; c++) if (rAB[i * k + c] > m) { missRows++; break; }
    }
    opts.hint.manyMisses = missRows > N / 16;
  }
  const rBA = await ranksViaTables(tB, tA, A, metric, pA, k, opts.signal);
  return imbalancesFromRanks(rAB, rBA, N, k, maxk, opts.rng);
}

export type TableLike = IndexTable | MatrixLike | Int32Array;

/** A neighbour-index table given as a NeighborTable, a Matrix / number[][] of indices (N x width). */
export function asIndexTable(t: TableLike, N: number, what = 'target ranks'): IndexTable {
  let table: IndexTable;
  if (t && typeof (t as IndexTable).maxk === 'number' && (t as IndexTable).indices instanceof Int32Array) {
    table = t as IndexTable;
  } else if (t instanceof Int32Array) {
    if (N === 0 || t.length % N !== 0) {
      throw new InputError(`The ${what} hold ${t.length} indices, not a multiple of the ${N} points`, 'Pass an N x width table');
    }
    table = { n: N, maxk: t.length / N - 1, indices: t };
  } else {
    const m = asMatrix(t as MatrixLike);
    const ind = new Int32Array(m.rows * m.cols);
    for (let i = 0; i < ind.length; i++) ind[i] = m.data[i];
    table = { n: m.rows, maxk: m.cols - 1, indices: ind };
  }
  if (table.n !== N) {
    throw new InputError(`The ${what} have ${table.n} rows but there are ${N} points`, 'Pass the neighbour indices of the same points');
  }
  if (table.maxk < 1) throw new InputError(`The ${what} have no neighbour columns`, 'Pass N x (maxk + 1) indices, the point itself first');
  for (let i = 0; i < table.indices.length; i++) {
    const v = table.indices[i];
    if (!(v >= 0 && v < N)) {
      throw new InputError(`The ${what} contain index ${v}, outside 0..${N - 1}`, 'Pass neighbour indices of these points');
    }
  }
  return table;
}

/**
 * Delta(A -> B) and Delta(B -> A) from the two rank arrays; a rank beyond `maxk` stands for a
 * neighbour missing from the short table and is replaced by DADApy's random rank
 * rng.integers(maxk + 1, N), drawn in DADApy's order (A -> B first, row by row).
 */
function imbalancesFromRanks(rAB: Float64Array, rBA: Float64Array, N: number, k: number, maxk: number,
  rng: Rng | undefined): [number, number] {
  const out: number[] = [];
  for (const r of [rAB, rBA]) {
    let s = 0;
    for (let t = 0; t < r.length; t++) {
      if (r[t] > maxk) {
        if (!rng) {
          throw new InputError(`maxk = ${maxk} < N - 1 = ${N - 1} needs random ranks but no rng was given`, 'Pass an rng');
        }
        r[t] = rng.integers(maxk + 1, N, 1)[0];
      }
      s += r[t];
    }
    out.push(imbalanceFromRankSum(s, N, k));
  }
  return [out[0], out[1]];
}
