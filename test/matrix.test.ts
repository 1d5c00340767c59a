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
  it('finds every non-finite value wherever it sits in a row (float32 and float64, widths with and without a remainder of 4)', () => {
    for (const Ctor of [Float32Array, Float64Array]) {
      for (const D of [1, 3, 4, 7, 9]) {
        const N = 3 * D + 4;
        const data = new Ctor(N * D).map((_, x) => (x % 5) - 2.5);
        data[0] = -0;
        const want: number[] = [];
        for (let i = 0; i < N; i += 3) { // one bad value per third row, at every column in turn, NaN / +Inf / -Inf
          data[i * D + (i / 3) % D] = [NaN, Infinity, -Infinity][(i / 3) % 3];
          want.push(i);
        }
        let e: unknown = null;
        try { validateCoordinates(new Matrix(data, N, D)); } catch (err) { e = err; }
        expect(e).toBeInstanceOf(DadalabError);
        expect((e as DadalabError).problem).toContain(`NaN or Inf in ${want.length} rows`);
        expect((e as DadalabError).problem).toContain(`rows ${want.slice(0, 3).join(', ')}`);
        for (const i of want) data[i * D + (i / 3) % D] = 1e30; // finite again (in float32 too): accepted
        expect(() => validateCoordinates(new Matrix(data, N, D))).not.toThrow();
      }
    }
  });
  it('refuses D = 0 and N < 2', () => {
    expect(() => validateCoordinates(new Matrix(new Float64Array(0), 5, 0))).toThrow(/0 features \(D = 0\)/);
    expect(() => validateCoordinates(Matrix.fromRows([[1, 2]]))).toThrow(/1 point, fewer than the 2 needed/);
  });
});
