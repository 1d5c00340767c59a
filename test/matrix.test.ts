import { describe, expect, it } from 'vitest';
import { Matrix, asMatrix, validateCoordinates } from '../lib/matrix';
import { DadalabError } from '../lib/errors';

describe('Matrix', () => {
  it('is a row-major view with no copy', () => {
    const buf = new Float32Array([1, 2, 3, 4, 5, 6]);
    const m = new Matrix(buf, 2, 3);
    expect(m.data).toBe(buf);
    expect(m.get(1, 2)).toBe(6);
    expect(Array.from(m.row(1))).toEqual([4, 5, 6]);
    expect(m.row(1).buffer).toBe(buf.buffer);
    expect(m.dtype).toBe('float32');
    expect(m.toFloat64().data).toBeInstanceOf(Float64Array);
    expect(Object.isFrozen(m)).toBe(true);
  });

  it('refuses a buffer of the wrong size and ragged rows, saying which', () => {
    expect(() => new Matrix(new Float64Array(5), 2, 3)).toThrow(/5 values, but 2 x 3 needs 6/);
    expect(() => Matrix.fromRows([[1, 2], [3]])).toThrow(/Row 1 has 1 values but row 0 has 2/);
  });

  it('selects rows and columns in the given order', () => {
    const m = Matrix.fromRows([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(m.selectRows([2, 0]).toRows()).toEqual([[7, 8, 9], [1, 2, 3]]);
    expect(m.selectColumns([2, 0]).toRows()).toEqual([[3, 1], [6, 4], [9, 7]]);
    expect(() => m.selectColumns([3])).toThrow(/Column 3 does not exist/);
  });

  it('asMatrix takes a Matrix, rows, or a loader result', () => {
    const m = Matrix.fromRows([[1, 2], [3, 4]]);
    expect(asMatrix(m)).toBe(m);
    expect(asMatrix({ X: m })).toBe(m);
    expect(asMatrix([[1, 2], [3, 4]]).toRows()).toEqual([[1, 2], [3, 4]]);
  });
});

describe('validateCoordinates', () => {
  it('names the rows holding NaN or Inf', () => {
    const m = Matrix.fromRows([[0, 0], [NaN, 1], [2, 2], [3, Infinity]]);
    let e: unknown = null;
    try { validateCoordinates(m); } catch (err) { e = err; }
    // the assertions run outside the try: a missing throw cannot be caught and misread
    expect(e).toBeInstanceOf(DadalabError);
    expect((e as Error).message).toMatch(/NaN or Inf in 2 rows \(rows 1, 3\)/);
    expect((e as DadalabError).fix).toMatch(/Remove or impute/);
  });
  it('refuses D = 0 and N < 2', () => {
    expect(() => validateCoordinates(new Matrix(new Float64Array(0), 5, 0))).toThrow(/0 features \(D = 0\)/);
    expect(() => validateCoordinates(Matrix.fromRows([[1, 2]]))).toThrow(/1 point, fewer than the 2 needed/);
  });
});
