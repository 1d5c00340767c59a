import { checkOptionKeys, positiveInteger } from '../options';
import { InputError, listSome } from '../errors';
import { makeTable, type NeighborTable } from './table';

type Table2D = ArrayLike<ArrayLike<number>> | { data: ArrayLike<number>; rows: number; cols: number };

function flatten(x: Table2D, what: string): { data: ArrayLike<number>; rows: number; cols: number } {
  if ('rows' in x && 'cols' in x && 'data' in x) return x;
  const rows = (x as ArrayLike<ArrayLike<number>>).length;
  if (rows === 0) throw new InputError(`The precomputed ${what} table is empty`, 'Pass one row per point');
  const cols = (x as ArrayLike<ArrayLike<number>>)[0].length;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r = (x as ArrayLike<ArrayLike<number>>)[i];
    if (r.length !== cols) {
      throw new InputError(`Row ${i} of the precomputed ${what} table has ${r.length} entries but row 0 has ${cols}`,
        'Every row must have the same number of neighbours');
    }
    for (let j = 0; j < cols; j++) out[i * cols + j] = r[j];
  }
  return { data: out, rows, cols };
}

export interface PrecomputedOptions {
  /** Keep only the first maxk neighbours (default: every column the table holds beyond the self column). */
  maxk?: number;
  /**
   * Whether column 0 holds the point itself (faiss and sklearn tables queried with the data
   * themselves do). When false, a self column is prepended.
   */
  includesSelf?: boolean;
}

/**
 * A neighbour table computed elsewhere (faiss, sklearn, a GPU engine): `distances` and `indices`
 * with one row per point, sorted by increasing distance. Checked, not trusted: shapes must agree,
 * indices must be points, rows must be sorted, and column 0 must be the point itself.
 */
export function fromPrecomputed(distances: Table2D, indices: Table2D, opts: PrecomputedOptions = {}): NeighborTable {
  checkOptionKeys(opts, ['maxk', 'includesSelf'], 'fromPrecomputed');
  const D = flatten(distances, 'distances');
  const I = flatten(indices, 'indices');
  if (D.rows !== I.rows || D.cols !== I.cols) {
    throw new InputError(`The precomputed distances are ${D.rows} x ${D.cols} but the indices are ${I.rows} x ${I.cols}`,
      'Pass two tables of the same shape (one row per point, one column per neighbour)');
  }
  const includesSelf = opts.includesSelf ?? true;
  const n = D.rows;
  const available = includesSelf ? D.cols - 1 : D.cols;
  if (available < 1) {
    throw new InputError(`The precomputed table has ${D.cols} column${D.cols === 1 ? '' : 's'}, no neighbours beyond the point itself`,
      'Compute at least 2 columns (self + 1 neighbour)');
  }
  const maxk = opts.maxk === undefined ? available : positiveInteger(opts.maxk, 'maxk', 'fromPrecomputed');
  if (maxk > available) {
    throw new InputError(`maxk = ${maxk} but the precomputed table holds ${available} neighbours per point`,
      `Choose maxk between 1 and ${available}`);
  }
  const w = maxk + 1;
  const dist = new Float64Array(n * w);
  const ind = new Int32Array(n * w);
  const unsorted: number[] = [], notSelf: number[] = [], outOfRange: number[] = [], badDist: number[] = [];
  const shift = includesSelf ? 0 : 1;
  for (let i = 0; i < n; i++) {
    if (!includesSelf) { dist[i * w] = 0; ind[i * w] = i; }
    for (let j = 0; j < w - shift; j++) {
      const dv = Number(D.data[i * D.cols + j]);
      const iv = Number(I.data[i * I.cols + j]);
      dist[i * w + j + shift] = dv;
      ind[i * w + j + shift] = iv;
      if (!Number.isInteger(iv) || iv < 0 || iv >= n) { outOfRange.push(i); break; }
      if (!(dv >= 0) || !Number.isFinite(dv)) { badDist.push(i); break; }
    }
    // sklearn's and faiss's GEMM-based self distances are ~1e-8, not 0: tolerated, kept as given
    if (includesSelf && (ind[i * w] !== i || !(dist[i * w] <= 1e-6 * (1 + Math.abs(dist[i * w + 1]))))) notSelf.push(i);
    for (let j = 1; j < w; j++) if (dist[i * w + j] < dist[i * w + j - 1]) { unsorted.push(i); break; }
  }
  if (outOfRange.length) {
    throw new InputError(`The precomputed indices of rows ${listSome(outOfRange)} point outside 0..${n - 1}`,
      'Indices must refer to rows of the same data set (faiss returns -1 for missing neighbours: search more candidates)');
  }
  if (badDist.length) {
    throw new InputError(`The precomputed distances of rows ${listSome(badDist)} are negative, NaN or infinite`,
      'Pass distances, not similarities (for cosine similarity s use 1 - s), with no missing entries');
  }
  if (notSelf.length) {
    throw new InputError(`Column 0 of rows ${listSome(notSelf)} is not the point itself at distance 0`,
      'Query the data against themselves so each row starts with its own point (with duplicate points, put the point itself before its copies), or pass { includesSelf: false } to have the self column added');
  }
  if (unsorted.length) {
    throw new InputError(`The precomputed distances of rows ${listSome(unsorted)} are not sorted in increasing order`,
      'Sort each row by distance (and its indices with it) before passing the table');
  }
  return makeTable(n, maxk, dist, ind, 'precomputed', null);
}

