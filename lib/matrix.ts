import { listSome, InputError } from './errors';

export type FloatArray = Float64Array | Float32Array;

/**
 * A dense row-major matrix view over a Float64Array or Float32Array (ml-matrix's typed-array
 * view pattern, without its copies). Element (i, j) is `data[offset + i * cols + j]`; `data`
 * may be a view into a larger buffer (an Arrow file, an .npy file), so nothing is copied.
 */
export class Matrix<T extends FloatArray = FloatArray> {
  readonly data: T;
  readonly rows: number;
  readonly cols: number;

  constructor(data: T, rows: number, cols: number) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new InputError(`Matrix shape ${rows} x ${cols} is not a pair of non-negative integers`,
        'Pass whole-number rows and cols');
    }
    if (data.length !== rows * cols) {
      throw new InputError(`Matrix buffer has ${data.length} values, but ${rows} x ${cols} needs ${rows * cols}`,
        'Pass a row-major buffer of exactly rows * cols values');
    }
    this.data = data;
    this.rows = rows;
    this.cols = cols;
    Object.freeze(this);
  }

  /** Builds a float64 matrix from an array of rows; refuses ragged input. */
  static fromRows(rows: ArrayLike<ArrayLike<number>>): Matrix<Float64Array> {
    const n = rows.length;
    if (n === 0) return new Matrix(new Float64Array(0), 0, 0);
    const d = rows[0].length;
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      if (r.length !== d) {
        throw new InputError(`Row ${i} has ${r.length} values but row 0 has ${d}`,
          'Give every row the same number of coordinates');
      }
      for (let j = 0; j < d; j++) out[i * d + j] = Number(r[j]);
    }
    return new Matrix(out, n, d);
  }

  /** Wraps a flat row-major array (copied into a Float64Array if it is not a typed float array). */
  static fromFlat(values: ArrayLike<number>, rows: number, cols: number): Matrix {
    const data = values instanceof Float64Array || values instanceof Float32Array ? values : Float64Array.from(values);
    return new Matrix(data, rows, cols);
  }

  get dtype(): 'float64' | 'float32' {
    return this.data instanceof Float32Array ? 'float32' : 'float64';
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  /** Row i as a view (no copy). */
  row(i: number): T {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols) as T;
  }

  /** A float64 matrix: this one if it already is, else a converted copy. */
  toFloat64(): Matrix<Float64Array> {
    if (this.data instanceof Float64Array) return this as unknown as Matrix<Float64Array>;
    return new Matrix(Float64Array.from(this.data), this.rows, this.cols);
  }

  /** A copy holding only the given columns, in the given order. */
  selectColumns(cols: ArrayLike<number>): Matrix<Float64Array> {
    const m = cols.length;
    for (let c = 0; c < m; c++) {
      if (!Number.isInteger(cols[c]) || cols[c] < 0 || cols[c] >= this.cols) {
        throw new InputError(`Column ${cols[c]} does not exist (the matrix has ${this.cols} columns)`,
          `Choose columns between 0 and ${this.cols - 1}`);
      }
    }
    const out = new Float64Array(this.rows * m);
    for (let i = 0; i < this.rows; i++) {
      const base = i * this.cols;
      for (let c = 0; c < m; c++) out[i * m + c] = this.data[base + cols[c]];
    }
    return new Matrix(out, this.rows, m);
  }

  /** A copy holding only the given rows, in the given order. */
  selectRows(rows: ArrayLike<number>): Matrix<T> {
    const m = rows.length;
    const Ctor = this.data.constructor as { new (n: number): T };
    const out = new Ctor(m * this.cols);
    for (let r = 0; r < m; r++) {
      const i = rows[r];
      if (!Number.isInteger(i) || i < 0 || i >= this.rows) {
        throw new InputError(`Row ${i} does not exist (the matrix has ${this.rows} rows)`,
          `Choose rows between 0 and ${this.rows - 1}`);
      }
      out.set(this.data.subarray(i * this.cols, (i + 1) * this.cols), r * this.cols);
    }
    return new Matrix(out, m, this.cols);
  }

  /** Rows as plain arrays (for small matrices and tests). */
  toRows(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }
}

