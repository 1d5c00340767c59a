/**
 * Damaged .npy headers get an InputError saying what is wrong, not a raw RangeError: a negative
 * or non-numeric shape, a header length pointing past the end of the file, a shape whose byte
 * count overflows, an unknown format version.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../lib/errors';
import { loadNpy, parseNpy } from '../../lib/io/npy';
import { loadData } from '../../lib/io/load';
import { tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A version-1.0 .npy file with the given header dict and data bytes. */
function npy(shape: string, data = new Uint8Array(0), descr = '<f8'): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = dict + ' '.repeat(total - 10 - dict.length - 1) + '\n';
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(data, total);
  return out;
}

function refused(f: () => unknown, pattern: RegExp): void {
  let err: unknown = null;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(InputError);
  expect(err).not.toBeInstanceOf(RangeError);
  expect((err as Error).message).toMatch(pattern);
}

describe('damaged .npy headers', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['a negative shape', npy('(-3, 2)', new Uint8Array(48)), /invalid \.npy shape \(-3, 2\)/],
    ['a non-numeric shape', npy('(abc, 2)', new Uint8Array(48)), /invalid \.npy shape \(abc, 2\)/],
    ['a fractional shape', npy('(2.5, 2)', new Uint8Array(48)), /invalid \.npy shape/],
    ['a shape whose bytes overflow', npy('(100000000000000, 100000000000)'), /truncated/],
    ['a header length past the end', (() => { const b = npy('(2, 2)', new Uint8Array(32)); new DataView(b.buffer).setUint16(8, 60000, true); return b; })(), /header length is 60000 bytes but only \d+ bytes follow/],
    ['format version 9', (() => { const b = npy('(2, 2)', new Uint8Array(32)); b[6] = 9; return b; })(), /format version 9\.0/],
    ['a cut preamble', npy('(2, 2)').subarray(0, 11).map((v, i) => (i === 6 ? 2 : v)), /truncated inside its \.npy preamble|header length/],
  ];
  for (const [name, bytes, pattern] of cases) {
    it(`refuses ${name}, from bytes and from a file (loadNpy and loadData)`, () => {
      refused(() => parseNpy(bytes), pattern);
      const f = tmp.file(`${name.replace(/\W+/g, '_')}.npy`);
      writeFileSync(f, bytes);
      refused(() => loadNpy(f), pattern);
      refused(() => loadData(f), pattern);
    });
  }

  it('a valid file still loads', () => {
    const data = new Uint8Array(new Float64Array([1, 2, 3, 4, 5, 6]).buffer);
    const a = parseNpy(npy('(3, 2)', data));
    expect(a.shape).toEqual([3, 2]);
    expect(Array.from(a.data as Float64Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