/**
 * Refuses a full distance matrix that is not one: NaN, infinite or negative entries, a diagonal
 * that is not zero, or M[i][j] != M[j][i]. Small rounding is tolerated (a matrix computed in
 * float32 or by GEMM): diagonal entries up to 1e-6 of the row's smallest other distance, and
 * asymmetry up to 1e-6 relative.
 */
function checkDistanceMatrix(M: { data: ArrayLike<number>; rows: number }): void {
  const n = M.rows, x = M.data;
  const bad: number[] = [], diag: number[] = [], asym: string[] = [];
  for (let i = 0; i < n; i++) {
    let minOff = Infinity;
    for (let j = 0; j < n; j++) {
      const v = Number(x[i * n + j]);
      if (!(v >= 0) || v === Infinity) { bad.push(i); break; }
      if (j !== i && v < minOff) minOff = v;
    }
    if (bad.length && bad[bad.length - 1] === i) continue;
    if (Number(x[i * n + i]) > 1e-6 * (Number.isFinite(minOff) ? minOff : 1)) diag.push(i);
    for (let j = i + 1; j < n && asym.length < 5; j++) {
      const a = Number(x[i * n + j]), b = Number(x[j * n + i]);
      if (Math.abs(a - b) > 1e-6 * Math.max(a, b)) asym.push(`[${i}][${j}] = ${a} but [${j}][${i}] = ${b}`);
    }
  }
  if (bad.length) {
    throw new InputError(`The distance matrix has NaN, infinite or negative entries in rows ${listSome(bad)}`,
      'Pass distances, not similarities (for cosine similarity s use 1 - s), with no missing entries');
  }
  if (diag.length) {
    throw new InputError(`The distance matrix's diagonal is not zero in rows ${listSome(diag)} (e.g. [${diag[0]}][${diag[0]}] = ${Number(x[diag[0] * n + diag[0]])})`,
      'Pass the full N x N matrix of pairwise distances, each point at distance 0 from itself (not a similarity or a kernel matrix)');
  }
  if (asym.length) {
    throw new InputError(`The distance matrix is not symmetric: ${asym.join('; ')}`,
      'Pass a symmetric matrix of pairwise distances (for a one-way dissimilarity, symmetrise it first, e.g. (M + Mᵀ) / 2)');
  }
}

/**
 * A table from a full square distance matrix (DADApy's `from_all_distances_to_nndistances`),
 * with ties broken by ascending index (NumPy's argsort is not stable; ours is).
 */
export function fromDistanceMatrix(matrix: Table2D, maxk?: number): NeighborTable {
  const M = flatten(matrix, 'distance matrix');
  if (M.rows !== M.cols) {
    throw new InputError(`The distance matrix is ${M.rows} x ${M.cols}, not square`, 'Pass the full N x N matrix of pairwise distances');
  }
  const n = M.rows;
  const k = maxk === undefined ? Math.min(100, n - 1) : positiveInteger(maxk, 'maxk', 'A full distance matrix');
  if (k > n - 1) {
    throw new InputError(`maxk = ${k} but there are ${n} points`, `Choose maxk between 1 and ${n - 1}`);
  }
  checkDistanceMatrix(M);
  const w = k + 1;
  const dist = new Float64Array(n * w), ind = new Int32Array(n * w);
  const order = new Int32Array(n - 1);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let j = 0; j < n; j++) if (j !== i) order[c++] = j;
    const row = i * n;
    order.sort((a, b) => (Number(M.data[row + a]) - Number(M.data[row + b])) || a - b);
    dist[i * w] = 0; ind[i * w] = i;
    for (let j = 0; j < k; j++) { ind[i * w + j + 1] = order[j]; dist[i * w + j + 1] = Number(M.data[row + order[j]]); }
  }
  return makeTable(n, k, dist, ind, 'precomputed', null);
}
