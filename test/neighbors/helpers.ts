import { Matrix } from '../../lib/matrix';
import { pairDistance, type Metric } from '../../lib/neighbors';
import { SeededRng } from '../../lib/stats/rng';

/** Standard normal data (Box-Muller on the seeded generator), float64 or float32. */
export function gaussian(N: number, D: number, seed: number, f32 = false): Matrix {
  const rng = new SeededRng(seed);
  const out = f32 ? new Float32Array(N * D) : new Float64Array(N * D);
  for (let i = 0; i < N * D; i++) {
    const u = rng.random() || 1e-300, v = rng.random();
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return new Matrix(out, N, D);
}

/** Small integers: many exact ties and duplicate points. */
export function grid(N: number, D: number, seed: number, levels = 4): Matrix {
  const rng = new SeededRng(seed);
  const out = new Float64Array(N * D);
  for (let i = 0; i < N * D; i++) out[i] = Math.floor(rng.random() * levels);
  return new Matrix(out, N, D);
}

/**
 * An independent reference: every distance of row i, sorted by (distance, index), self first.
 * Checks the tie rule of the engine itself (the engines all share TopK).
 */
export function naiveRow(X: Matrix, i: number, k: number, metric: Metric, period: Float64Array | null): { d: number[]; ix: number[] } {
  const all: [number, number][] = [];
  for (let j = 0; j < X.rows; j++) if (j !== i) all.push([pairDistance(X.data, i, X.data, j, X.cols, metric, period), j]);
  all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const top = all.slice(0, k);
  return { d: [0, ...top.map((t) => t[0])], ix: [i, ...top.map((t) => t[1])] };
}
