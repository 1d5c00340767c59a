import { asMatrix, type Matrix, type MatrixLike } from '../matrix';

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

/*
 * Rows are compared as 32-bit words. -0 must equal +0: in float32 -0 is the word 0x80000000; in
 * float64 it is the pair (low 0, high 0x80000000). `z` maps a word to its +0 form (for float64 the
 * high word is mapped only when the low word before it is 0).
 */
function rowHash(words: Uint32Array, i: number, w: number, f64: boolean): number {
  let h = 0x811c9dc5;
  for (let t = i * w, e = t + w; t < e; t++) {
    let v = words[t];
    if (v === 0x80000000 && (!f64 || ((t & 1) === 1 && words[t - 1] === 0))) v = 0;
    h = Math.imul(h ^ v, 0x01000193);
  }
  return h >>> 0;
}

function sameRow(words: Uint32Array, i: number, j: number, w: number, f64: boolean): boolean {
  for (let a = i * w, b = j * w, e = a + w; a < e; a++, b++) {
    let u = words[a], v = words[b];
    if (u === v) continue;
    if (u === 0x80000000 && (!f64 || ((a & 1) === 1 && words[a - 1] === 0))) u = 0;
    if (v === 0x80000000 && (!f64 || ((b & 1) === 1 && words[b - 1] === 0))) v = 0;
    if (u !== v) return false;
  }
  return true;
}

/**
 * Removes duplicate points and keeps the first copy of each, in order (DADApy's
 * `remove_identical_points` sorts the rows with np.unique, so labels lose their alignment; we
 * return the kept indices instead). Rows are equal when their bits are (after -0 becomes +0, so
 * -0 and +0 count as the same coordinate; NaN rows are refused earlier by the estimators). Rows
 * are bucketed by a hash of their bits and compared word by word within a bucket: O(N D).
 */
export function dedupe(coordinates: MatrixLike): Dedupe {
  const X = asMatrix(coordinates);
  const d = X.data;
  const f64 = d.BYTES_PER_ELEMENT === 8;
  const words = new Uint32Array(d.buffer, d.byteOffset, d.length * (d.BYTES_PER_ELEMENT / 4));
  const w = X.cols * (d.BYTES_PER_ELEMENT / 4);
  const firstByHash = new Map<number, number[]>();
  const kept: number[] = [];
  const inverse = new Int32Array(X.rows);
  const members = new Map<number, number[]>();
  for (let i = 0; i < X.rows; i++) {
    const h = rowHash(words, i, w, f64);
    const bucket = firstByHash.get(h);
    let at = -1;
    if (bucket) {
      for (const u of bucket) if (sameRow(words, kept[u], i, w, f64)) { at = u; break; }
    }
    if (at < 0) {
      if (bucket) bucket.push(kept.length); else firstByHash.set(h, [kept.length]);
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
export function findDuplicates(X: MatrixLike): Int32Array[] {
  return dedupe(X).groups;
}

