import * as lz4 from 'lz4js';
import { describe, expect, it } from 'vitest';
import { lz4FrameDecode, lz4FrameEncode } from '../../lib/io/codecs';

/** Pseudo-random but compressible bytes: runs of a few symbols. */
function sample(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = (s >>> 24) % 4 === 0 ? (s >>> 16) & 0xff : out[Math.max(0, i - 1 - ((s >>> 8) % 64))];
  }
  return out;
}

/**
 * An LZ4 frame as the reference C library can write it (the flags lz4js never writes): version 1,
 * independent 64 KB blocks, block checksums, content size and content checksum. Checksums are
 * dummy bytes: the decoder skips them (it does not verify them). Blocks that do not shrink are
 * stored uncompressed (high bit of the size word), as LZ4F does.
 */
function referenceFrame(src: Uint8Array): Uint8Array {
  const parts: number[] = [0x04, 0x22, 0x4d, 0x18, 0x40 | 0x20 | 0x10 | 0x08 | 0x04, 0x40];
  for (let k = 0; k < 8; k++) parts.push(k < 4 ? (src.length >>> (8 * k)) & 0xff : 0);
  parts.push(0xaa); // header checksum
  const block = 0x10000;
  for (let i = 0; i < src.length; i += block) {
    const chunk = src.subarray(i, Math.min(src.length, i + block));
    const dst = new Uint8Array(lz4.compressBound(chunk.length));
    const n = lz4.compressBlock(chunk, dst, 0, chunk.length, new Uint32Array(1 << 16));
    const raw = n === 0 || n >= chunk.length;
    const body = raw ? chunk : dst.subarray(0, n);
    const word = (raw ? 0x80000000 : 0) + body.length;
    for (let k = 0; k < 4; k++) parts.push(Math.floor(word / 2 ** (8 * k)) & 0xff);
    parts.push(...body, 1, 2, 3, 4); // block checksum
  }
  parts.push(0, 0, 0, 0, 9, 9, 9, 9); // end mark, content checksum
  return Uint8Array.from(parts);
}

describe('LZ4 frame codec', () => {
  it('round-trips lz4js frames (4 MB linked blocks) of several sizes', () => {
    for (const n of [1, 100, 70_000, 5_000_000]) {
      const src = sample(n);
      const enc = lz4FrameEncode(src);
      expect(enc[0]).toBe(0x04);
      const dec = lz4FrameDecode(enc);
      expect(dec.byteOffset % 8).toBe(0);
      expect(dec.length).toBe(n);
      expect(Buffer.compare(Buffer.from(dec), Buffer.from(src))).toBe(0);
    }
  });

  it('reads frames with content size, block and content checksums, 64 KB blocks and stored blocks', () => {
    const src = new Uint8Array(200_000);
    src.set(sample(150_000));
    for (let i = 150_000; i < 200_000; i++) src[i] = (i * 2654435761) >>> 27; // a block that does not compress
    const frame = referenceFrame(src);
    expect(frame.length).toBeLessThan(src.length);
    const dec = lz4FrameDecode(frame);
    expect(Buffer.compare(Buffer.from(dec), Buffer.from(src))).toBe(0);
  });

  it('reads several concatenated frames', () => {
    const a = sample(1000), b = sample(3000).reverse();
    const both = new Uint8Array([...lz4FrameEncode(a), ...referenceFrame(b)]);
    expect(Array.from(lz4FrameDecode(both))).toEqual([...a, ...b]);
  });

  it('ignores a wrong length hint in front of the frame and decodes the right length', () => {
    const src = sample(100_000);
    const enc = lz4FrameEncode(src);
    const buf = new Uint8Array(8 + enc.length);
    new DataView(buf.buffer).setUint32(0, 10, true); // claims 10 bytes
    buf.set(enc, 8);
    const dec = lz4FrameDecode(buf.subarray(8));
    expect(dec.length).toBe(100_000);
    expect(Buffer.compare(Buffer.from(dec), Buffer.from(src))).toBe(0);
  });

  it('refuses bytes that are not an LZ4 frame, and corrupt blocks', () => {
    expect(() => lz4FrameDecode(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/not an LZ4 frame/);
    // one block: token 0x00 (no literals, a 4-byte match) at offset 5 before the start of the output
    const bad = Uint8Array.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x00, 3, 0, 0, 0, 0x00, 5, 0, 0, 0, 0, 0]);
    expect(() => lz4FrameDecode(bad)).toThrow(/corrupt LZ4 block \(match offset/);
    // literals running past the end of the block
    const bad2 = Uint8Array.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x00, 2, 0, 0, 0, 0x50, 1, 0, 0, 0, 0]);
    expect(() => lz4FrameDecode(bad2)).toThrow(/corrupt LZ4 block \(literals/);
  });
});
