/**
 * What a session read: every data file the loaders opened (through io/files.ts readInput), with the
 * SHA-256 of its bytes as they were on disk when read. `dadalab run` writes this list into the
 * executed notebook's metadata, so a reader can tell which data produced it.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';

export interface FileRead {
  /** Relative to the working folder (a notebook's own folder in the kernel) when inside it, else absolute. */
  path: string;
  bytes: number;
  sha256: string;
}

const reads = new Map<string, FileRead>();

/** Records a file read by a loader (called by readInput with the raw bytes, before any gunzip). */
export function recordFileRead(absolutePath: string, raw: Uint8Array): void {
  const rel = path.relative(process.cwd(), absolutePath);
  const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : absolutePath;
  const sha256 = createHash('sha256').update(raw).digest('hex');
  reads.set(`${shown}\0${sha256}`, { path: shown, bytes: raw.length, sha256 });
}

/** The files read so far in this process, in the order first read (a file changed between reads is listed twice). */
export function filesRead(): FileRead[] {
  return [...reads.values()];
}

/** Forgets the files read (tests). */
export function clearFilesRead(): void {
  reads.clear();
}
