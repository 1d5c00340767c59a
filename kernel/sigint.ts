/**
 * SIGINT for the kernel, without the races of `process.on('SIGINT')` next to vm's breakOnSigint.
 *
 * tslab runs each cell's synchronous part with `vm.runInThisContext(code, { breakOnSigint: true })`,
 * so an endless synchronous loop can be interrupted. Around every such run Node removes the
 * process's SIGINT listeners (the signal's disposition goes back to "terminate"), starts its
 * watchdog thread, and at the end sets the disposition to "exit on SIGINT" before putting the
 * listeners back (lib/vm.js sigintHandlersWrap, src/node_watchdog.cc). A SIGINT in those windows
 * killed the kernel; one that reached the watchdog between runs was kept as "pending" and then
 * dropped, so the cell ran on (both seen in CI: an interrupt sent as a cell starts).
 *
 * Here the kernel never listens with process.on('SIGINT'). It starts Node's SIGINT watchdog once
 * and keeps it for its life (the REPL does the same), so the disposition never changes:
 * - during a cell's synchronous run, the watchdog terminates it ("Script execution was interrupted");
 * - otherwise the signal is kept pending: a poll every 25 ms takes it (`onSigint`), and so does a
 *   check just before each synchronous run, which then interrupts instead of starting the code.
 * Where Node lacks the binding (a future version), it falls back to process.on('SIGINT').
 */
// The module object itself (tslab calls vm.runInThisContext through it), not an import copy.
import vm = require('node:vm');

type Contextify = { startSigintWatchdog(): boolean; stopSigintWatchdog(): boolean };

function contextify(): Contextify | null {
  try {
    const c = (process as unknown as { binding(name: string): Partial<Contextify> }).binding('contextify');
    return typeof c.startSigintWatchdog === 'function' && typeof c.stopSigintWatchdog === 'function' ? c as Contextify : null;
  } catch {
    return null;
  }
}

/** The message Node's watchdog gives a synchronous run it stops (kernel/errors.ts names it Interrupted). */
export const INTERRUPTED_MESSAGE = 'Script execution was interrupted by `SIGINT`';

/** How SIGINT reaches `onSigint`: Node's kept watchdog (race-free) or a plain listener (fallback). */
export type SigintMode = 'watchdog' | 'listener';

let installed: SigintMode | null = null;

/**
 * Routes SIGINT to `onSigint` for the rest of the process's life. Call once, before any cell runs.
 * `pollMs` bounds how long a signal waits while the event loop is free.
 */
export function routeSigint(onSigint: () => void, pollMs = 25): SigintMode {
  if (installed) throw new Error('routeSigint was already called in this process');
  const c = contextify();
  if (!c || !c.startSigintWatchdog()) {
    process.on('SIGINT', onSigint);
    installed = 'listener';
    return installed;
  }
  // Nested start/stop leaves the kept watchdog running and returns (and clears) the pending flag.
  const takePending = () => {
    c.startSigintWatchdog();
    return c.stopSigintWatchdog();
  };
  setInterval(() => {
    if (takePending()) onSigint();
  }, pollMs).unref();
  // A signal that came while the cell was being compiled (or queued) stops it before it starts.
  const run = vm.runInThisContext;
  vm.runInThisContext = function runInThisContext(code: string, options?: vm.RunningScriptOptions | string) {
    if (typeof options === 'object' && options.breakOnSigint && takePending()) {
      onSigint();
      throw new Error(INTERRUPTED_MESSAGE);
    }
    return run.call(vm, code, options);
  };
  installed = 'watchdog';
  return installed;
}
