import { Matrix } from '../matrix';

export interface Dedupe {
  /** The distinct rows, in their original order (first copy kept). */
  readonly data: Matrix;
  /** For each kept row, its index in the input: `labels.filter((_, i) => kept.includes(i))` stays aligned. */
  readonly kept: Int32Array;
  /** For each input row, the row of `data` that represents it. */
  readonly inverse: Int32Array;
  /** Groups of input rows that are identical (only groups of 2 or more). */
  readonly groups: Int32Array[];
}

/** Bitwise-equal rows (NaN never equals). Hashing the row bytes keeps this O(N D). */
function rowKey(X: Matrix, i: number): string {
  const r = X.row(i);
  const bytes = new Uint8Array(r.buffer, r.byteOffset, r.byteLength);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/**
 * Removes duplicate points and keeps the first copy of each, in order (DADApy's
 * `remove_identical_points` sorts the rows with np.unique, so labels lose their alignment; we
 * return the kept indices instead). -0 and +0 count as the same coordinate.
 */
export function dedupe(X: Matrix): Dedupe {
  const seen = new Map<string, number>();
  const kept: number[] = [];
  const inverse = new Int32Array(X.rows);
  const members = new Map<number, number[]>();
  const Xn = normaliseZeros(X);
  for (let i = 0; i < X.rows; i++) {
    const key = rowKey(Xn, i);
    const at = seen.get(key);
    if (at === undefined) {
      seen.set(key, kept.length);
      inverse[i] = kept.length;
      kept.push(i);
    } else {
      inverse[i] = at;
      const g = members.get(at);
      if (g) g.push(i); else members.set(at, [kept[at], i]);
    }
  }
  const keptArr = Int32Array.from(kept);
  const groups = [...members.values()].map((g) => Int32Array.from(g));
  const data = keptArr.length === X.rows ? X : X.selectRows(keptArr);
  return { data, kept: keptArr, inverse, groups };
}

/** The groups of identical rows (empty when all points are distinct). */
export function findDuplicates(X: Matrix): Int32Array[] {
  return dedupe(X).groups;
}

function normaliseZeros(X: Matrix): Matrix {
  const d = X.data;
  for (let t = 0; t < d.length; t++) {
    if (d[t] === 0 && Object.is(d[t], -0)) {
      const copy = d.slice();
      for (let u = t; u < copy.length; u++) if (copy[u] === 0) copy[u] = 0;
      return new Matrix(copy, X.rows, X.cols);
    }
  }
  return X;
}
