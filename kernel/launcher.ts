#!/usr/bin/env node
/**
 * The dadalab kernel: tslab's compiler and executor (tslab pinned at 1.0.22; we use its dist/
 * modules createConverter, createExecutor, JupyterHandlerImpl, lastWriteDisplayData) behind a
 * Jupyter server of our own that closes tslab's protocol gaps:
 * - the library is imported before the first cell (every session, after every restart, whatever
 *   the notebook's folder), so Data, the estimators, the loaders, `show` and the charts are there, typed;
 * - the last expression goes out as `execute_result` with `execution_count`; results and charts as
 *   one bundle (vega-lite v5 + SVG + text), rendered before the cell reports done;
 * - `execute_input`, `error` messages with ename/evalue/traceback (a readable message, not a stack
 *   of internals), no 200 ms abort window after an error (only requests queued before the failure
 *   with stop_on_error are aborted, as ipykernel does);
 * - progress displays that update in place; interrupts (SIGINT or interrupt_request) cancel long
 *   computations at their next checkpoint and leave the kernel usable.
 *
 * Usage (from a kernelspec): node dist/kernel/launcher.js --config-path {connection_file}
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { format, inspect } from 'node:util';
import { decode, encode, replyTo, type ConnectionInfo, type Message } from './wire';
import { describeError, describeDiagnostics, type ErrorContent } from './errors';
import { markLines, sourceLineOf } from './lines';
import { inspectInCall } from './inspect';
import { notebookProgressSink } from '../widgets/progress';
import { CommManager, parentMessage } from './comm';
import { notebookWarningSink } from './warnings';
import { maxCellOutput, StreamBudget } from './limits';
import { ReplayGuard, startParentWatchdog, unsignedConnectionProblem } from './safety';
import { STREAM_JOURNAL_ENV, StreamJournal } from './streamJournal';
import { routeSigint } from './sigint';
import { loadZeromq, receiveEach } from './receive';

/**
 * Start-up marks for bench/startup.mjs: with DADALAB_STARTUP_TIMES=1 the kernel writes
 * `[dadalab] startup <phase> <ms since the process started>` on its stderr (nothing otherwise).
 */
const startupTimes = process.env.DADALAB_STARTUP_TIMES === '1';
const startupLog = process.stderr.write.bind(process.stderr);
export function mark(phase: string): void {
  if (startupTimes) startupLog(`[dadalab] startup ${phase} ${performance.now().toFixed(1)}\n`);
}
mark('launcher-module');

const tslabDir = path.dirname(require.resolve('tslab/package.json'));
const tslabRequire = createRequire(path.join(tslabDir, 'package.json'));
const { createConverter } = tslabRequire('./dist/converter.js');
const { createExecutor } = tslabRequire('./dist/executor.js');
const jupyter = tslabRequire('./dist/jupyter.js');
const tslabVersion: string = tslabRequire('./package.json').version;
mark('tslab-modules');

/** The library the prelude imports: dist/lib/index.js next to this file's dist/kernel/ (or $DADALAB_LIB). */
export const LIB_ENTRY = process.env.DADALAB_LIB ? path.resolve(process.env.DADALAB_LIB) : path.resolve(__dirname, '..', 'lib', 'index.js');

/** dadalab/internal next to LIB_ENTRY (the kernel's hooks: attachWidgetKernel, ...), else the library itself. */
function libInternals(lib: any): any {
  const internal = path.join(path.dirname(LIB_ENTRY), 'internal.js');
  if (!existsSync(internal)) return lib;
  try {
    return require(internal);
  } catch {
    return lib;
  }
}

/**
 * tslab type-checks cells against @types/node found from the notebook's folder, else from
 * <tslab>/node_modules/@types. npm hoists @types/node when versions agree, and then a notebook
 * outside the project cannot even type `console`. Make the fallback exist: link it if missing.
 */
