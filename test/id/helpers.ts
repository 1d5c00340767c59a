import { Matrix } from '../../lib/matrix';
import { SeededRng } from '../../lib/stats/rng';

/** N points uniform in the unit d-cube (seeded). */
export function uniformCube(N: number, d: number, seed: number): Matrix {
  const rng = new SeededRng(seed);
  const X = new Float64Array(N * d);
  for (let i = 0; i < X.length; i++) X[i] = rng.random();
  return new Matrix(X, N, d);
}

/** A standard normal draw (Box-Muller) from a seeded generator. */
export function gauss(rng: SeededRng): number {
  let u = rng.random();
  while (u === 0) u = rng.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.random());
}

/** N points uniform in the unit d-ball (direction Gaussian, radius U^(1/d)). */
export function uniformBall(N: number, d: number, seed: number): Matrix {
  const rng = new SeededRng(seed);
  const X = new Float64Array(N * d);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) { const g = gauss(rng); X[i * d + j] = g; s += g * g; }
    const r = Math.pow(rng.random(), 1 / d) / Math.sqrt(s);
    for (let j = 0; j < d; j++) X[i * d + j] *= r;
  }
  return new Matrix(X, N, d);
}

/** Embeds the rows of X linearly (a random D x d map with orthonormal columns) into D dimensions. */
export function embed(X: Matrix, D: number, seed: number): Matrix {
  const rng = new SeededRng(seed);
  const d = X.cols;
  const Q: Float64Array[] = [];
  for (let c = 0; c < d; c++) {
    const v = new Float64Array(D);
    for (let j = 0; j < D; j++) v[j] = gauss(rng);
    for (const q of Q) { let dot = 0; for (let j = 0; j < D; j++) dot += v[j] * q[j]; for (let j = 0; j < D; j++) v[j] -= dot * q[j]; }
    let n = 0; for (let j = 0; j < D; j++) n += v[j] * v[j];
    n = Math.sqrt(n);
    for (let j = 0; j < D; j++) v[j] /= n;
    Q.push(v);
  }
  const out = new Float64Array(X.rows * D);
  for (let i = 0; i < X.rows; i++) for (let c = 0; c < d; c++) {
    const x = X.data[i * d + c];
    for (let j = 0; j < D; j++) out[i * D + j] += x * Q[c][j];
  }
  return new Matrix(out, X.rows, D);
}

/** A swiss roll (2-D manifold in 3-D), t in [1.5 pi, 4.5 pi], height in [0, 21]. */
export function swissRoll(N: number, seed: number): Matrix {
  const rng = new SeededRng(seed);
  const X = new Float64Array(N * 3);
  for (let i = 0; i < N; i++) {
    const t = 1.5 * Math.PI * (1 + 2 * rng.random());
    X[i * 3] = t * Math.cos(t);
    X[i * 3 + 1] = 21 * rng.random();
    X[i * 3 + 2] = t * Math.sin(t);
  }
  return new Matrix(X, N, 3);
}

/** A plane (2-D) in D dimensions with isotropic Gaussian noise of std `noise` in every coordinate. */
export function noisyPlane(N: number, D: number, noise: number, seed: number): Matrix {
  const rng = new SeededRng(seed);
  const X = new Float64Array(N * D);
  for (let i = 0; i < N; i++) {
    X[i * D] = rng.random();
    X[i * D + 1] = rng.random();
    for (let j = 0; j < D; j++) X[i * D + j] += noise * gauss(rng);
  }
  return new Matrix(X, N, D);
}
