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
/** FNV-1a over a float32 row's words in four interleaved lanes (four independent multiply chains, not one). */
function rowHash32(words: Uint32Array, i: number, w: number): number {
  let h0 = 0x811c9dc5, h1 = 0x01000193, h2 = 0x2545f491, h3 = 0x6c62272e;
  let t = i * w;
  const e = t + w;
  for (; t + 4 <= e; t += 4) {
    const a = words[t], b = words[t + 1], c = words[t + 2], d = words[t + 3];
    h0 = Math.imul(h0 ^ (a === 0x80000000 ? 0 : a), 0x01000193);
    h1 = Math.imul(h1 ^ (b === 0x80000000 ? 0 : b), 0x01000193);
    h2 = Math.imul(h2 ^ (c === 0x80000000 ? 0 : c), 0x01000193);
    h3 = Math.imul(h3 ^ (d === 0x80000000 ? 0 : d), 0x01000193);
  }
  for (; t < e; t++) { const a = words[t]; h0 = Math.imul(h0 ^ (a === 0x80000000 ? 0 : a), 0x01000193); }
  return mix(h0, h1, h2, h3);
}

/** The same for float64 rows: word pairs (low, high), two pairs per step. */
function rowHash64(words: Uint32Array, i: number, w: number): number {
  let h0 = 0x811c9dc5, h1 = 0x01000193, h2 = 0x2545f491, h3 = 0x6c62272e;
  let t = i * w;
  const e = t + w;
  for (; t + 4 <= e; t += 4) {
    const a = words[t], b = words[t + 1], c = words[t + 2], d = words[t + 3];
    h0 = Math.imul(h0 ^ a, 0x01000193);
    h1 = Math.imul(h1 ^ (b === 0x80000000 && a === 0 ? 0 : b), 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193);
    h3 = Math.imul(h3 ^ (d === 0x80000000 && c === 0 ? 0 : d), 0x01000193);
  }
  if (t < e) { // one pair left
    const a = words[t], b = words[t + 1];
    h0 = Math.imul(h0 ^ a, 0x01000193);
    h1 = Math.imul(h1 ^ (b === 0x80000000 && a === 0 ? 0 : b), 0x01000193);
  }
  return mix(h0, h1, h2, h3);
}

function mix(h0: number, h1: number, h2: number, h3: number): number {
  let h = Math.imul(h0 ^ (h1 >>> 15), 0x85ebca6b) ^ Math.imul(h2 ^ (h3 >>> 13), 0xc2b2ae35) ^ h1 ^ h3;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  return h ^ (h >>> 15);
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
 * are found by a hash of their bits in an open-addressing table and compared word by word when
 * the hashes agree: O(N D). (Kept rows are distinct, so a row equals at most one of them: the
 * result does not depend on the hash.)
 */
export function dedupe(coordinates: MatrixLike): Dedupe {
  const X = asMatrix(coordinates);
  const d = X.data;
  const N = X.rows;
  const f64 = d.BYTES_PER_ELEMENT === 8;
  const words = new Uint32Array(d.buffer, d.byteOffset, d.length * (d.BYTES_PER_ELEMENT / 4));
  const w = X.cols * (d.BYTES_PER_ELEMENT / 4);
  let cap = 16;
  while (cap < 2 * N) cap *= 2;
  const mask = cap - 1;
  const slot = new Int32Array(cap).fill(-1); // the kept row (its position in `kept`) of each occupied slot
  const slotHash = new Int32Array(cap);
  const kept = new Int32Array(N);
  let nKept = 0;
  const inverse = new Int32Array(N);
  const members = new Map<number, number[]>();
  for (let i = 0; i < N; i++) {
    const h = f64 ? rowHash64(words, i, w) : rowHash32(words, i, w);
    let s = h & mask, at = -1;
    for (; slot[s] >= 0; s = (s + 1) & mask) {
      if (slotHash[s] === h && sameRow(words, kept[slot[s]], i, w, f64)) { at = slot[s]; break; }
    }
    if (at < 0) {
      slot[s] = nKept;
      slotHash[s] = h;
      inverse[i] = nKept;
      kept[nKept++] = i;
    } else {
      inverse[i] = at;
      const g = members.get(at);
      if (g) g.push(i); else members.set(at, [kept[at], i]);
    }
  }
  const keptArr = kept.slice(0, nKept);
  const groups = [...members.values()].map((g) => Int32Array.from(g));
  const data = nKept === N ? X : X.selectRows(keptArr);
  return { data, kept: keptArr, inverse, groups };
}

/** The groups of identical rows (empty when all points are distinct). */
export function findDuplicates(X: MatrixLike): Int32Array[] {
  return dedupe(X).groups;
}

