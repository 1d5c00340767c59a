import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../errors';
import { Matrix } from '../matrix';
import { recordFileReadParts } from '../runtime/provenance';
import { readInput } from './files';
import { toLabels, type Labels } from './types';

export interface NpyArray {
  /** The values: float arrays as they are stored (views where alignment allows), integers as Float64Array. */
  data: Float64Array | Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Uint32Array | BigUint64Array | string[];
  shape: number[];
  dtype: string;
  fortranOrder: boolean;
}

const DTYPES: Record<string, { bytes: number; ctor: any }> = {
  f8: { bytes: 8, ctor: Float64Array }, f4: { bytes: 4, ctor: Float32Array },
  i8: { bytes: 8, ctor: BigInt64Array }, i4: { bytes: 4, ctor: Int32Array }, i2: { bytes: 2, ctor: Int16Array }, i1: { bytes: 1, ctor: Int8Array },
  u8: { bytes: 8, ctor: BigUint64Array }, u4: { bytes: 4, ctor: Uint32Array }, u2: { bytes: 2, ctor: Uint16Array }, u1: { bytes: 1, ctor: Uint8Array },
  b1: { bytes: 1, ctor: Uint8Array },
};

/** Parses a NumPy .npy file (format 1.0-3.0, little-endian numeric dtypes, C or Fortran order). */
export function parseNpy(buf: Uint8Array, source = 'the .npy data'): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (buf.length < 10 || magic.some((b, i) => buf[i] !== b)) {
    throw new InputError(`${source} is not a NumPy .npy file (no \\x93NUMPY magic)`, 'Save arrays with numpy.save, or use loadCsv/loadArrow for other formats');
  }
  const major = buf[6];
  if (major < 1 || major > 3) {
    throw new InputError(`${source} has .npy format version ${major}.${buf[7]}, which dadalab does not read (1.0 to 3.0)`, 'Re-save it with numpy.save');
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  if (buf.length < headerStart) throw new InputError(`${source} is truncated inside its .npy preamble (${buf.length} bytes)`, 'Re-save or re-copy the file');
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (headerStart + headerLen > buf.length) {
    throw new InputError(`${source} is damaged or truncated: its .npy header length is ${headerLen} bytes but only ${buf.length - headerStart} bytes follow the preamble`,
      'Re-save or re-copy the file');
  }
  const header = Buffer.from(buf.buffer, buf.byteOffset + headerStart, headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1] === 'True';
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeStr === undefined) {
    throw new InputError(`${source} has an unreadable .npy header: ${header.trim()}`, 'Re-save it with numpy.save');
  }
  const dims = shapeStr.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const shape = dims.map((t) => (/^\d+L?$/.test(t) ? Number(t.replace('L', '')) : NaN));
  if (shape.some((v) => !Number.isSafeInteger(v))) {
    throw new InputError(`${source} has an invalid .npy shape (${shapeStr}): each dimension must be a whole number >= 0`,
      'The file is damaged or was not written by numpy.save: re-save it');
  }
  const endian = descr[0];
  const code = descr.slice(1);
  if (code === 'O') {
    throw new InputError(`${source} holds Python objects (dtype 'O'), which are pickled, not stored as numbers`,
      "Convert it first: np.save(path, X.astype('f8')) for numbers, X.astype('U') for text labels");
  }
  const spec = DTYPES[code];
  if (/^U\d+$/.test(code) && endian !== '>') return parseUnicode(buf, header, headerStart + headerLen, Number(code.slice(1)), descr, fortran, source);
  if (!spec || endian === '>') {
    throw new InputError(`${source} has dtype '${descr}', which dadalab does not read`,
      "Convert it to little-endian float64, float32 or an integer type first (e.g. X.astype('<f8'))");
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = headerStart + headerLen;
  const byteLen = count * spec.bytes;
  if (!Number.isSafeInteger(byteLen) || buf.length - offset < byteLen) {
    throw new InputError(`${source} is truncated: its header promises ${count} values (${byteLen} bytes) but ${buf.length - offset} bytes follow`,
      'Re-save or re-copy the file');
  }
  const abs = buf.byteOffset + offset;
  let data;
  if (abs % spec.bytes === 0) data = new spec.ctor(buf.buffer, abs, count);
  else data = new spec.ctor(new Uint8Array(buf.subarray(offset, offset + byteLen)).buffer, 0, count); // copy (Buffer.slice would be a view)
  if (fortran && shape.length > 2) {
    throw new InputError(`${source} is a ${shape.length}-D array in Fortran order, which dadalab does not transpose`,
      'Save it in C order: np.save(path, np.ascontiguousarray(X)) (and reshape it to 2-D: N points x D features)');
  }
  if (fortran && shape.length === 2) {
    // transpose to row-major
    const [r, c] = shape;
    const out = new spec.ctor(count);
    for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) out[i * c + j] = data[j * r + i];
    data = out;
  }
  return { data, shape, dtype: descr, fortranOrder: fortran };
}

/**
 * Reads a 2-D .npy file (1-D gives one column) as a Matrix: float64 and float32 in C order are
 * views of the file's bytes (no copy), Fortran order is transposed, integers and booleans become
 * float64. `.npy.gz` files are gunzipped first.
 */
export function loadNpy(path: string): Matrix {
  const buf = readInput(path, { gunzip: true });
  return npyToMatrix(parseNpy(buf, path), path);
}

