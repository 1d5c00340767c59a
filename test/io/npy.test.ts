import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DadalabError } from '../../lib/errors';
import { loadNpy, loadNpyInto, loadNpyVector, parseNpy } from '../../lib/io/npy';
import { loadNpz } from '../../lib/io/npz';
import { loadData } from '../../lib/io/load';
import { errorOf, expectValues, fixture, tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A .npy file (format 1.0) with the given header dict and raw little-endian body. */
function npy(dict: string, body: Uint8Array): Buffer {
  let header = dict;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(body)]);
}

describe('.npy', () => {
  it('maps float32 C-order arrays written by numpy without a copy', () => {
    const X = loadNpy(fixture('f32_c.npy'));
    expect(X.dtype).toBe('float32');
    expectValues(X.data, 7, 3);
    const file = readFileSync(fixture('f32_c.npy'));
    expect(Buffer.from(X.data.buffer, X.data.byteOffset, X.data.byteLength).equals(file.subarray(file.length - 84))).toBe(true);
  });

  it('copies data that sit at an unaligned offset of a Node Buffer (Buffer.slice is a view, not a copy)', () => {
    const file = readFileSync(fixture('f64_fortran.npy'));
    const big = Buffer.alloc(file.length + 3);
    file.copy(big, 3);
    const a = parseNpy(big.subarray(3));
    expect(a.data).toBeInstanceOf(Float64Array);
    expectValues(a.data as Float64Array, 7, 3);
  });

  it('transposes Fortran order, converts int64', () => {
    const F = loadNpy(fixture('f64_fortran.npy'));
    expect(F.dtype).toBe('float64');
    expectValues(F.data, 7, 3);
    expect(loadNpy(fixture('i64.npy')).toRows()).toEqual(Array.from({ length: 7 }, (_, i) => [0, 1, 2].map((j) => 3 * i + j - 5)));
  });

  it('reads 1-D label vectors: ints and numpy unicode strings', () => {
    const l = loadNpyVector(fixture('labels_i8.npy'));
    expect(l).toBeInstanceOf(Int32Array);
    expect(Array.from(l as Int32Array)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(loadNpyVector(fixture('labels_str.npy'))).toEqual(['a', 'bb', 'ccc', 'a', 'bb', 'ccc', 'a']);
    expect(errorOf(() => loadNpyVector(fixture('f32_c.npy'))).problem).toMatch(/shape \(7, 3\), not a vector/);
  });

  it('refuses Fortran-order arrays of more than 2 dimensions, object arrays and big-endian data clearly', () => {
    const p = tmp.file('f3.npy');
    writeFileSync(p, npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2, 2), }", new Uint8Array(64)));
    const e = errorOf(() => loadNpy(p));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/3-D array in Fortran order/);
    expect(e.fix).toMatch(/ascontiguousarray/);
    expect(errorOf(() => parseNpy(npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(16)))).problem).toMatch(/Python objects/);
    expect(errorOf(() => parseNpy(npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(16)))).fix).toMatch(/little-endian/);
  });

  it('reports a missing file and an empty one', () => {
    const m = errorOf(() => loadNpy('nope.npy'));
    expect(m.problem).toContain(process.cwd());
    const p = tmp.file('empty.npy');
    writeFileSync(p, '');
    expect(errorOf(() => loadNpy(p)).problem).toMatch(/empty/);
    expect(statSync(p).size).toBe(0);
  });
});

describe('.npz', () => {
  it('reads np.savez (stored) and np.savez_compressed (deflated) archives', () => {
    const a = loadNpz(fixture('arrays.npz'));
    expect(Object.keys(a).sort()).toEqual(['X', 'y']);
    expect(a.X.shape).toEqual([30, 4]);
    expectValues(a.X.data as Float64Array, 30, 4);
    const c = loadNpz(fixture('arrays_c.npz'));
    expect(Object.keys(c).sort()).toEqual(['arr_0', 'arr_1']);
    expect(c.arr_0.data).toBeInstanceOf(Float32Array);
    expectValues(c.arr_0.data as Float32Array, 30, 4);
  });

  it('loadData picks the coordinates and a label array by name', () => {
    const d = loadData(fixture('arrays.npz'), { labels: 'y' });
    expectValues(d.X.data, 30, 4);
    expect(Array.from(d.labels as Int32Array)).toEqual(Array.from({ length: 30 }, (_, i) => i % 3));
    const c = loadData(fixture('arrays_c.npz'), { array: 'arr_0', labels: 'arr_1' });
    expect(c.X.dtype).toBe('float32');
    expect((c.labels as string[]).slice(0, 3)).toEqual(['a', 'b', 'a']);
    const e = errorOf(() => loadData(fixture('arrays.npz'), { labels: 'labels' }));
    expect(e).toBeInstanceOf(DadalabError);
    expect(e.problem).toMatch(/label array 'labels' does not exist .* 'X', 'y'/);
    expect(errorOf(() => loadData(fixture('arrays.npz'), { array: 'Z' })).problem).toMatch(/no array 'Z'; it holds 'X \(30 x 4\)'/);
    expect(errorOf(() => loadNpz(fixture('f32_c.npy'))).problem).toMatch(/not a readable \.npz archive/);
  });
});

describe('loadNpyInto', () => {
  it('reads a plain float32 / float64 C-order 2-D file into the given buffer, recording the file as loadNpy does; null for anything else', async () => {
    const { clearFilesRead, filesRead } = await import('../../lib/runtime/provenance');
    const { createHash } = await import('node:crypto');
    const f32 = Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 2);
    const f64 = Float64Array.from({ length: 12 }, (_, i) => i / 3);
    const put = (name: string, bytes: Uint8Array): string => { const f = tmp.file(name); writeFileSync(f, bytes); return f; };
    const p32 = put('into32.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }", new Uint8Array(f32.buffer)));
    const p64 = put('into64.npy', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", new Uint8Array(f64.buffer)));
    const pF = put('intoF.npy', npy("{'descr': '<f4', 'fortran_order': True, 'shape': (4, 3), }", new Uint8Array(f32.buffer)));
    clearFilesRead();
    const into = new Float32Array(12).fill(NaN);
    const X = loadNpyInto(p32, into)!;
    expect(X.data).toBe(into);
    expect([X.rows, X.cols]).toEqual([4, 3]);
    expect(Array.from(X.data)).toEqual(Array.from(f32));
    expect(filesRead().map((r) => r.sha256)).toEqual([createHash('sha256').update(readFileSync(p32)).digest('hex')]);
    const into64 = new Float64Array(12);
    expect(Array.from(loadNpyInto(p64, into64)!.data)).toEqual(Array.from(loadNpy(p64).data));
    // another type, another length, Fortran order, not a .npy: null (loadNpy reads those)
    expect(loadNpyInto(p64, new Float32Array(12))).toBeNull();
    expect(loadNpyInto(p32, new Float32Array(11))).toBeNull();
    expect(loadNpyInto(pF, new Float32Array(12))).toBeNull();
    expect(loadNpyInto(put('not.npy', Buffer.from('hello, world')), new Float32Array(12))).toBeNull();
  });
});
