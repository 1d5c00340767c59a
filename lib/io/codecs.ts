import { CompressionType, compressionRegistry } from 'apache-arrow';
import * as lz4 from 'lz4js';
import { decompress as zstdDecompress } from 'fzstd';

/*
 * Compression codecs for Arrow IPC record batches (apache-arrow 21's compressionRegistry).
 *
 * How apache-arrow 21 calls them (ipc/reader.js `_decompressBuffers`): for every body buffer it
 * reads the 8-byte little-endian uncompressed length that the IPC spec puts in front of each
 * compressed buffer, strips it, and calls `decode(bytes)` with the rest, unless the length is -1
 * (buffer stored uncompressed). The decoded Uint8Array is then viewed as the column's typed array
 * directly, so it must start at a byte offset that is a multiple of 8 (fzstd can return a
 * subarray at offset 12: we copy in that case). `encode(bytes)` must return one complete frame
 * (the writer adds the length prefix itself).
 *
 * LZ4: the IPC spec's LZ4_FRAME is the LZ4 *frame* format (magic 04 22 4D 18), as pyarrow's C++
 * codec writes it: FLG 0x60 (version 1, independent blocks, no checksums, no content size),
 * 64 KB blocks. lz4js's own frame reader mis-sizes its output buffer (it allocates one maximum
 * block size per block, and reads the optional content size with 32-bit shifts) and copies byte
 * by byte without bounds checks, so the decoder here is our own (frame parsing + a block decoder
 * with bulk copies for long literals and matches; on float data, where sequences are short, it
 * runs at lz4js's speed, ~150 MB/s here); lz4js is used to encode. We handle content size, dictionary id, block and
 * content checksums (skipped, not verified), uncompressed blocks, linked blocks and several
 * concatenated frames, and refuse corrupt blocks (offsets outside the output, runs past the block).
 */

const LZ4_MAGIC = 0x184d2204;
const BLOCK_SIZES: Record<number, number> = { 4: 0x10000, 5: 0x40000, 6: 0x100000, 7: 0x400000 };

function u32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

interface FrameInfo { headerEnd: number; blockSum: boolean; contentSum: boolean; contentSize: number | null; maxBlock: number }

function frameHeader(src: Uint8Array, at: number): FrameInfo {
  if (src.length < at + 7 || u32(src, at) !== LZ4_MAGIC) throw new Error(`not an LZ4 frame (bad magic at byte ${at})`);
  const flg = src[at + 4];
  if ((flg & 0xc0) !== 0x40) throw new Error(`unsupported LZ4 frame version ${(flg & 0xc0) >> 6}`);
  const bd = src[at + 5];
  const maxBlock = BLOCK_SIZES[(bd >> 4) & 7];
  if (maxBlock === undefined) throw new Error(`invalid LZ4 block size code ${(bd >> 4) & 7}`);
  let i = at + 6;
  let contentSize: number | null = null;
  if (flg & 0x08) { contentSize = u32(src, i) + u32(src, i + 4) * 0x100000000; i += 8; }
  if (flg & 0x01) i += 4; // dictionary id
  i += 1; // header checksum
  return { headerEnd: i, blockSum: (flg & 0x10) !== 0, contentSum: (flg & 0x04) !== 0, contentSize, maxBlock };
}

/** Upper bound of the decoded size of all frames in src (exact when they carry a content size). */
function lz4Bound(src: Uint8Array): number {
  let at = 0, total = 0;
  while (at < src.length) {
    const h = frameHeader(src, at);
    let i = h.headerEnd, size = 0;
    for (;;) {
      const word = u32(src, i); i += 4;
      if (word === 0) break;
      const len = word & 0x7fffffff;
      size += (word & 0x80000000) ? len : h.maxBlock;
      i += len + (h.blockSum ? 4 : 0);
    }
    if (h.contentSum) i += 4;
    total += h.contentSize ?? size;
    at = i;
  }
  return total;
}

class Overflow extends Error {}

/**
 * Decodes one LZ4 block (src[i..end)) into dst at d, returning the new end of the output. Literals
 * and non-overlapping matches are bulk copies (set / copyWithin); overlapping matches (offset <
 * length, i.e. runs) go byte by byte. Throws Overflow if dst is too small, Error on corrupt input.
 */
