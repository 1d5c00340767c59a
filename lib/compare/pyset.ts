/**
 * The iteration order of CPython's `set` of `frozenset`s of small non-negative integers (3.7+),
 * needed to reproduce the candidate order of DADApy's greedy feature selection:
 * `[list(e) for e in set(frozenset(d) for d in c_list)]` fixes both the order of the candidate
 * tuples and the order of the features inside each one, and the fixtures record that order.
 * A faithful model of Objects/setobject.c: open addressing with 9 linear probes then perturbed
 * probing, resizing at 3/5 fill, the frozenset hash with its bit shuffling. Integer hashes are the
 * integers themselves (valid below 2^61 - 1). Checked against CPython 3.11 in the tests.
 */

const M64 = (1n << 64n) - 1n;
const LINEAR_PROBES = 9n;
const PERTURB_SHIFT = 5n;

interface Entry<T> { key: T; hash: bigint }

class PySet<T> {
  table: (Entry<T> | null)[] = new Array(8).fill(null);
  mask = 7n;
  fill = 0;
  used = 0;
  constructor(private readonly eq: (a: T, b: T) => boolean) {}

  add(key: T, hash: bigint): void {
    let mask = this.mask;
    let i = hash & mask;
    let perturb = hash;
    for (;;) {
      let probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0n;
      let j = i;
      for (;;) {
        const e = this.table[Number(j)];
        if (e === null) {
          this.table[Number(j)] = { key, hash };
          this.fill++; this.used++;
          if (BigInt(this.fill) * 5n >= mask * 3n) this.resize(this.used > 50000 ? this.used * 2 : this.used * 4);
          return;
        }
        if (e.hash === hash && this.eq(e.key, key)) return;
        j++;
        if (probes-- === 0n) break;
      }
      perturb >>= PERTURB_SHIFT;
      i = (i * 5n + 1n + perturb) & mask;
      mask = this.mask;
    }
  }

  private resize(minused: number): void {
    let newsize = 8;
    while (newsize <= minused) newsize <<= 1;
    const old = this.table;
    this.table = new Array(newsize).fill(null);
    this.mask = BigInt(newsize - 1);
    for (const e of old) if (e !== null) this.insertClean(e);
    this.fill = this.used;
  }

  private insertClean(e: Entry<T>): void {
    const mask = this.mask;
    let perturb = e.hash;
    let i = e.hash & mask;
    for (;;) {
      if (this.table[Number(i)] === null) { this.table[Number(i)] = e; return; }
      if (i + LINEAR_PROBES <= mask) {
        for (let j = 1n; j <= LINEAR_PROBES; j++) {
          if (this.table[Number(i + j)] === null) { this.table[Number(i + j)] = e; return; }
        }
      }
      perturb >>= PERTURB_SHIFT;
      i = (i * 5n + 1n + perturb) & mask;
    }
  }

  entries(): Entry<T>[] {
    return this.table.filter((e): e is Entry<T> => e !== null);
  }
}

function shuffleBits(h: bigint): bigint {
  return (((h ^ 89869747n) ^ ((h << 16n) & M64)) * 3644798167n) & M64;
}

/** `frozenset(items)` of non-negative integers: its iteration order and its hash (unsigned 64-bit). */
export function pyFrozenset(items: readonly number[]): { order: number[]; hash: bigint } {
  const s = new PySet<number>((a, b) => a === b);
  for (const x of items) s.add(x, BigInt(x));
  let h = 0n;
  for (const e of s.table) h ^= shuffleBits(e === null ? 0n : e.hash);
  const size = Number(s.mask) + 1;
  if ((size - s.fill) & 1) h ^= shuffleBits(0n);
  h ^= (BigInt(s.used + 1) * 1927868237n) & M64;
  h ^= (h >> 11n) ^ (h >> 25n);
  h = (h * 69069n + 907133923n) & M64;
  if (h === M64) h = 590923713n;
  return { order: s.entries().map((e) => e.key), hash: h };
}

/**
 * `[list(e) for e in set(frozenset(d) for d in lists)]`: the distinct sets, in CPython's order,
 * each listed in its frozenset's order.
 */
export function pySetOfFrozensets(lists: readonly (readonly number[])[]): number[][] {
  const outer = new PySet<{ sorted: string; order: number[] }>((a, b) => a.sorted === b.sorted);
  for (const d of lists) {
    const fs = pyFrozenset(d);
    const sorted = [...fs.order].sort((a, b) => a - b).join(',');
    outer.add({ sorted, order: fs.order }, fs.hash);
  }
  return outer.entries().map((e) => e.key.order);
}
