/**
 * Progress and cancellation for long computations. The library reports through a sink that the
 * host installs (the kernel: an in-place notebook display; a terminal: a progress bar; tests:
 * nothing). Long loops run in blocks, call `update`, then `await checkpoint()`, which yields to
 * the event loop (so an interrupt can arrive) and throws `CancelledError` once one has.
 */
export interface ProgressHandle {
  update(done: number): void;
  finish(): void;
}
export interface ProgressSink {
  start(label: string, total: number): ProgressHandle;
}

const silent: ProgressHandle = { update() {}, finish() {} };
let sink: ProgressSink | null = null;
let cancelRequested = false;
let cancellations = 0;

/** Installs (or removes, with null) the host's progress sink; returns the previous one. */
export function setProgressSink(s: ProgressSink | null): ProgressSink | null {
  const prev = sink;
  sink = s;
  return prev;
}

export function startProgress(label: string, total: number): ProgressHandle {
  return sink ? sink.start(label, total) : silent;
}

export class CancelledError extends Error {
  constructor(what = 'computation') {
    super(`The ${what} was interrupted`);
    this.name = 'CancelledError';
  }
}

/** Asks the running computation to stop at its next checkpoint (the kernel's interrupt). */
export function requestCancel(): void {
  cancelRequested = true;
}
/** Clears a pending request (done at the start of each cell). */
export function clearCancel(): void {
  cancelRequested = false;
}
export function isCancelRequested(): boolean {
  return cancelRequested;
}
/** How many computations an interrupt has stopped so far (a progress display that sees it change while its task runs says "interrupted"). */
export function cancellationCount(): number {
  return cancellations;
}

/** Yields to the event loop, then throws if an interrupt arrived meanwhile. */
export async function checkpoint(signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (cancelRequested || signal?.aborted) {
    cancelRequested = false;
    cancellations++;
    throw new CancelledError();
  }
}
