import * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DadalabError } from '../../lib/errors';
import { loadNeighborTable } from '../../lib/io/arrow';
import { errorOf, fixture } from './helpers';

// the 12 points on a line of fixtures/make_fixtures.py, k = 4 with self, ties by ascending index
const pts = [0, 1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 66];
function expected(k: number): { d: number[][]; i: number[][] } {
  const d: number[][] = [], ind: number[][] = [];
  for (let a = 0; a < pts.length; a++) {
    const order = pts.map((_, b) => b).sort((x, y) => Math.abs(pts[a] - pts[x]) - Math.abs(pts[a] - pts[y]) || x - y).slice(0, k);
    ind.push(order);
    d.push(order.map((b) => Math.abs(pts[a] - pts[b])));
  }
  return { d, i: ind };
}

describe('loadNeighborTable', () => {
  it('reads faiss-style tables written by pyarrow: FixedSizeList columns and one column per neighbour', () => {
    const e = expected(4);
    for (const f of ['knn_fsl.arrow', 'knn_columns.feather']) {
      const t = loadNeighborTable(fixture(f));
      expect(t.n).toBe(12);
      expect(t.maxk).toBe(3);
      expect(t.metric).toBe('precomputed');
      expect(Array.from(t.indices)).toEqual(e.i.flat());
      expect(Array.from(t.distances)).toEqual(e.d.flat());
    }
  });

  it('takes square roots of squared distances (faiss IndexFlatL2) and keeps the first maxk', () => {
    const e = expected(4);
    const sq = e.d.map((r) => r.map((x) => x * x));
    const t = new A.Table({
      distances: A.makeVector(A.makeData({ type: new A.FixedSizeList(4, new A.Field('item', new A.Float32(), false)), length: 12, nullCount: 0,
        child: A.makeData({ type: new A.Float32(), length: 48, nullCount: 0, data: Float32Array.from(sq.flat()) }) })),
      indices: A.makeVector(A.makeData({ type: new A.FixedSizeList(4, new A.Field('item', new A.Int64(), false)), length: 12, nullCount: 0,
        child: A.makeData({ type: new A.Int64(), length: 48, nullCount: 0, data: BigInt64Array.from(e.i.flat().map(BigInt)) }) })),
    });
    const tab = loadNeighborTable(A.tableToIPC(t), { squared: true, maxk: 2 });
    expect(tab.maxk).toBe(2);
    expect(Array.from(tab.distances)).toEqual(e.d.map((r) => r.slice(0, 3)).flat());
  });

  it('refuses files without distances/indices columns (listing the columns) and unsorted rows', () => {
    const e = errorOf(() => loadNeighborTable(fixture('pandas_plain.feather')));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/no 'distances' column .* 'x0', 'x1'/);
    const bad = new A.Table({ d0: A.makeVector(Float64Array.from([0, 0])), d1: A.makeVector(Float64Array.from([2, 1])),
      d2: A.makeVector(Float64Array.from([1, 3])), i0: A.makeVector(Int32Array.from([0, 1])), i1: A.makeVector(Int32Array.from([1, 0])),
      i2: A.makeVector(Int32Array.from([1, 0])) });
    const u = errorOf(() => loadNeighborTable(A.tableToIPC(bad), { distances: 'd', indices: 'i' }));
    expect(u.problem).toMatch(/not sorted/);
  });
});
