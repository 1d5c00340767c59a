/**
 * `dadalab run`: executes a notebook headlessly, cell by cell, with the embedded kernel client (no
 * Python) or through a Jupyter server (--server). Stops at the first failing cell, writes the
 * executed notebook (never over its input unless told) and, if asked, the HTML report.
 */
import { mkdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { EmbeddedKernel, KernelDiedError, type CellKernel, type IOPubMessage } from './client';
import { OutputCollector, dadalabMetadata, readNotebook, sourceText, writeNotebook, type Notebook, type Output } from './notebook';
import { defaultOutPath, planRun, writeFileAtomic, type RunTarget } from './outputs';
import { renderReport } from './report';
import { kernelProvenance, type Provenance } from './provenance';
import { JupyterServer } from './server';
import { terminalProgressSink } from '../widgets/progress';
import { portableWidgetOutputs, WidgetStateTracker } from './widgetState';

export interface RunOptions {
  /** Where to write the executed notebook (default: <name>.out.ipynb beside the input). */
  out?: string;
  /** Write the executed notebook into this folder, under the input's name. */
  outDir?: string;
  /** Write the executed notebook over the input (only with this flag); cells not reached keep their stored outputs. */
  inPlace?: boolean;
  /** Also write an HTML report here. */
  html?: string;
  /** Write the HTML report into this folder as <name>.html. */
  htmlDir?: string;
  /** The paths already planned (and checked) by planRun: the CLI plans every notebook before running any. */
  target?: RunTarget;
  /** Run through a Jupyter server (started here) instead of the embedded client. */
  server?: boolean;
  /** Show progress bars on this stream (the CLI passes stderr when it is a terminal). */
  progressStream?: NodeJS.WriteStream;
  /** Seconds a cell may run before it is interrupted and counted as failed (default: no limit). */
  timeout?: number;
  /** Keep the stored outputs of the cells a failure stops the run before (what --in-place does). */
  keepUnreached?: boolean;
  /** Called after every code cell. */
  onCell?: (index: number, cell: { source: string; status: string; seconds: number }) => void;
  /** Collects the widgets' state from the run's comm messages (runNotebook saves it in the notebook). */
  widgets?: WidgetStateTracker;
}

export interface CellFailure {
  index: number;
  source: string;
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface RunResult {
  ok: boolean;
  notebook: Notebook;
  out: string;
  html?: string;
  failure?: CellFailure;
  cellsRun: number;
  seconds: number;
}

function packageVersion(): string {
  try {
    return require(path.resolve(__dirname, '..', '..', 'package.json')).version;
  } catch {
    return '';
  }
}

export { defaultOutPath };

/** Seconds a timed-out cell gets to stop after its interrupt before the kernel is killed. */
const TIMEOUT_GRACE = 10;

function progressMirror(stream?: NodeJS.WriteStream): (m: IOPubMessage) => void {
  if (!stream) return () => undefined;
  const sink = terminalProgressSink(stream);
  const bars = new Map<string, { bar: ReturnType<typeof sink.start>; label: string; total: number }>();
  return (m) => {
    const p = (m.content?.metadata?.dadalab as { progress?: { label: string; done: number; total: number; finished: boolean } } | undefined)?.progress;
    const id = m.content?.transient?.display_id as string | undefined;
    if (!p || !id) return;
    let entry = bars.get(id);
    if (entry && (entry.label !== p.label || entry.total !== p.total)) { entry.bar.finish(); entry = undefined; }
    if (!entry) { entry = { bar: sink.start(p.label, p.total), label: p.label, total: p.total }; bars.set(id, entry); }
    entry.bar.update(p.done);
    if (p.finished) { entry.bar.finish(); bars.delete(id); }
  };
}

/** Executes every code cell of `nb` on `kernel`, in order; stops at the first failure. */
export async function executeCells(kernel: CellKernel, nb: Notebook, opts: Pick<RunOptions, 'onCell' | 'progressStream' | 'timeout' | 'keepUnreached' | 'widgets'> = {}):
Promise<{ failure?: CellFailure; cellsRun: number }> {
  const collector = new OutputCollector();
  const mirror = progressMirror(opts.progressStream);
  let cellsRun = 0;
  if (!opts.keepUnreached) {
    for (const cell of nb.cells) {
      if (cell.cell_type === 'code') { cell.outputs = []; cell.execution_count = null; }
    }
  }
  let lastCode = -1;
  for (let i = 0; i < nb.cells.length; i++) {
    const cell = nb.cells[i];
    if (cell.cell_type !== 'code') continue;
    lastCode = i;
    const source = sourceText(cell);
    const outputs: Output[] = [];
    cell.outputs = outputs;
    cell.execution_count = null;
    const t0 = Date.now();
    let reply: Awaited<ReturnType<CellKernel['execute']>>['reply'];
    let timedOut = false;
    let stuck: NodeJS.Timeout | null = null;
    let timer: NodeJS.Timeout | null = null;
    // --timeout: interrupt; a cell that still does not stop (it ignores SIGINT) ends the run anyway.
    const gaveUp = opts.timeout ? new Promise<'stuck'>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        void kernel.interrupt().catch(() => undefined);
        stuck = setTimeout(() => resolve('stuck'), TIMEOUT_GRACE * 1000);
      }, opts.timeout! * 1000);
    }) : null;
    try {
      const running = kernel.execute(source, (m) => { collector.add(outputs, m); mirror(m); opts.widgets?.add(m); });
      const first = gaveUp ? await Promise.race([running, gaveUp]) : await running;
      if (first === 'stuck') {
        running.catch(() => undefined);
        await kernel.shutdown().catch(() => undefined);
        const evalue = `the cell ran longer than the ${opts.timeout} s timeout and did not stop within ${TIMEOUT_GRACE} s of the interrupt; the kernel was shut down`;
        collector.finishCell(outputs);
        outputs.push({ output_type: 'error', ename: 'CellTimeout', evalue, traceback: [`CellTimeout: ${evalue}`] });
        return { cellsRun: cellsRun + 1, failure: { index: i, source, ename: 'CellTimeout', evalue, traceback: [`CellTimeout: ${evalue}`] } };
      }
      ({ reply } = first);
      if (timedOut && reply.status !== 'ok') {
        const evalue = `the cell ran longer than the ${opts.timeout} s timeout and was interrupted`;
        const err = outputs.find((o) => o.output_type === 'error');
        if (err) Object.assign(err, { ename: 'CellTimeout', evalue, traceback: [`CellTimeout: ${evalue}`] });
        reply = { ...reply, ename: 'CellTimeout', evalue, traceback: [`CellTimeout: ${evalue}`] };
      }
    } catch (e) {
      // The kernel died (process.exit in a cell, out of memory, killed, ...) or the connection failed:
      // this cell is the failure; what it printed before stays.
      collector.finishCell(outputs);
      const died = e instanceof KernelDiedError;
      const ename = died ? 'KernelDied' : 'RunnerError';
      const evalue = String((e as Error)?.message ?? e);
      const traceback = [`${ename}: ${evalue}`, ...(died && e.logTail.length ? ['The kernel\'s last log lines:', ...e.logTail.map((l) => `  ${l}`)] : [])];
      outputs.push({ output_type: 'error', ename, evalue, traceback });
      return { cellsRun: cellsRun + 1, failure: { index: i, source, ename, evalue, traceback } };
    } finally {
      if (timer) clearTimeout(timer);
      if (stuck) clearTimeout(stuck);
    }
    collector.finishCell(outputs);
    cellsRun++;
    cell.execution_count = reply.execution_count ?? null;
    opts.onCell?.(i, { source, status: reply.status, seconds: (Date.now() - t0) / 1000 });
    if (reply.status !== 'ok') {
      const err = outputs.find((o) => o.output_type === 'error');
      return {
        cellsRun,
        failure: {
          index: i, source,
          ename: String(err?.ename ?? reply.ename ?? (reply.status === 'aborted' ? 'Aborted' : 'Error')),
          evalue: String(err?.evalue ?? reply.evalue ?? `the kernel answered ${reply.status}`),
          traceback: (err?.traceback as string[] | undefined) ?? reply.traceback ?? [],
        },
      };
    }
  }
  // A callback of the last cell may have thrown after it finished: a silent request collects it.
  if (lastCode >= 0) {
    const late = await lateError(kernel);
    if (late) {
      const cell = nb.cells[lastCode];
      (cell.outputs ??= []).push({ output_type: 'error', ...late });
      return { cellsRun, failure: { index: lastCode, source: sourceText(cell), ...late } };
    }
  }
  return { cellsRun };
}

