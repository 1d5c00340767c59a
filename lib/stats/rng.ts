import { InputError } from '../errors';

/**
 * The randomness an estimator may use, with NumPy Generator semantics (high exclusive, choice
 * without replacement gives distinct values). Estimators take an `Rng` so runs are reproducible
 * per seed and DADApy's recorded draws can be replayed exactly (`ReplayRng`).
 */
export interface Rng {
  /** Uniform double in [0, 1). */
  random(): number;
  /** `size` integers uniform in [low, high). */
  integers(low: number, high: number, size: number): Int32Array;
  /** `size` draws from 0..n-1; distinct when `replace` is false. */
  choice(n: number, size: number, replace?: boolean): Int32Array;
  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array;
}

/**
 * xoshiro128** (Blackman & Vigna), seeded through SplitMix32: fast, 32-bit state words, and the
 * same stream on every platform. Not PCG64: DADApy's streams are replayed from recordings instead.
 */
export class SeededRng implements Rng {
  private s = new Uint32Array(4);
  readonly seed: number;

  constructor(seed = 42) {
    this.seed = seed;
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // SplitMix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  private nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  random(): number {
    // 53 random bits
    const a = this.nextU32() >>> 5, b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Unbiased integer in [0, n) (Lemire's rejection on 32 bits; n < 2^32). */
  private below(n: number): number {
    if (n <= 0) throw new InputError(`Cannot draw below ${n}`, 'Pass a positive range');
    if (n > 0xffffffff) return Math.floor(this.random() * n);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  integers(low: number, high: number, size: number): Int32Array {
    const out = new Int32Array(size);
    for (let i = 0; i < size; i++) out[i] = low + this.below(high - low);
    return out;
  }

  choice(n: number, size: number, replace = true): Int32Array {
    if (replace) return this.integers(0, n, size);
    if (size > n) {
      throw new InputError(`Cannot choose ${size} distinct items out of ${n}`, `Ask for at most ${n}`);
    }
    // partial Fisher-Yates on an index array
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = 0; i < size; i++) {
      const j = i + this.below(n - i);
      const t = p[i]; p[i] = p[j]; p[j] = t;
    }
    return p.slice(0, size);
  }

  permutation(n: number): Int32Array {
    return this.choice(n, n, false);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** One recorded draw of DADApy's `Base.rng` (parity fixtures' `rng_draws`). */
export interface RecordedDraw {
  method: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  result: unknown;
}

/** The arguments of a NumPy Generator call, positional or by keyword. */
function argOf(d: RecordedDraw, pos: number, name: string): unknown {
  const kw = d.kwargs ?? {};
  if (name in kw) return kw[name];
  return Array.isArray(d.args) && d.args.length > pos ? d.args[pos] : undefined;
}

/** NumPy's `size` (an int, a tuple, or None) as a count; `dflt` when absent. */
function sizeCount(v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (Array.isArray(v)) return v.reduce((p: number, x) => p * Number(x), 1);
  return Number(v);
}

/** `a` of choice / permutation / shuffle: an int n, or an array of n items. */
function populationSize(v: unknown): number {
  return Array.isArray(v) ? v.length : Number(v);
}

/**
 * Replays recorded NumPy draws in order, checking that each call is the one recorded: the method,
 * and its arguments (choice: population, size, replace; integers: low, high, size; permutation /
 * shuffle: length), so a port that draws differently fails loudly instead of drifting.
 */
export class ReplayRng implements Rng {
  private at = 0;
  constructor(private readonly draws: RecordedDraw[]) {}

  get remaining(): number {
    return this.draws.length - this.at;
  }

  private take(method: string | string[], what: string): RecordedDraw {
    const d = this.draws[this.at];
    const names = Array.isArray(method) ? method : [method];
    if (!d) {
      throw new Error(`ReplayRng: no recorded draw left for ${what}; ${this.draws.length} were recorded`);
    }
    if (!names.includes(d.method)) {
      throw new Error(`ReplayRng: draw ${this.at} was recorded as ${d.method}, but ${what} was called`);
    }
    return d;
  }

  private mismatch(d: RecordedDraw, what: string, field: string, recorded: unknown, asked: unknown): never {
    throw new Error(`ReplayRng: draw ${this.at} (${d.method}) was recorded with ${field} = ${JSON.stringify(recorded)}, but ${what} asked for ${field} = ${JSON.stringify(asked)}`);
  }

  private values(d: RecordedDraw, size: number, what: string): Int32Array {
    const flat = (Array.isArray(d.result) ? (d.result as unknown[]).flat(Infinity) : [d.result]) as number[];
    if (flat.length !== size) {
      throw new Error(`ReplayRng: draw ${this.at} (${d.method}) recorded ${flat.length} values but ${what} asked for ${size}`);
    }
    this.at++;
    return Int32Array.from(flat);
  }

  random(): number {
    const what = 'random()';
    const d = this.take('random', what);
    const size = sizeCount(argOf(d, 0, 'size'), 1);
    if (size !== 1) this.mismatch(d, what, 'size', size, 1);
    this.at++;
    return Number(Array.isArray(d.result) ? (d.result as unknown[]).flat(Infinity)[0] : d.result);
  }

  integers(low: number, high: number, size: number): Int32Array {
    const what = `integers(${low}, ${high}, size=${size})`;
    const d = this.take('integers', what);
    let lo = Number(argOf(d, 0, 'low'));
    let hi = argOf(d, 1, 'high') as number | null | undefined;
    if (hi === undefined || hi === null) { hi = lo; lo = 0; }
    if (argOf(d, 4, 'endpoint') === true) hi = Number(hi) + 1;
    if (lo !== low) this.mismatch(d, what, 'low', lo, low);
    if (Number(hi) !== high) this.mismatch(d, what, 'high', hi, high);
    const n = sizeCount(argOf(d, 2, 'size'), 1);
    if (n !== size) this.mismatch(d, what, 'size', n, size);
    return this.values(d, size, what);
  }

  choice(n: number, size: number, replace = true): Int32Array {
    const what = `choice(${n}, size=${size}, replace=${replace})`;
    const d = this.take('choice', what);
    const a = populationSize(argOf(d, 0, 'a'));
    if (a !== n) this.mismatch(d, what, 'a', a, n);
    const s = sizeCount(argOf(d, 1, 'size'), 1);
    if (s !== size) this.mismatch(d, what, 'size', s, size);
    const r = argOf(d, 2, 'replace');
    const rep = r === undefined || r === null ? true : Boolean(r);
    if (rep !== replace) this.mismatch(d, what, 'replace', rep, replace);
    return this.values(d, size, what);
  }

  permutation(n: number): Int32Array {
    const what = `permutation(${n})`;
    const d = this.take(['permutation', 'shuffle'], what);
    const len = populationSize(argOf(d, 0, 'x'));
    if (len !== n) this.mismatch(d, what, 'length', len, n);
    return this.values(d, n, what);
  }
}
