import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DadalabError, InputError } from '../errors';
import { recordFileRead } from '../runtime/provenance';

/**
 * Reads a whole file, refusing clearly what cannot be read: a missing path (naming the absolute
 * path that was looked for and the current directory, since notebooks run from their own folder),
 * a directory, an empty file. `.gz` files are gunzipped when `gunzip` is true.
 */
export function readInput(path: string, opts: { gunzip?: boolean; allowEmpty?: boolean } = {}): Buffer {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InputError(`Expected a file path, got ${describe(path)}`, 'Pass the path of the data file as a string');
  }
  const abs = resolve(path);
  if (!existsSync(abs)) {
    throw new InputError(`File not found: ${path} (looked for ${abs}; the current directory is ${process.cwd()})`,
      'Check the spelling, or give a path relative to the current directory (a notebook runs in its own folder) or an absolute path');
  }
  if (statSync(abs).isDirectory()) {
    throw new InputError(`${path} is a directory, not a file (${abs})`, 'Pass the path of a data file inside it');
  }
  let buf: Buffer;
  const size = statSync(abs).size;
  try {
    // readFileSync stops at 2 GiB; larger files are read in chunks into one buffer
    buf = size > READ_LIMIT ? readChunked(abs, size) : readFileSync(abs);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (e instanceof RangeError || err.code === 'ERR_FS_FILE_TOO_LARGE') {
      throw new InputError(`${path} (${(size / 2 ** 30).toFixed(1)} GiB) does not fit in one buffer (${err.message})`,
        'Split it into several files (e.g. Arrow files of a few GB each) or subsample it');
    }
    throw new InputError(`Cannot read ${path} (${abs}): ${err.code ?? err.message}`, 'Check the file permissions and that the file is not locked');
  }
  recordFileRead(abs, buf);
  if (opts.gunzip && isGzip(path, buf)) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new InputError(`${path} looks gzipped but does not decompress: ${(e as Error).message}`,
        'Re-download or re-compress the file (gzip -t checks it)');
    }
  }
  if (buf.length === 0 && !opts.allowEmpty) {
    throw new InputError(`${path} is empty (0 bytes${opts.gunzip && /\.gz$/i.test(path) ? ' after decompression' : ''})`,
      'Check that the file was written completely (the writer may have been interrupted), or pass the right file');
  }
  return buf;
}

const READ_LIMIT = 2 ** 31 - 1;

/** Reads a file of `size` bytes into one Buffer with reads of at most `chunk` bytes (for files over 2 GiB). */
export function readChunked(abs: string, size: number, chunk = 2 ** 30): Buffer {
  const buf = Buffer.from(new ArrayBuffer(size));
  const fd = openSync(abs, 'r');
  try {
    let pos = 0;
    while (pos < size) {
      const n = readSync(fd, buf, pos, Math.min(chunk, size - pos), pos);
      if (n === 0) throw new Error(`the file ended after ${pos} of ${size} bytes`);
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** True if the path ends in .gz or the bytes start with the gzip magic 1f 8b. */
export function isGzip(path: string, buf: Uint8Array): boolean {
  return /\.gz$/i.test(path) || (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b);
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name} of ${(x as Uint8Array).length} elements`;
  return typeof x === 'string' ? `'${x}'` : typeof x;
}