export function ensureNodeTypes(): string | null {
  const fallback = path.join(tslabDir, 'node_modules', '@types', 'node');
  if (existsSync(path.join(fallback, 'package.json'))) return fallback;
  try {
    const found = path.dirname(tslabRequire.resolve('@types/node/package.json'));
    mkdirSync(path.dirname(fallback), { recursive: true });
    symlinkSync(found, fallback, 'dir');
    return fallback;
  } catch (e) {
    process.stderr.write(`[dadalab] could not provide @types/node to notebooks outside the project: ${(e as Error).message}\n`);
    return null;
  }
}

/**
 * tslab's compiler includes every package of every @types folder above the notebook (TypeScript's
 * automatic type directives, as tsc does without `types`), and a notebook inside a project with
 * @types/d3, jquery, lodash, react, ... parsed them all before its first cell: 3.7 s of the compiler's
 * creation in this repository's notebooks/ against 1.1 s in a folder with @types/node only (issue 13,
 * bench/startup.mjs). tslab's options are fixed, but its compiler host lists those folders through
 * ts.sys.getDirectories (its sys object inherits from ts.sys), so the kernel answers that listing with
 * `node` alone: the same as `types: ["node"]`. A cell still gets the types of what it imports
 * (`import * as d3 from "d3"` finds @types/d3 by module resolution); only ambient globals declared by
 * other @types packages (a browser's `$`, a test runner's `describe`) are no longer visible, and none of
 * them exists in the kernel's Node process anyway.
 */
export function onlyNodeTypes(ts: any): void {
  const sys = ts.sys;
  if (sys.__dadalabOnlyNodeTypes) return;
  const getDirectories = sys.getDirectories.bind(sys);
  sys.getDirectories = (dir: string) => {
    const found: string[] = getDirectories(dir);
    return /[\\/]node_modules[\\/]@types[\\/]?$/.test(dir) ? found.filter((d) => d === 'node') : found;
  };
  sys.__dadalabOnlyNodeTypes = true;
}

/**
 * tslab 1.0.22 compiles a cell's references to earlier cells' variables into `exports.x`, but misses
 * shorthand properties: after `const names = [...]`, a later `{ names }` throws "names is not
 * defined". Expanding them to `{ names: names }` first (same meaning, also in destructuring
 * assignments) avoids it.
 */
