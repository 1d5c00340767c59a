/**
 * Coordinates far from 1 break the squared distances: around 1e155 the squares overflow to
 * Infinity (TwoNN NaN, Gride 0.001), around 1e-300 they underflow to 0 (every point a
 * "duplicate"); the float32 stage of the WebAssembly engine overflows from about 1e19. The
 * neighbour searches therefore work on the coordinates multiplied by a power of two 2^-e that
 * brings the largest |coordinate| near 1 when it lies outside [2^-SAFE_EXPONENT, 2^SAFE_EXPONENT],
 * and multiply the distances they return by 2^e. A power of two scales every sum, product and
 * square root exactly, so the distances are those of the original coordinates, rounded once
 * (bit-identical where nothing overflowed or underflowed), and nothing else is recorded: inside
 * the range the data are used as given, without a copy. Cosine and Hamming distances do not
 * depend on the scale and are returned as computed.
 */
import { Matrix } from '../matrix';
import type { Metric } from './metrics';
import { nativeMain } from './native';

/** log2 of the largest (and of 1 / the smallest) max |coordinate| used as given. */
export const SAFE_EXPONENT = 60;

export interface SearchScaling {
  /** The coordinates the engine works on (the input itself when no scaling was needed). */
  readonly X: Matrix;
  /** The query points, scaled by the same factor (null when none). */
  readonly Q: Matrix | null;
  /** The periodic box in the scaled units. */
  readonly period: Float64Array | null;
  /** What the engine's distances are multiplied by (1 when unscaled or scale-free metrics). */
  readonly up: number;
}

function maxAbs(m: Matrix): number {
  const nat = nativeMain(); // the same maximum, four lanes at a time (a pass over the data before every search)
  if (nat) return nat.max_abs(m.data);
  const d = m.data;
  let a = 0;
  for (let i = 0; i < d.length; i++) { const v = Math.abs(d[i]); if (v > a) a = v; }
  return a;
}

function scaled(m: Matrix, f: number): Matrix {
  const out = m.data instanceof Float32Array ? new Float32Array(m.data.length) : new Float64Array(m.data.length);
  const d = m.data;
  for (let i = 0; i < d.length; i++) out[i] = d[i] * f;
  return new Matrix(out, m.rows, m.cols);
}

/** The coordinates to search on (see the module comment) and the factor back to the caller's units. */
export function scaleForSearch(X: Matrix, metric: Metric, period: Float64Array | null, Q: Matrix | null = null): SearchScaling {
  if (metric === 'hamming') return { X, Q, period, up: 1 };
  const a = Math.max(maxAbs(X), Q ? maxAbs(Q) : 0);
  if (a === 0 || !Number.isFinite(a) || (a <= 2 ** SAFE_EXPONENT && a >= 2 ** -SAFE_EXPONENT)) return { X, Q, period, up: 1 };
  const e = Math.max(-1020, Math.floor(Math.log2(a))); // 2^1020 still finite: subnormal data are only brought up to normal
  const down = 2 ** -e;
  return {
    X: scaled(X, down),
    Q: Q ? scaled(Q, down) : null,
    period: period ? period.map((p) => p * down) : null,
    up: metric === 'cosine' ? 1 : 2 ** e,
  };
}

/** Multiplies the distances back to the caller's units, in place (no-op when up = 1). */
export function rescaleDistances(d: Float64Array | null, up: number): void {
  if (d === null || up === 1) return;
  for (let i = 0; i < d.length; i++) d[i] *= up;
}
