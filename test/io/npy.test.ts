import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DadalabError } from '../../lib/errors';
import { loadNpy, loadNpyVector, parseNpy } from '../../lib/io/npy';
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
