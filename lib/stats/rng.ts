import { DadalabError } from '../errors';

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
    if (n <= 0) throw new DadalabError(`Cannot draw below ${n}`, 'Pass a positive range');
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
      throw new DadalabError(`Cannot choose ${size} distinct items out of ${n}`, `Ask for at most ${n}`);
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

/**
 * Replays recorded NumPy draws in order, checking that each call asks for what was recorded
 * (method and size), so a port that draws differently fails loudly instead of drifting.
 */
export class ReplayRng implements Rng {
  private at = 0;
  constructor(private readonly draws: RecordedDraw[]) {}

  get remaining(): number {
    return this.draws.length - this.at;
  }

  private next(method: string, size: number): Int32Array {
    const d = this.draws[this.at];
    if (!d) {
      throw new Error(`ReplayRng: no recorded draw left for ${method}(size ${size}); ${this.draws.length} were recorded`);
    }
    if (d.method !== method) {
      throw new Error(`ReplayRng: draw ${this.at} was recorded as ${d.method}, but ${method} was called`);
    }
    const flat = (Array.isArray(d.result) ? (d.result as unknown[]).flat(Infinity) : [d.result]) as number[];
    if (flat.length !== size) {
      throw new Error(`ReplayRng: draw ${this.at} (${method}) recorded ${flat.length} values but ${size} were asked for`);
    }
    this.at++;
    return Int32Array.from(flat);
  }

  random(): number {
    const d = this.draws[this.at];
    if (!d || d.method !== 'random') throw new Error(`ReplayRng: draw ${this.at} is not a recorded random()`);
    this.at++;
    return Number(d.result);
  }
  integers(_low: number, _high: number, size: number): Int32Array {
    return this.next('integers', size);
  }
  choice(_n: number, size: number): Int32Array {
    return this.next('choice', size);
  }
  permutation(n: number): Int32Array {
    const d = this.draws[this.at];
    if (d && d.method === 'shuffle') return this.next('shuffle', n);
    return this.next('permutation', n);
  }
}
