/**
 * Receiving from a ZeroMQ socket without ever losing the loop.
 *
 * zeromq.js's `for await (const frames of sock)` ends in a rejection on any receive error,
 * including EAGAIN ("Operation was not possible or timed out"), which libzmq uses for "nothing
 * there after all, try again": zeromq.js reads with ZMQ_DONTWAIT once the socket looked readable
 * (or after it delays a read to let the event loop breathe, socket.cc `max_sync_operations`), and
 * the message can be gone by then. In the kernel that rejection had nowhere to go: it became an
 * unhandled rejection, charged to the next cell as a late fault ("this cell was not run", a CI
 * failure on a cell `const a = 1`), and the channel stopped listening for good.
 * Here a transient error is retried, the loop ends only when the socket is closed, and any other
 * error goes to `onError`, which decides whether to go on.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** The part of a zeromq.js v6 socket this needs. */
export interface ReceivingSocket {
  readonly closed: boolean;
  receive(): Promise<Buffer[]>;
}

/** The zeromq package tslab brings (pinned with it; one copy for the kernel and its clients). */
export function loadZeromq(): any {
  const tslabDir = path.dirname(require.resolve('tslab/package.json'));
  return createRequire(path.join(tslabDir, 'package.json'))('zeromq');
}

/** Errors after which the same receive can simply be tried again. */
export function isTransientReceiveError(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'EAGAIN' || code === 'EINTR';
}

export interface ReceiveOptions {
  /** A transient error was retried (for the log). */
  onRetry?: (e: unknown) => void;
  /** Any other error: return true to go on receiving (after a short pause), false to stop. */
  onError?: (e: unknown) => boolean;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Hands every message received on `sock` to `handle`, in order, until the socket is closed.
 * `handle` is awaited (so a REP socket can answer before the next receive); what it throws goes
 * to `onError` like a receive error. Resolves when the socket closes or `onError` says stop;
 * without `onError`, rejects with the first error that is not transient.
 */
export async function receiveEach(
  sock: ReceivingSocket,
  handle: (frames: Buffer[]) => unknown,
  opts: ReceiveOptions = {},
): Promise<void> {
  for (;;) {
    if (sock.closed) return;
    let frames: Buffer[];
    try {
      frames = await sock.receive();
    } catch (e) {
      if (sock.closed) return;
      if (isTransientReceiveError(e)) {
        opts.onRetry?.(e);
        // Yield to the event loop so a retry can never spin it.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      if (!opts.onError) throw e;
      if (!opts.onError(e)) return;
      await pause(50);
      continue;
    }
    try {
      await handle(frames);
    } catch (e) {
      if (!opts.onError) throw e;
      if (!opts.onError(e)) return;
    }
  }
}
