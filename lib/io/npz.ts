import { inflateRawSync } from 'node:zlib';
import { InputError } from '../errors';
import { readInput } from './files';
import { parseNpy, type NpyArray } from './npy';

/*
 * NumPy .npz archives (np.savez, np.savez_compressed): a ZIP file of .npy members. We read the
 * central directory (with ZIP64 sizes and offsets, which numpy writes for members over 4 GB),
 * take stored members as views and inflate deflated ones with zlib.
 */

const u16 = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u32 = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const u64 = (b: Uint8Array, i: number) => u32(b, i) + u32(b, i + 4) * 0x100000000;

/** The members of an .npz archive by name (without the .npy suffix), parsed. */
export function parseNpz(buf: Uint8Array, source = 'the .npz data'): Readonly<Record<string, NpyArray>> {
  const bad = (why: string) => new InputError(`${source} is not a readable .npz archive (${why})`,
    'Save arrays with np.savez / np.savez_compressed, or load a single array with loadNpy');
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (u32(buf, i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw bad('no ZIP end-of-directory record');
  let count = u16(buf, eocd + 10);
  let dir = u32(buf, eocd + 16);
  if ((dir === 0xffffffff || count === 0xffff) && eocd >= 20 && u32(buf, eocd - 20) === 0x07064b50) {
    const z = u64(buf, eocd - 12); // ZIP64 end-of-directory record
    if (u32(buf, z) !== 0x06064b50) throw bad('broken ZIP64 record');
    count = u64(buf, z + 32);
    dir = u64(buf, z + 48);
  }
  const out: Record<string, NpyArray> = {};
  let p = dir;
  for (let k = 0; k < count; k++) {
    if (u32(buf, p) !== 0x02014b50) throw bad(`central directory entry ${k} is damaged`);
    const method = u16(buf, p + 10);
    let csize = u32(buf, p + 20), usize = u32(buf, p + 24);
    const nlen = u16(buf, p + 28), xlen = u16(buf, p + 30), clen = u16(buf, p + 32);
    let local = u32(buf, p + 42);
    const name = Buffer.from(buf.buffer, buf.byteOffset + p + 46, nlen).toString('utf8');
    // ZIP64 extra field: the 0xffffffff fields, in the order usize, csize, offset
    for (let e = p + 46 + nlen; e < p + 46 + nlen + xlen;) {
      const id = u16(buf, e), len = u16(buf, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (usize === 0xffffffff) { usize = u64(buf, q); q += 8; }
        if (csize === 0xffffffff) { csize = u64(buf, q); q += 8; }
        if (local === 0xffffffff) { local = u64(buf, q); q += 8; }
      }
      e += 4 + len;
    }
    p += 46 + nlen + xlen + clen;
    if (u32(buf, local) !== 0x04034b50) throw bad(`member ${name} is damaged`);
    const start = local + 30 + u16(buf, local + 26) + u16(buf, local + 28);
    const raw = buf.subarray(start, start + csize);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) data = inflateRawSync(raw);
    else throw bad(`member ${name} uses ZIP compression method ${method}; only stored and deflate are read`);
    if (data.length !== usize) throw bad(`member ${name} holds ${data.length} bytes, the directory says ${usize}`);
    out[name.replace(/\.npy$/, '')] = parseNpy(data, `${source}:${name}`);
  }
  return Object.freeze(out);
}

/** Reads an .npz archive (np.savez / np.savez_compressed): its arrays by name (`arr_0`, ... for unnamed ones). */
export function loadNpz(path: string): Readonly<Record<string, NpyArray>> {
  return parseNpz(readInput(path), path);
}