/**
 * A plain 2-D float32 / float64 .npy file (little-endian, C order, not gzipped) of exactly
 * `into.length` values of into's type, read straight into `into` (a buffer the caller no longer
 * needs: fresh memory costs a page fault per 4 KiB on first touch). Null, with nothing recorded,
 * when the file is anything else: loadNpy then reads it (and says what is wrong with it).
 */
export function loadNpyInto(path: string, into: Float32Array | Float64Array): Matrix | null {
  if (/\.gz$/i.test(path)) return null;
  const abs = resolve(path);
  let fd: number;
  try {
    fd = openSync(abs, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const pre = new Uint8Array(Math.min(size, 12));
    if (readSync(fd, pre, 0, pre.length, 0) !== pre.length || pre.length < 10) return null;
    if (pre[0] !== 0x93 || pre[1] !== 0x4e || pre[2] !== 0x55 || pre[3] !== 0x4d || pre[4] !== 0x50 || pre[5] !== 0x59) return null;
    const major = pre[6];
    if (major < 1 || major > 3 || (major > 1 && pre.length < 12)) return null;
    const dv = new DataView(pre.buffer);
    const headerStart = major === 1 ? 10 : 12;
    const offset = headerStart + (major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true));
    if (offset > size || offset > 1 << 20) return null;
    const head = new Uint8Array(offset);
    if (readSync(fd, head, 0, offset, 0) !== offset) return null;
    const header = Buffer.from(head.buffer, headerStart, offset - headerStart).toString('latin1');
    const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
    const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
    const dims = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((t) => t.trim()).filter((t) => t.length > 0);
    const want = into instanceof Float32Array ? ['<f4', '=f4'] : ['<f8', '=f8'];
    if (!descr || !want.includes(descr) || fortran !== 'False' || dims.length !== 2 || !dims.every((t) => /^\d+$/.test(t))) return null;
    const rows = Number(dims[0]), cols = Number(dims[1]);
    const bytes = into.byteLength;
    if (rows * cols !== into.length || size !== offset + bytes) return null;
    const dst = new Uint8Array(into.buffer, into.byteOffset, bytes);
    for (let done = 0; done < bytes;) {
      const n = readSync(fd, dst, done, Math.min(bytes - done, 2 ** 30), offset + done);
      if (n <= 0) return null;
      done += n;
    }
    recordFileReadParts(abs, [head, dst]);
    return new Matrix(into, rows, cols);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a 1-D .npy array (labels, a density, a vector of weights): integers that fit in 32 bits
 * as Int32Array, other numbers as Float64Array, text (dtype '<U..') as strings. An N x 1 or
 * 1 x N array is accepted too.
 */
export function loadNpyVector(path: string): Labels {
  const buf = readInput(path, { gunzip: true });
  const a = parseNpy(buf, path);
  const len = a.shape.reduce((x, y) => x * y, 1);
  if (a.shape.length > 2 || (a.shape.length === 2 && a.shape[0] !== 1 && a.shape[1] !== 1)) {
    throw new InputError(`${path} has shape (${a.shape.join(', ')}), not a vector`,
      'Pass a 1-D array (one value per point); for coordinates use loadNpy');
  }
  if (Array.isArray(a.data)) return a.data as string[];
  if (a.data instanceof Float64Array || a.data instanceof Float32Array) {
    return toLabels(a.data);
  }
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) out[i] = Number((a.data as ArrayLike<number | bigint>)[i]);
  return toLabels(out);
}

function parseUnicode(buf: Uint8Array, header: string, offset: number, width: number, descr: string, fortran: boolean, source: string): NpyArray {
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  const dims = shapeStr.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const shape = dims.map((t) => (/^\d+L?$/.test(t) ? Number(t.replace('L', '')) : NaN));
  if (shape.some((v) => !Number.isSafeInteger(v))) {
    throw new InputError(`${source} has an invalid .npy shape (${shapeStr}): each dimension must be a whole number >= 0`,
      'The file is damaged or was not written by numpy.save: re-save it');
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (buf.length - offset < count * width * 4) {
    throw new InputError(`${source} is truncated`, 'Re-save or re-copy the file');
  }
  const dv = new DataView(buf.buffer, buf.byteOffset + offset, count * width * 4);
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    let s = '';
    for (let k = 0; k < width; k++) {
      const cp = dv.getUint32((i * width + k) * 4, true);
      if (cp === 0) break;
      s += String.fromCodePoint(cp);
    }
    out[i] = s;
  }
  return { data: out, shape, dtype: descr, fortranOrder: fortran };
}

/** A parsed .npy array as a Matrix (2-D, or 1-D as one column); float arrays are not copied. */
export function npyToMatrix(a: NpyArray, source = 'the array'): Matrix {
  if (Array.isArray(a.data)) {
    throw new InputError(`${source} holds text (dtype '${a.dtype}'), not coordinates`, 'Load text labels with loadNpyVector, coordinates from a numeric array');
  }
  if (a.shape.length !== 2 && a.shape.length !== 1) {
    throw new InputError(`${source} has ${a.shape.length} dimensions (shape ${a.shape.join(' x ')})`,
      'Pass a 2-D array of N points x D features (reshape it first)');
  }
  const [rows, cols] = a.shape.length === 2 ? a.shape : [a.shape[0], 1];
  if (a.data instanceof Float64Array || a.data instanceof Float32Array) return new Matrix(a.data, rows, cols);
  const out = new Float64Array(rows * cols);
  const src = a.data as ArrayLike<number | bigint>;
  for (let i = 0; i < out.length; i++) out[i] = Number(src[i]);
  return new Matrix(out, rows, cols);
}