function decodeBlock(src: Uint8Array, i: number, end: number, dst: Uint8Array, d: number): number {
  const cap = dst.length;
  while (i < end) {
    const token = src[i++];
    let lit = token >>> 4;
    if (lit === 15) { let b; do { b = src[i++]; lit += b; } while (b === 255 && i < end); }
    if (lit > 0) {
      if (i + lit > end) throw new Error('corrupt LZ4 block (literals run past the block)');
      if (d + lit > cap) throw new Overflow();
      if (lit < 32) { for (let k = 0; k < lit; k++) dst[d + k] = src[i + k]; } else dst.set(src.subarray(i, i + lit), d);
      i += lit; d += lit;
    }
    if (i >= end) break; // the last sequence has literals only
    const off = src[i] | (src[i + 1] << 8);
    i += 2;
    let len = token & 15;
    if (len === 15) { let b; do { b = src[i++]; len += b; } while (b === 255 && i < end); }
    len += 4;
    if (off === 0 || off > d) throw new Error('corrupt LZ4 block (match offset outside the output)');
    if (d + len > cap) throw new Overflow();
    let m = d - off;
    if (off >= len && len >= 32) { dst.copyWithin(d, m, m + len); d += len; } else { for (let k = 0; k < len; k++) dst[d++] = dst[m++]; }
  }
  return d;
}

function lz4DecodeInto(src: Uint8Array, dst: Uint8Array): number {
  let at = 0, d = 0;
  while (at < src.length) {
    const h = frameHeader(src, at);
    let i = h.headerEnd;
    for (;;) {
      if (i + 4 > src.length) throw new Error('truncated LZ4 frame');
      const word = u32(src, i); i += 4;
      if (word === 0) break;
      const len = word & 0x7fffffff;
      if (i + len > src.length) throw new Error('truncated LZ4 block');
      if (word & 0x80000000) {
        if (d + len > dst.length) throw new Overflow();
        dst.set(src.subarray(i, i + len), d);
        d += len;
      } else {
        d = decodeBlock(src, i, i + len, dst, d);
      }
      i += len + (h.blockSum ? 4 : 0);
    }
    if (h.contentSum) i += 4;
    at = i;
  }
  return d;
}

/** The uncompressed length apache-arrow stripped off just before `src` (a hint, checked after decoding). */
function prefixHint(src: Uint8Array): number | null {
  if (src.byteOffset < 8) return null;
  const dv = new DataView(src.buffer, src.byteOffset - 8, 8);
  const lo = dv.getUint32(0, true), hi = dv.getInt32(4, true);
  if (hi !== 0 || lo === 0 || lo > 0x7fffffff) return null;
  return lo;
}

/** Decodes one or more LZ4 frames into a fresh, 8-byte aligned Uint8Array. */
export function lz4FrameDecode(src: Uint8Array): Uint8Array {
  const hint = prefixHint(src);
  let dst = new Uint8Array(hint ?? lz4Bound(src));
  let n: number;
  try {
    n = lz4DecodeInto(src, dst);
  } catch (e) {
    if (!(e instanceof Overflow)) throw e;
    // the hint was wrong (or the content size): size from the block headers and decode again
    dst = new Uint8Array(lz4Bound(src) + 0);
    try {
      n = lz4DecodeInto(src, dst);
    } catch (e2) {
      if (e2 instanceof Overflow) throw new Error('corrupt LZ4 frame: blocks decode to more than the frame declares');
      throw e2;
    }
  }
  return n === dst.length ? dst : dst.subarray(0, n);
}

/** Encodes bytes as one LZ4 frame (lz4js: version 1, 4 MB linked blocks, no checksums). */
export function lz4FrameEncode(src: Uint8Array): Uint8Array {
  return Uint8Array.from(lz4.compress(src) as ArrayLike<number>);
}

/** Decodes zstd frames (fzstd), copied to an 8-byte aligned buffer when fzstd returns an unaligned view. */
export function zstdDecode(src: Uint8Array): Uint8Array {
  const out = zstdDecompress(src);
  return out.byteOffset % 8 === 0 ? out : out.slice();
}

let registered = false;

/**
 * Registers dadalab's LZ4_FRAME (lz4js, decode + encode) and ZSTD (fzstd, decode only) codecs with
 * apache-arrow. Runs once, when the io module loads; call it again with `force` if something
 * replaced or removed them. Codecs already registered by the user are kept unless `force`.
 */
export function registerArrowCodecs(force = false): void {
  if (registered && !force) return;
  registered = true;
  if (force || !compressionRegistry.get(CompressionType.LZ4_FRAME)) {
    compressionRegistry.set(CompressionType.LZ4_FRAME, { encode: lz4FrameEncode, decode: lz4FrameDecode });
  }
  if (force || !compressionRegistry.get(CompressionType.ZSTD)) {
    compressionRegistry.set(CompressionType.ZSTD, { decode: zstdDecode });
  }
}
