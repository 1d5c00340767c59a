/**
 * What a cell printed, kept where a killed kernel cannot lose it.
 *
 * The kernel batches stream text (50 ms) and hands it to ZeroMQ, whose I/O thread puts it on the
 * wire later: a kernel killed (SIGKILL, the OOM killer, process.exit) right after printing takes
 * that text with it. So the kernel started by the runner also appends every stream chunk it
 * publishes, synchronously, to a journal file in its connection folder (one JSON line per chunk,
 * emptied when the next execute request starts). A write(2) to a file survives the process being
 * killed the next instant. When the kernel dies, the runner reads the journal and adds the text
 * that never arrived on iopub after what did (iopub delivers stream text in order, as
 * concatenations of consecutive chunks, so what arrived is a prefix of the journal).
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';

/** The environment variable through which the runner names the journal file to the kernel. */
export const STREAM_JOURNAL_ENV = 'DADALAB_STREAM_JOURNAL';

export interface StreamChunk {
  name: string;
  text: string;
}

/** The kernel's side: appends synchronously; a failing write turns the journal off (never the cell). */
export class StreamJournal {
  private fd: number | null;

  constructor(file: string) {
    this.fd = openSync(file, 'a', 0o600);
  }

  /** A new execute request: what earlier cells printed is no longer needed. */
  startRequest(): void {
    if (this.fd === null) return;
    try {
      ftruncateSync(this.fd, 0);
    } catch {
      this.close();
    }
  }

  record(parentId: string, chunk: StreamChunk): void {
    if (this.fd === null || !chunk.text) return;
    try {
      writeSync(this.fd, `${JSON.stringify({ p: parentId, n: chunk.name, t: chunk.text })}\n`);
    } catch {
      this.close();
    }
  }

  close(): void {
    if (this.fd === null) return;
    try { closeSync(this.fd); } catch { /* closed */ }
    this.fd = null;
  }
}

/**
 * The stream text request `parentId` printed that never arrived: the journal's chunks for it after
 * the first `delivered` characters (the stream text that did arrive on iopub). A torn last line
 * (the kernel killed mid-write) is skipped.
 */
export function undeliveredStream(journal: string, parentId: string, delivered: number): StreamChunk[] {
  const missing: StreamChunk[] = [];
  let skip = delivered;
  for (const line of journal.split('\n')) {
    if (!line) continue;
    let rec: { p?: unknown; n?: unknown; t?: unknown };
    try {
      rec = JSON.parse(line);
    } catch {
      continue;
    }
    if (rec.p !== parentId || typeof rec.t !== 'string' || typeof rec.n !== 'string') continue;
    let text = rec.t;
    if (skip >= text.length) {
      skip -= text.length;
      continue;
    }
    text = text.slice(skip);
    skip = 0;
    const last = missing[missing.length - 1];
    if (last && last.name === rec.n) last.text += text;
    else missing.push({ name: rec.n, text });
  }
  return missing;
}
