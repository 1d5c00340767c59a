/**
 * `dadalab run`: executes a notebook headlessly, cell by cell, with the embedded kernel client (no
 * Python) or through a Jupyter server (--server). Stops at the first failing cell, writes the
 * executed notebook (never over its input unless told) and, if asked, the HTML report.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DadalabError } from '../lib/errors';
import { EmbeddedKernel, type CellKernel, type IOPubMessage } from './client';
import { OutputCollector, dadalabMetadata, readNotebook, sourceText, writeNotebook, type Notebook, type Output } from './notebook';
import { renderReport } from './report';
import { kernelProvenance, type Provenance } from './provenance';
import { JupyterServer } from './server';
import { terminalProgressSink } from '../widgets/progress';
import { portableWidgetOutputs, WidgetStateTracker } from './widgetState';

export interface RunOptions {
  /** Where to write the executed notebook (default: <name>.out.ipynb beside the input). */
  out?: string;
  /** Write the executed notebook over the input (only with this flag). */
  inPlace?: boolean;
  /** Also write an HTML report here. */
  html?: string;
  /** Run through a Jupyter server (started here) instead of the embedded client. */
  server?: boolean;
  /** Show progress bars on this stream (the CLI passes stderr when it is a terminal). */
  progressStream?: NodeJS.WriteStream;
  /** Seconds a cell may run before it is interrupted and counted as failed (default: no limit). */
  timeout?: number;
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

export function defaultOutPath(input: string): string {
  return input.replace(/(\.ipynb)?$/, '.out.ipynb');
}

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
export async function executeCells(kernel: CellKernel, nb: Notebook, opts: Pick<RunOptions, 'onCell' | 'progressStream' | 'timeout' | 'widgets'> = {}):
Promise<{ failure?: CellFailure; cellsRun: number }> {
  const collector = new OutputCollector();
  const mirror = progressMirror(opts.progressStream);
  let cellsRun = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type === 'code') { cell.outputs = []; cell.execution_count = null; }
  }
  for (let i = 0; i < nb.cells.length; i++) {
    const cell = nb.cells[i];
    if (cell.cell_type !== 'code') continue;
    const source = sourceText(cell);
    const outputs: Output[] = [];
    cell.outputs = outputs;
    const t0 = Date.now();
    let reply: Awaited<ReturnType<CellKernel['execute']>>['reply'];
    let timedOut = false;
    const timer = opts.timeout ? setTimeout(() => { timedOut = true; void kernel.interrupt(); }, opts.timeout * 1000) : null;
    try {
      ({ reply } = await kernel.execute(source, (m) => { collector.add(outputs, m); mirror(m); opts.widgets?.add(m); }));
      if (timedOut && reply.status !== 'ok') {
        const evalue = `the cell ran longer than the ${opts.timeout} s timeout and was interrupted`;
        const err = outputs.find((o) => o.output_type === 'error');
        if (err) Object.assign(err, { ename: 'CellTimeout', evalue, traceback: [`CellTimeout: ${evalue}`] });
        reply = { ...reply, ename: 'CellTimeout', evalue, traceback: [`CellTimeout: ${evalue}`] };
      }
    } catch (e) {
      // The kernel died (process.exit in a cell, out of memory, ...): this cell is the failure.
      const message = String((e as Error)?.message ?? e).split('\n')[0];
      outputs.push({ output_type: 'error', ename: 'KernelDied', evalue: message, traceback: [`KernelDied: ${message}`] });
      return { cellsRun: cellsRun + 1, failure: { index: i, source, ename: 'KernelDied', evalue: message, traceback: [`KernelDied: ${message}`] } };
    } finally {
      if (timer) clearTimeout(timer);
    }
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
  return { cellsRun };
}

export async function runNotebook(input: string, opts: RunOptions = {}): Promise<RunResult> {
  const t0 = Date.now();
  const inputPath = path.resolve(input);
  if (!existsSync(inputPath)) {
    throw new DadalabError(`The notebook ${inputPath} does not exist`, 'Check the path; it is resolved from the current folder');
  }
  const out = path.resolve(opts.inPlace ? inputPath : (opts.out ?? defaultOutPath(inputPath)));
  if (out === inputPath && !opts.inPlace) {
    throw new DadalabError(`--out ${opts.out} is the input notebook`, 'Pass another --out path, or --in-place to overwrite the input');
  }
  const nb = readNotebook(inputPath);
  const dir = path.dirname(inputPath);
  let kernel: CellKernel | null = null;
  let server: JupyterServer | null = null;
  let result: { failure?: CellFailure; cellsRun: number };
  const widgets = new WidgetStateTracker();
  let provenance: Provenance | null = null;
  try {
    if (opts.server) {
      server = await JupyterServer.start({ rootDir: dir });
      kernel = await server.session(path.basename(inputPath));
    } else {
      kernel = await EmbeddedKernel.start({ cwd: dir });
    }
    result = await executeCells(kernel, nb, { ...opts, widgets });
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
  mkdirSync(path.dirname(out), { recursive: true });
  writeNotebook(out, nb);
  let html: string | undefined;
  if (opts.html) {
    html = path.resolve(opts.html);
    mkdirSync(path.dirname(html), { recursive: true });
    writeFileSync(html, renderReport(nb, { title: path.basename(inputPath, '.ipynb'), footer: `${path.basename(inputPath)}, run by dadalab ${packageVersion()} on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC in ${((Date.now() - t0) / 1000).toFixed(1)} s${result.failure ? `; stopped at cell ${result.failure.index + 1} (${result.failure.ename})` : ''}` }));
  }
  return { ok: !result.failure, notebook: nb, out, html, failure: result.failure, cellsRun: result.cellsRun, seconds: (Date.now() - t0) / 1000 };
}
