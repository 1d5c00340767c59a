/**
 * Per-cell seeded generators for exercise sheets: `const rng = exerciseRng('circle')` at the top of
 * an exercise cell gives the same numbers every time the cell runs, in any order, for everybody
 * (a generator shared by the whole sheet gives different answers when a cell is re-run).
 */
import { SeededRng } from '../stats/rng';

/** A 32-bit seed from a name (FNV-1a): the same name, the same seed, on every machine. */
export function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class ExerciseRng extends SeededRng {
  /** A uniform number in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.random();
  }

  /** A normal deviate (Box-Muller, one of the pair). */
  gauss(mean = 0, sd = 1): number {
    const u = 1 - this.random();
    const v = this.random();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** n points, each made by `point(rng, i)`. */
  points(n: number, point: (rng: ExerciseRng, i: number) => number[]): number[][] {
    return Array.from({ length: n }, (_, i) => point(this, i));
  }
}

/** A fresh generator seeded by a name (or a number): re-running a cell gives the same draws. */
export function exerciseRng(seed: string | number): ExerciseRng {
  return new ExerciseRng(typeof seed === 'number' ? seed : seedOf(seed));
}