/** An error the kernel holds from a callback that threw after its cell had finished, if any. */
async function lateError(kernel: CellKernel): Promise<{ ename: string; evalue: string; traceback: string[] } | null> {
  try {
    const { reply } = await kernel.execute('', undefined, { silent: true });
    if (reply.status === 'ok') return null;
    return { ename: String(reply.ename ?? 'Error'), evalue: String(reply.evalue ?? ''), traceback: reply.traceback ?? [] };
  } catch (e) {
    const evalue = String((e as Error)?.message ?? e);
    return { ename: e instanceof KernelDiedError ? 'KernelDied' : 'RunnerError', evalue, traceback: [evalue] };
  }
}

function mtimeAndSize(file: string): string {
  try {
    const s = statSync(file);
    return `${s.mtimeMs} ${s.size}`;
  } catch {
    return 'gone';
  }
}

export async function runNotebook(input: string, opts: RunOptions = {}): Promise<RunResult> {
  const t0 = Date.now();
  const target = opts.target ?? planRun([input], opts)[0];
  const inputPath = target.input;
  const nb = readNotebook(inputPath);
  const before = mtimeAndSize(inputPath);
  const dir = path.dirname(path.resolve(target.given));
  let kernel: CellKernel | null = null;
  let server: JupyterServer | null = null;
  let result: { failure?: CellFailure; cellsRun: number };
  const widgets = new WidgetStateTracker();
  let provenance: Provenance | null = null;
  try {
    if (opts.server) {
      server = await JupyterServer.start({ rootDir: dir });
      kernel = await server.session(path.basename(target.given));
    } else {
      kernel = await EmbeddedKernel.start({ cwd: dir });
    }
    result = await executeCells(kernel, nb, { ...opts, keepUnreached: opts.keepUnreached ?? opts.inPlace, widgets });
    provenance = result.failure?.ename === 'KernelDied' ? null : await kernelProvenance(kernel);
  } finally {
    await kernel?.shutdown();
    await server?.stop();
  }
  // The widgets' last state (a re-run replaces an earlier run's; no widgets, no stale state). A
  // widget that needs dadalab's own views keeps its static chart only: the notebook is for readers
  // without a kernel, most of whom do not have those views (see portableWidgetOutputs).
  portableWidgetOutputs(nb.cells.flatMap((c) => (c.outputs ?? []) as Array<{ data?: Record<string, unknown> }>), widgets);
  const { widgets: _stale, ...metadata } = nb.metadata as Record<string, unknown>;
  const widgetState = widgets.metadata();
  nb.metadata = { ...metadata, ...dadalabMetadata(), ...(provenance ? { dadalab: provenance } : {}), ...(widgetState ? { widgets: widgetState } : {}) };
  let out = target.out;
  if (out === inputPath && mtimeAndSize(inputPath) !== before) {
    // Edited (or saved from Jupyter) while it ran: never overwrite those edits.
    out = defaultOutPath(inputPath);
    process.stderr.write(`dadalab: ${target.given} changed on disk while it ran; it is left as it is and the executed notebook goes to ${out}\n`);
  }
  mkdirSync(path.dirname(out), { recursive: true });
  writeNotebook(out, nb);
  let html: string | undefined;
  if (target.html) {
    html = target.html;
    mkdirSync(path.dirname(html), { recursive: true });
    writeFileAtomic(html, renderReport(nb, { title: path.basename(inputPath, '.ipynb'), footer: `${path.basename(inputPath)}, run by dadalab ${packageVersion()} on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC in ${((Date.now() - t0) / 1000).toFixed(1)} s${result.failure ? `; stopped at cell ${result.failure.index + 1} (${result.failure.ename})` : ''}` }));
  }
  return { ok: !result.failure, notebook: nb, out, html, failure: result.failure, cellsRun: result.cellsRun, seconds: (Date.now() - t0) / 1000 };
}