/** Anything a user may hand us as coordinates: a Matrix, rows, or a loader's result ({ X }). */
export type MatrixLike = Matrix | ArrayLike<ArrayLike<number>> | { readonly X: Matrix };

/** Accepts a Matrix, an array of rows, or what loadData/loadArrow return (its `X`). */
export function asMatrix(x: MatrixLike): Matrix {
  if (x instanceof Matrix) return x;
  if (typeof x === 'string') {
    throw new InputError(`Coordinates must be a Matrix or an array of rows, got the string '${(x as string).slice(0, 60)}'`,
      `To read a file, load it first: new Data(loadData('${(x as string).slice(0, 60)}')) (loadData reads .arrow, .npy, .npz and .csv)`);
  }
  if (x && typeof x === 'object' && 'X' in x && (x as { X: unknown }).X instanceof Matrix) return (x as { X: Matrix }).X;
  if (x && typeof (x as ArrayLike<unknown>).length === 'number') return Matrix.fromRows(x as ArrayLike<ArrayLike<number>>);
  throw new InputError('Coordinates must be a Matrix or an array of rows',
    'Load data with loadArrow/loadNpy/loadCsv, or pass number[][]');
}

// The rows holding NaN or +-Inf: x * 0 is 0 (or -0) for a finite x and NaN otherwise, so a row's
// sum of x * 0 is NaN exactly when the row holds a non-finite value (four sums: no serial chain).
// One function per array type, so that each loop sees one element kind (80 MB in about 10 ms).
function nonFiniteRows32(d: Float32Array, rows: number, D: number): number[] {
  const bad: number[] = [];
  for (let i = 0; i < rows; i++) {
    const e = (i + 1) * D;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, t = i * D;
    for (; t + 4 <= e; t += 4) { a0 += d[t] * 0; a1 += d[t + 1] * 0; a2 += d[t + 2] * 0; a3 += d[t + 3] * 0; }
    for (; t < e; t++) a0 += d[t] * 0;
    if (a0 + a1 + a2 + a3 !== 0) bad.push(i);
  }
  return bad;
}
function nonFiniteRows64(d: Float64Array, rows: number, D: number): number[] {
  const bad: number[] = [];
  for (let i = 0; i < rows; i++) {
    const e = (i + 1) * D;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, t = i * D;
    for (; t + 4 <= e; t += 4) { a0 += d[t] * 0; a1 += d[t + 1] * 0; a2 += d[t + 2] * 0; a3 += d[t + 3] * 0; }
    for (; t < e; t++) a0 += d[t] * 0;
    if (a0 + a1 + a2 + a3 !== 0) bad.push(i);
  }
  return bad;
}

/**
 * Refuses matrices the geometry cannot use: no points, no features, or NaN/Inf (naming the rows).
 * `minRows` is the smallest N the caller can work with.
 */
export function validateCoordinates(m: Matrix, minRows = 2, what = 'The data'): void {
  if (m.rows === 0) {
    throw new InputError(`${what} have no points (N = 0: an empty array)`, `Pass at least ${minRows} point${minRows === 1 ? '' : 's'}, one row each`);
  }
  if (m.cols === 0) {
    throw new InputError(`${what} have 0 features (D = 0)`, 'Pass at least one coordinate per point');
  }
  if (m.rows < minRows) {
    throw new InputError(`${what} have ${m.rows} point${m.rows === 1 ? '' : 's'}, fewer than the ${minRows} needed`,
      `Pass at least ${minRows} points`);
  }
  const bad = m.data instanceof Float32Array ? nonFiniteRows32(m.data, m.rows, m.cols) : nonFiniteRows64(m.data as Float64Array, m.rows, m.cols);
  if (bad.length > 0) {
    throw new InputError(`NaN or Inf in ${bad.length} row${bad.length === 1 ? '' : 's'}${what === 'The data' ? '' : ` of ${what.replace(/^The /, 'the ')}`} (rows ${listSome(bad)})`,
      'Remove or impute those rows first; keep their indices if labels must stay aligned');
  }
}
