/**
 * What a session read: every data file the loaders opened (through io/files.ts readInput), with the
 * SHA-256 of its bytes as they were on disk when read. `dadalab run` writes this list into the
 * executed notebook's metadata, so a reader can tell which data produced it.
 */
import { createHash } from 'node:crypto';
import { fstatSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface FileRead {
  /** Relative to the working folder (a notebook's own folder in the kernel) when inside it, else absolute. */
  path: string;
  bytes: number;
  sha256: string;
}

const reads = new Map<string, FileRead>();

/**
 * How a file is named in the provenance: relative to the working folder when inside it; a file in
 * the OS temporary folder as `$TMPDIR/<name>` (a fresh mkdtemp folder name would make every run's
 * notebook differ, and a reader cannot open it anyway: the hash identifies the bytes); else absolute.
 */
function shownPath(absolutePath: string): string {
  const rel = path.relative(process.cwd(), absolutePath);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  const inTmp = path.relative(tmpdir(), absolutePath);
  if (inTmp && !inTmp.startsWith('..') && !path.isAbsolute(inTmp)) return `$TMPDIR/${path.basename(absolutePath)}`;
  return absolutePath;
}

/** Records a file read by a loader (called by readInput with the raw bytes, before any gunzip). */
export function recordFileRead(absolutePath: string, raw: Uint8Array): void {
  const shown = shownPath(absolutePath);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  reads.set(`${shown}\0${sha256}`, { path: shown, bytes: raw.length, sha256 });
}

/** Records a file read in consecutive parts (the whole file, in order: its SHA-256 is that of their concatenation). */
export function recordFileReadParts(absolutePath: string, parts: readonly Uint8Array[]): void {
  const shown = shownPath(absolutePath);
  const hash = createHash('sha256');
  let bytes = 0;
  for (const p of parts) { hash.update(p); bytes += p.length; }
  const sha256 = hash.digest('hex');
  reads.set(`${shown}\0${sha256}`, { path: shown, bytes, sha256 });
}

/**
 * Records a file that a loader reads in parts (an Arrow file read one column at a time): its
 * SHA-256 is computed by streaming the whole file in 16 MiB chunks (memory stays constant; about
 * 1 s per 300 MiB), once per path, size and modification time.
 */
export function recordLargeFileRead(absolutePath: string, fd: number): void {
  const st = fstatSync(fd);
  const key = `${absolutePath}\0${st.size}\0${st.mtimeMs}`;
  if (streamed.has(key)) return;
  const hash = createHash('sha256');
  const chunk = new Uint8Array(Math.min(16 * 2 ** 20, Math.max(1, st.size)));
  for (let pos = 0; pos < st.size;) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, st.size - pos), pos);
    if (n <= 0) break;
    hash.update(chunk.subarray(0, n));
    pos += n;
  }
  streamed.add(key);
  const shown = shownPath(absolutePath);
  const sha256 = hash.digest('hex');
  reads.set(`${shown}\0${sha256}`, { path: shown, bytes: st.size, sha256 });
}
const streamed = new Set<string>();

/** The files read so far in this process, in the order first read (a file changed between reads is listed twice). */
export function filesRead(): FileRead[] {
  return [...reads.values()];
}

/** Forgets the files read (tests). */
export function clearFilesRead(): void {
  reads.clear();
  streamed.clear();
}