export function expandShorthandProperties(src: string): string {
  if (!src.includes('{')) return src;
  const ts = tslabRequire('@tslab/typescript-for-tslab');
  const sf = ts.createSourceFile('cell.ts', src, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const inserts: Array<{ pos: number; text: string }> = [];
  const visit = (node: any): void => {
    if (ts.isShorthandPropertyAssignment(node) && !node.objectAssignmentInitializer) {
      inserts.push({ pos: node.name.end, text: `: ${node.name.text}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  let out = src;
  for (const { pos, text } of inserts.sort((a, b) => b.pos - a.pos)) out = out.slice(0, pos) + text + out.slice(pos);
  return out;
}

/** The prelude cell: the library as `dadalab` and each of its exports by name. */
export function preludeSource(lib: Record<string, unknown>, entry = LIB_ENTRY): string {
  const names = Object.keys(lib).filter((n) => n !== 'default' && n !== '__esModule' && /^[A-Za-z_$][\w$]*$/.test(n));
  const spec = JSON.stringify(entry);
  return `import * as dadalab from ${spec};\nimport { ${names.join(', ')} } from ${spec};\n`;
}

interface CellState {
  value: unknown;
  hasValue: boolean;
  errors: unknown[][];
}

/** Sends serialised frames on a socket one message at a time (zeromq allows one send in flight). */
function sender(sock: any): (frames: Buffer[]) => void {
  let chain: Promise<unknown> = Promise.resolve();
  return (frames) => {
    chain = chain.then(() => sock.send(frames)).catch((e) => process.stderr.write(`[dadalab] send failed: ${e}\n`));
  };
}

export async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const ci = args.indexOf('--config-path');
  if (ci < 0 || !args[ci + 1]) {
    process.stderr.write('usage: launcher --config-path <connection file>\n');
    process.exit(2);
  }
  // The kernel's own log: the real stderr (cells redirect process.stderr.write to their outputs).
  const kernelLog = process.stderr.write.bind(process.stderr);
  const conn: ConnectionInfo = JSON.parse(readFileSync(args[ci + 1], 'utf8'));
  const key = conn.key ?? '';
  const unsigned = unsignedConnectionProblem(conn);
  if (unsigned) {
    process.stderr.write(unsigned.message);
    if (unsigned.refuse) process.exit(1);
  }
  // Started by our runner (or Jupyter): exit when the parent is gone, even during a synchronous cell.
  startParentWatchdog(Number(process.env.DADALAB_PARENT_PID ?? process.env.JPY_PARENT_PID ?? 0), process.env.DADALAB_CONNECTION_DIR);
  ensureNodeTypes();

  // The library; if it cannot even load, the kernel still starts (plain TypeScript) and says why.
  let lib: any;
  let libFailure = '';
  try {
    lib = require(LIB_ENTRY);
  } catch (e) {
    libFailure = `dadalab: the library ${LIB_ENTRY} failed to load: ${(e as Error).message}\nRebuild the package (npm run build).\n`;
    process.stderr.write(libFailure);
    lib = {
      setProgressSink() { return null; }, requestCancel() {}, clearCancel() {},
      async mimeBundle(v: unknown) { return { data: { 'text/plain': inspect(v) }, metadata: {} }; },
    };
  }
  mark('library-loaded');
  let cell: CellState | null = null;
  const kconsole = {
    // tslab prints a cell's last expression with this console: keep the value instead.
    log(value: unknown, ...rest: unknown[]) {
      if (cell && rest.length === 0) {
        cell.value = value;
        cell.hasValue = true;
      } else {
        console.log(value, ...rest);
      }
    },
    error(...a: unknown[]) {
      if (cell) cell.errors.push(a);
      else console.error(...a);
    },
    warn: (...a: unknown[]) => console.warn(...a),
  };
  // Tracebacks with the cells' own lines: each cell's script is named In[n] (tslab gives vm no file
  // name), and its compiled output, with the line markers of kernel/lines.ts, is kept to map lines back.
  const compiled = new Map<string, string>();
  let currentScript: string | null = null;
  const vm = require('node:vm') as typeof import('node:vm');
  const runInThisContext = vm.runInThisContext;
  (vm as { runInThisContext: typeof runInThisContext }).runInThisContext = (code: string, options?: any) =>
    runInThisContext.call(vm, code, currentScript && (options === undefined || (typeof options === 'object' && !options.filename))
      ? { ...(options ?? {}), filename: currentScript } : options);
  const ts = tslabRequire('@tslab/typescript-for-tslab');
  onlyNodeTypes(ts);
  const withLineMarkers = (conv: any) => ({
    ...conv,
    convert(prevDecl: string, src: string) {
      const c0 = performance.now();
      const r = conv.convert(prevDecl, markLines(ts, src));
      if (startupTimes) startupLog(`[dadalab] startup convert-ms ${(performance.now() - c0).toFixed(1)}\n`);
      if (currentScript && r.output) {
        compiled.set(currentScript, r.output);
        if (compiled.size > 500) compiled.delete(compiled.keys().next().value as string);
      }
      return r;
    },
  });
  const mapLine = (script: string, jsLine: number) => {
    const out = compiled.get(script);
    return out ? sourceLineOf(out, jsLine) : null;
  };
  const convs = {
    _node: null as any,
    _browser: null as any,
    get node() {
      if (!this._node) {
        mark('converter-start');
        this._node = withLineMarkers(createConverter({ isJS: false, isBrowser: false }));
        mark('converter-created');
      }
      return this._node;
    },
    get browser() { return (this._browser ??= createConverter({ isJS: false, isBrowser: true })); },
    close() { this._node?.close(); this._browser?.close(); },
  };
  const executor = createExecutor(process.cwd(), convs, kconsole);
  const tslabHandler = new jupyter.JupyterHandlerImpl(executor, false);

  // The prelude: the library, typed, before any socket is bound.
  const t0 = Date.now();
  cell = { value: undefined, hasValue: false, errors: [] };
  const preludeOk = libFailure ? false : await executor.execute(preludeSource(lib));
  mark('prelude-done');
  const preludeErrors = cell.errors;
  cell = null;
  process.stderr.write(`[dadalab] prelude ${preludeOk ? 'ok' : 'FAILED'} in ${Date.now() - t0} ms (cwd ${process.cwd()})\n`);
  let preludeNotice = '';
  if (!preludeOk) {
    preludeNotice = libFailure || (`dadalab: the library could not be preloaded (${LIB_ENTRY}):\n${preludeErrors.map((e) => format(...e)).join('\n')}\n`
      + 'Import it yourself in a cell, or rebuild the package (npm run build).\n');
    process.stderr.write(preludeNotice);
  }

  const zmq = loadZeromq();
  // sendTimeout 0: every iopub send is made at once (a PUB socket never blocks; it drops at its
  // high-water mark). With the default (-1), zeromq.js makes every 513th send in a row without a
  // receive a delayed one, and any send during that delay throws EBUSY ("Socket is busy writing")
  // synchronously: a cell's reply or idle was lost that way, and the frontend waited forever
  // (issue 14's stall; found by the kernel-stall audit, test/kernel/stall.test.ts).
  // sendHighWaterMark 0 (no limit): a PUB socket at its mark drops messages silently, and a
  // cell that displays 1500 outputs in a loop lost 200 of them; what a cell may print is bounded
  // by the output budget (kernel/limits.ts) instead.
  const iopub = new zmq.Publisher({ sendTimeout: 0, sendHighWaterMark: 0 });
  const shell = new zmq.Router();
  const control = new zmq.Router();
  const stdin = new zmq.Router();
  const hb = new zmq.Reply();
  // iopub is a PUB socket (never blocks): sent at once, so what a cell printed gets out even if it
  // then never yields or the process dies.
  // A send never throws into the caller (a cell, a comm handler, the code that sends the reply):
  // should the socket refuse a send for now, it and every later message wait, in order, for the
  // next turn of the event loop.
  const iopubBacklog: Buffer[][] = [];
  const iopubFailed = (e: unknown) => kernelLog(`[dadalab] iopub send failed: ${(e as Error)?.message ?? e}\n`);
  const trySendIopub = (frames: Buffer[]): boolean => {
    try {
      iopub.send(frames).catch(iopubFailed);
      return true;
    } catch (e) {
      if ((e as { code?: string }).code !== 'EBUSY') { iopubFailed(e); return true; }
      return false;
    }
  };
  const drainIopub = () => {
    while (iopubBacklog.length && trySendIopub(iopubBacklog[0])) iopubBacklog.shift();
    if (iopubBacklog.length) setImmediate(drainIopub);
  };
  const sendIopub = (frames: Buffer[]) => {
    if (iopubBacklog.length || !trySendIopub(frames)) {
      iopubBacklog.push(frames);
      if (iopubBacklog.length === 1) setImmediate(drainIopub);
    }
  };
  mark('sockets-created');
  const sendShell = sender(shell);
  const sendControl = sender(control);
  const addr = (port: number) => `${conn.transport}://${conn.ip}:${port}`;
  await Promise.all([iopub.bind(addr(conn.iopub_port)), shell.bind(addr(conn.shell_port)),
    control.bind(addr(conn.control_port)), stdin.bind(addr(conn.stdin_port)), hb.bind(addr(conn.hb_port))]);

  // Stream text is batched (flushed every 50 ms, and before any other message), so a loop that
  // prints 100000 lines sends a few hundred messages, not 100000, and the order is kept.
  let pendingStream: { parent: Message; name: string; text: string } | null = null;
  // Started by the runner: every published chunk also goes to a journal on disk at once, so what a
  // cell printed survives a kill before the batch (or ZeroMQ's I/O thread) sends it (streamJournal.ts).
  const journal = process.env[STREAM_JOURNAL_ENV] ? new StreamJournal(process.env[STREAM_JOURNAL_ENV]!) : null;
  let streamTimer: NodeJS.Timeout | null = null;
  let lastFlush = Date.now();
  // lastFlush is when stream text last went out (not any message): the first text after a quiet
  // 50 ms goes at once, so a cell that prints and then dies or never yields still shows it.
  const flushStream = () => {
    if (streamTimer) { clearTimeout(streamTimer); streamTimer = null; }
    if (!pendingStream) return;
    lastFlush = Date.now();
    const { parent, name, text } = pendingStream;
    pendingStream = null;
    sendIopub(encode(key, replyTo(parent, 'stream', { name, text })));
  };
  const publish = (parent: Message, type: string, content: unknown, metadata: Record<string, unknown> = {}, buffers: Buffer[] = []) => {
    if (type === 'stream') {
      const { name, text } = content as { name: string; text: string };
      journal?.record(parent.header.msg_id, { name, text });
      if (pendingStream && (pendingStream.parent !== parent || pendingStream.name !== name)) flushStream();
      if (pendingStream) pendingStream.text += text;
      else pendingStream = { parent, name, text };
      // A synchronous cell never lets the timer fire: flush on writes too once 50 ms have passed.
      if (pendingStream.text.length > 1 << 20 || Date.now() - lastFlush > 50) flushStream();
      else streamTimer ??= setTimeout(flushStream, 50);
      return;
    }
    flushStream();
    sendIopub(encode(key, { ...replyTo(parent, type, content, metadata), buffers }));
  };
  const status = (parent: Message, state: string) => publish(parent, 'status', { execution_state: state });

  let executionCount = 0;
  let errorEpoch = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let running: Message | null = null;
  /** execute_requests received and not started yet; an interrupt with none running stops the next. */
  let waitingCells = 0;
  let interruptWaiting = false;
  /** Rejects the wait for a promise that ends a cell (set while waiting). */
  let abortCell: ((e: Error) => void) | null = null;

  // Progress displays update in place, in the cell that started them.
  lib.setProgressSink(notebookProgressSink(() => {
    const cellMsg = running;
    if (!cellMsg || cellMsg.content.silent) return null;
    return { key: cellMsg.header.msg_id, write: (data: unknown, update: boolean) => publish(cellMsg, update ? 'update_display_data' : 'display_data', data) };
  }));

  // Library warnings: one line on the running cell's stderr (as ipykernel shows Python's warnings).
  lib.setWarningSink?.(notebookWarningSink(() => {
    const cellMsg = running;
    return cellMsg && !cellMsg.content.silent ? (text: string) => publish(cellMsg, 'stream', { name: 'stderr', text }) : null;
  }));

  function interrupt(): void {
    lib.requestCancel();
    const c = running;
    if (!c) {
      // Received but not started yet (the user pressed interrupt right after run): that cell stops.
      if (waitingCells > 0) interruptWaiting = true;
      return;
    }
    // Library loops stop at their next checkpoint; anything else is abandoned after 1.5 s.
    setTimeout(() => {
      if (running !== c) return;
      executor.interrupt();
      abortCell?.(new Error('Interrupted asynchronously'));
    }, 1500).unref();
  }
  // Not process.on('SIGINT'): that races with tslab's breakOnSigint runs (kernel/sigint.ts).
  routeSigint(interrupt);
  // A throw in a callback or a promise nobody handles: the running cell fails with it; after its
  // cell has finished, the next request reports it instead of running (the kernel stays up).
  let cellFaults: ErrorContent[] | null = null;
  let lateFaults: ErrorContent[] = [];
  const fault = (what: string) => (err: unknown) => {
    const c = describeError(err);
    c.evalue = `${c.evalue} (${what})`;
    c.traceback = [`${c.ename}: ${c.evalue}`, ...c.traceback.slice(1)];
    if (cellFaults) cellFaults.push(c);
    else {
      lateFaults.push(c);
      kernelLog(`[dadalab] ${c.traceback.join('\n')}\n`);
    }
  };
  process.on('uncaughtException', fault('thrown in a callback, outside the cell\'s own code'));
  process.on('unhandledRejection', fault('a promise rejected and nothing awaited or caught it'));

  // Comms (kernel/comm.ts): their messages answer the cell or comm_msg being handled.
  const comms = new CommManager({
    publish(parent, type, content, metadata, buffers) {
      if (parent) publish(parent, type, content, metadata, buffers);
    },
  }, (text) => process.stderr.write(`[dadalab] ${text}\n`));

  // show(...) in a cell: a display bundle in that cell; comms for the widgets.
  (globalThis as any).__dadalab_kernel__ = {
    display(bundle: { data: unknown; metadata: unknown }) {
      const p = parentMessage.getStore() ?? running;
      if (p) publish(p, 'display_data', { data: bundle.data, metadata: bundle.metadata, transient: {} });
    },
    publish(type: string, content: unknown) {
      const p = parentMessage.getStore() ?? running;
      if (p) publish(p, type, content);
    },
    currentMessageId: () => comms.parent()?.header.msg_id ?? null,
    comms,
  };
  // The kernel's hooks are building blocks, in dadalab/internal (the same module instances as lib).
  const hooks = libInternals(lib);
  hooks.attachWidgetKernel?.(comms);

  const outputLimit = maxCellOutput();
  async function runCell(msg: Message, count: number, silent: boolean): Promise<{ ok: true } | { ok: false; err: ErrorContent }> {
    const budget = new StreamBudget(outputLimit);
    const writeStream = (name: string) => (chunk: string | Uint8Array, enc?: unknown, cb?: unknown) => {
      const text = budget.take(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      if (!silent && text) publish(msg, 'stream', { name, text });
      if (typeof enc === 'function') (enc as () => void)();
      else if (typeof cb === 'function') (cb as () => void)();
      return true;
    };
    process.stdout.write = writeStream('stdout') as typeof process.stdout.write;
    process.stderr.write = writeStream('stderr') as typeof process.stderr.write;
    jupyter.lastWriteDisplayData = (data: unknown, update: boolean) => {
      if (!silent) publish(msg, update ? 'update_display_data' : 'display_data', data);
    };
    if (preludeNotice && !silent) {
      publish(msg, 'stream', { name: 'stderr', text: preludeNotice });
      preludeNotice = '';
    }
    lib.clearCancel();
    const faults: ErrorContent[] = [];
    cellFaults = faults;
    let noted = false;
    const truncationNote = () => {
      const note = budget.note();
      if (note && !silent && !noted) publish(msg, 'stream', { name: 'stderr', text: note });
      noted = true;
    };
    try {
      const result = await runCellBody(msg, count, silent, truncationNote);
      // One turn of the event loop, so a rejection nobody handled surfaces while this cell is current.
      await new Promise((r) => setImmediate(r));
      if (result.ok && faults.length) return { ok: false, err: faults[0] };
      return result;
    } finally {
      cellFaults = null;
      truncationNote();
    }
  }

  /** Runs the code; `afterCode` is called when it has finished, before its value is shown. */
  async function runCellBody(msg: Message, count: number, silent: boolean, afterCode: () => void): Promise<{ ok: true } | { ok: false; err: ErrorContent }> {
    const state: CellState = { value: undefined, hasValue: false, errors: [] };
    cell = state;
    let ok: boolean;
    currentScript = `In[${count}]`;
    mark('cell-start');
    try {
      ok = await executor.execute(expandShorthandProperties(String(msg.content.code ?? '')));
    } catch (e) {
      ok = false;
      state.errors.push([e]);
    } finally {
      cell = null;
      currentScript = null;
    }
    mark('cell-ran');
    afterCode();
    if (!ok) {
      const first = state.errors[0] ?? [new Error('the cell failed')];
      const isDiag = typeof first[0] === 'string' && /%d:%d/.test(first[0] as string);
      const err = isDiag ? describeDiagnostics(state.errors.map((a) => format(...a))) : describeError(first.length === 1 ? first[0] : format(...first), mapLine);
      return { ok: false, err };
    }
    if (state.hasValue && state.value !== null && typeof (state.value as { then?: unknown }).then === 'function') {
      // A cell ending in a promise (say `data.computeId2NN()` without await): show what it resolves to.
      try {
        state.value = await Promise.race([state.value as Promise<unknown>, new Promise((_, reject) => { abortCell = reject; })]);
      } catch (e) {
        return { ok: false, err: describeError(e, mapLine) };
      } finally {
        abortCell = null;
      }
      if (state.value === undefined || state.value === null) state.hasValue = false;
    }
    if (state.hasValue && !silent) {
      try {
        const bundle = await lib.mimeBundle(state.value);
        publish(msg, 'execute_result', { execution_count: count, data: bundle.data, metadata: bundle.metadata });
      } catch (e) {
        // The value could not be rendered: show its text and say why.
        publish(msg, 'execute_result', { execution_count: count, data: { 'text/plain': inspect(state.value, { depth: 2 }) }, metadata: {} });
        publish(msg, 'stream', { name: 'stderr', text: `dadalab: the chart could not be rendered: ${(e as Error).message}\n` });
      }
    }
    return { ok: true };
  }

  async function handleExecute(msg: Message, sock: (f: Buffer[]) => void): Promise<void> {
    const silent = !!msg.content.silent;
    const stopOnError = msg.content.stop_on_error !== false;
    const epoch = errorEpoch;
    waitingCells++;
    const job = queue.then(async () => {
      waitingCells--;
      const interruptedBeforeStart = interruptWaiting;
      interruptWaiting = false;
      journal?.startRequest();
      if (stopOnError && epoch !== errorEpoch) {
        // Queued before an earlier cell failed: skipped, as ipykernel does, and said so.
        status(msg, 'busy');
        if (!silent) publish(msg, 'stream', { name: 'stderr', text: 'dadalab: not run, because a cell queued before it failed\n' });
        sock(encode(key, replyTo(msg, 'execute_reply', { status: 'aborted', execution_count: executionCount })));
        status(msg, 'idle');
        return;
      }
      // As ipykernel: silent or store_history: false runs do not advance the execution count.
      const count = silent || msg.content.store_history === false ? executionCount : ++executionCount;
      status(msg, 'busy');
      if (!silent) publish(msg, 'execute_input', { code: msg.content.code, execution_count: count });
      running = msg;
      comms.enter(msg);
      let result: Awaited<ReturnType<typeof runCell>>;
      try {
        if (interruptedBeforeStart) {
          const evalue = 'The cell was interrupted before it started; the kernel is still running and keeps its variables';
          result = { ok: false, err: { ename: 'Interrupted', evalue, traceback: [`Interrupted: ${evalue}`] } };
        } else if (lateFaults.length) {
          // An earlier cell's callback threw after that cell had finished: said here, and this cell is not run.
          const first = lateFaults[0];
          const evalue = `${first.evalue}${lateFaults.length > 1 ? ` (and ${lateFaults.length - 1} more)` : ''}; it came after its cell had finished, so this cell was not run: run it again`;
          lateFaults = [];
          result = { ok: false, err: { ename: first.ename, evalue, traceback: [`${first.ename}: ${evalue}`, ...first.traceback.slice(1)] } };
        } else {
          result = await parentMessage.run(msg, () => runCell(msg, count, silent));
        }
      } finally {
        running = null;
      }
      if (result.ok) {
        sock(encode(key, replyTo(msg, 'execute_reply', { status: 'ok', execution_count: count, user_expressions: {}, payload: [] })));
      } else {
        errorEpoch++;
        if (!silent) publish(msg, 'error', result.err);
        sock(encode(key, replyTo(msg, 'execute_reply', { status: 'error', execution_count: count, ...result.err })));
      }
      status(msg, 'idle');
    });
    queue = job.catch(() => undefined);
    await job;
  }

  function kernelInfo(): Record<string, unknown> {
    const ts = tslabRequire('@tslab/typescript-for-tslab');
    return {
      protocol_version: '5.3',
      implementation: 'dadalab',
      implementation_version: require(path.resolve(__dirname, '..', '..', 'package.json')).version,
      language_info: {
        name: 'typescript', version: ts.version, mimetype: 'text/typescript', file_extension: '.ts',
        codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true },
      },
      banner: `dadalab (TypeScript, tslab ${tslabVersion}): Data, the estimators, the loaders, show() and the charts are preloaded`,
      help_links: [],
      status: 'ok',
    };
  }

  let closing = false;
  async function shutdown(): Promise<void> {
    if (closing) return;
    closing = true;
    setTimeout(() => process.exit(0), 300).unref();
    try { convs.close(); } catch { /* closing anyway */ }
  }

  const replays = new ReplayGuard();
  async function dispatch(frames: Buffer[], sock: (f: Buffer[]) => void, channel: 'shell' | 'control'): Promise<void> {
    let msg: Message;
    try {
      msg = decode(key, frames);
    } catch (e) {
      kernelLog(`[dadalab] dropped a ${channel} message: ${(e as Error).message}\n`);
      return;
    }
    if (key && !replays.fresh(msg.signature ?? '')) {
      kernelLog(`[dadalab] dropped a replayed ${channel} message (${msg.header?.msg_type}: its signature was seen before)\n`);
      return;
    }
    const type = msg.header.msg_type;
    const reply = (t: string, content: unknown) => sock(encode(key, replyTo(msg, t, content)));
    if (type === 'execute_request') {
      await handleExecute(msg, sock);
      return;
    }
    status(msg, 'busy');
    try {
      switch (type) {
        case 'kernel_info_request': reply('kernel_info_reply', kernelInfo()); break;
        case 'is_complete_request': reply('is_complete_reply', tslabHandler.handleIsComplete(msg.content)); break;
        case 'inspect_request': reply('inspect_reply', inspectInCall(ts, msg.content as any, (c) => tslabHandler.handleInspect(c))); break;
        case 'complete_request': reply('complete_reply', tslabHandler.handleComplete(msg.content)); break;
        case 'comm_info_request': reply('comm_info_reply', { status: 'ok', comms: comms.info(msg.content.target_name) }); break;
        case 'history_request': reply('history_reply', { status: 'ok', history: [] }); break;
        case 'interrupt_request':
          reply('interrupt_reply', { status: 'ok' });
          // A signal also breaks synchronous loops (vm breakOnSigint); the handler cancels async ones.
          process.kill(process.pid, 'SIGINT');
          break;
        case 'shutdown_request':
          reply('shutdown_reply', { status: 'ok', restart: !!msg.content.restart });
          void shutdown();
          break;
        case 'comm_open': case 'comm_msg': case 'comm_close':
          await comms.handle(msg);
          break;
        default:
          kernelLog(`[dadalab] unknown ${channel} message ${type}\n`);
      }
    } catch (e) {
      kernelLog(`[dadalab] ${type} failed: ${(e as Error).stack}\n`);
    } finally {
      status(msg, 'idle');
    }
  }

  // Every channel keeps listening whatever a receive or a send does (kernel/receive.ts): a
  // transient EAGAIN is retried, anything else is logged and the loop goes on. None of it may
  // become an unhandled rejection, which the next cell would report as its own failure.
  const listen = (name: string, sock: any, handle: (frames: Buffer[]) => unknown) => receiveEach(sock, handle, {
    onRetry: (e) => kernelLog(`[dadalab] ${name}: receive retried (${(e as Error)?.message ?? e})\n`),
    onError: (e) => { kernelLog(`[dadalab] ${name}: ${(e as Error)?.stack ?? e}\n`); return true; },
  });
  const dispatchFailed = (e: unknown) => kernelLog(`[dadalab] a request failed in the kernel: ${(e as Error)?.stack ?? e}\n`);
  void listen('shell', shell, (frames) => { dispatch(frames, sendShell, 'shell').catch(dispatchFailed); });
  void listen('control', control, (frames) => { dispatch(frames, sendControl, 'control').catch(dispatchFailed); });
  void listen('heartbeat', hb, (frames) => hb.send(frames));
  void listen('stdin', stdin, () => { /* input() is not supported */ });
  mark('ready');
  process.stderr.write(`[dadalab] kernel ready (library ${LIB_ENTRY})\n`);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`[dadalab] kernel failed to start: ${e?.stack ?? e}\n`);
    process.exit(1);
  });
}
