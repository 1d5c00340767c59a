/**
 * Turns what a cell threw into a Jupyter `error` message: ename, evalue and a short traceback that
 * a reader can act on. DadalabError (and CancelledError) carry a complete message, so they get no
 * stack; other errors keep at most a few frames of the notebook's own code, never the frames of
 * the kernel, tslab, Node internals or the library.
 */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

const INTERNAL = /node:internal|node_modules[\\/]|[\\/]dist[\\/](lib|kernel|widgets)[\\/]|\(node:|^\s*at new Promise|<anonymous>\)?$/;

/**
 * Where a frame of compiled cell code is in the cell itself: the kernel names each cell's script
 * `In[n]` and maps its compiled lines back (kernel/lines.ts); null when it cannot tell.
 */
export type LineMapper = (script: string, jsLine: number) => number | null;

/**
 * A stack frame of a cell with the cell's own line, as IPython writes it ("at f (Cell In[3], line 4)");
 * the column of compiled code would mean nothing to a reader.
 */
function cellFrame(frame: string, mapLine?: LineMapper): string {
  return frame
    .replace(/(In\[\d+\]):(\d+):(\d+)/g, (_m, script: string, l: string, c: string) => {
      const line = mapLine?.(script, Number(l));
      return line ? `Cell ${script}, line ${line}` : `Cell ${script}:${l}:${c}`;
    })
    .replace(/evalmachine\.<anonymous>/g, 'cell');
}

export function describeError(e: unknown, mapLine?: LineMapper): ErrorContent {
  if (e instanceof Error || (e !== null && typeof e === 'object' && 'message' in (e as object))) {
    const err = e as Error;
    const rawName = err.name || 'Error';
    const message = String(err.message ?? '');
    if (/Script execution was interrupted|Interrupted asynchronously/.test(message)) {
      return { ename: 'Interrupted', evalue: 'The cell was interrupted; the kernel is still running and keeps its variables', traceback: ['Interrupted: the cell was interrupted; the kernel is still running and keeps its variables'] };
    }
    if (rawName === 'CancelledError') {
      return { ename: 'Interrupted', evalue: message, traceback: [`Interrupted: ${message}`] };
    }
    const head = `${rawName}: ${message}`;
    if (rawName === 'DadalabError' || (typeof (err as { problem?: unknown }).problem === 'string' && typeof (err as { fix?: unknown }).fix === 'string')) return { ename: rawName, evalue: message, traceback: [head] };
    const frames = String(err.stack ?? '').split('\n').slice(1)
      .filter((l) => /^\s*at /.test(l) && !INTERNAL.test(l))
      .slice(0, 5)
      .map((l) => cellFrame(l, mapLine));
    return { ename: rawName, evalue: message, traceback: [head, ...frames] };
  }
  const text = typeof e === 'string' ? e : JSON.stringify(e);
  return { ename: 'Error', evalue: String(text), traceback: [`Error: ${text}`] };
}

/** Type errors found by the TypeScript compiler (tslab prints them as "line:col - message"). */
export function describeDiagnostics(lines: string[]): ErrorContent {
  const clean = lines.map((l) => l.trim().replace(/^(\d+):(\d+) - /, 'line $1, column $2: ')).filter(Boolean);
  const first = clean[0] ?? 'the cell does not compile';
  return {
    ename: 'TypeScriptError',
    evalue: first,
    traceback: clean.map((l) => `TypeScriptError: ${l}`),
  };
}
