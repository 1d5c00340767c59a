/**
 * The display bundle of a result or a chart: what a notebook cell shows when the value ends the
 * cell, or when it is passed to `show()`. One bundle, three MIME types:
 * `application/vnd.vegalite.v5+json` (JupyterLab renders v5, not v6, interactively), `image/png`
 * (vega's SVG rasterised in Node, for every viewer that does not run vega: the classic Notebook
 * untrusted or trusted, nbconvert's default HTML, sanitising renderers of code-hosting sites) and
 * `text/plain` (the result's one-line summary). No `image/svg+xml`: the classic Notebook ignores
 * it when untrusted, nbconvert 6.5 prefers it to the PNG and blanks it, sanitisers strip it, and
 * it repeats every data point a second time (a 10k-point scatter is 2.8 MB of SVG).
 * The spec's inline data is thinned above MAX_INLINE_POINTS rows (the title says so) and rounded to
 * 5 significant digits, and large data sets are stored as one CSV string; the PNG is drawn from up to MAX_RASTER_POINTS rows, so a dense scatter
 * shows all its points at a fixed size in bytes.
 */
import { inspect } from 'node:util';
import { Chart, type AnySpec } from './chart';
import { capSpec, MAX_INLINE_POINTS, MAX_RASTER_POINTS, packData, renderSvg, roundData } from './render';
import { chartPng } from './png';
import { requestCancel, setProgressSink } from '../lib/runtime/progress';
import { terminalProgressSink } from './progress';

export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';
export const SVG_MIME = 'image/svg+xml';
export const PNG_MIME = 'image/png';
/** Objects may define their own bundle under this symbol (an async method returning MIME data). */
export const MIME_BUNDLE = Symbol.for('dadalab.mimebundle');
/** Deno's kernel protocol (`[Symbol.for('Jupyter.display')]()` returns a MIME bundle): honoured too. */
export const JUPYTER_DISPLAY = Symbol.for('Jupyter.display');

export interface MimeBundle {
  data: { [mime: string]: unknown };
  metadata: { [mime: string]: unknown };
}

interface PlotLike {
  summary(): string;
  plot?(options?: Record<string, unknown>): Chart;
}

/** True for values the kernel renders as a bundle: charts, results with summary()/plot(), MIME_BUNDLE objects. */
export function isDisplayable(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const v = value as Record<string | symbol, unknown>;
  return value instanceof Chart || typeof v[MIME_BUNDLE] === 'function' || typeof v[JUPYTER_DISPLAY] === 'function'
    || (typeof v.summary === 'function' && (typeof v.plot === 'function' || isChartLike(v)));
}

function isChartLike(v: Record<string | symbol, unknown>): boolean {
  return v.spec !== null && typeof v.spec === 'object' && typeof v.summary === 'function';
}

/** The bundle of a chart: vega-lite v5 JSON (thinned, rounded), its PNG, and the text. */
export async function chartBundle(chart: Chart | { spec: AnySpec }, text: string,
  maxPoints = MAX_INLINE_POINTS): Promise<MimeBundle> {
  const { spec } = capSpec(chart.spec, maxPoints);
  const raster = capSpec(chart.spec, Math.max(maxPoints, MAX_RASTER_POINTS)).spec;
  const png = await chartPng(await renderSvg(raster));
  return {
    data: { [VEGALITE_MIME]: packData(roundData(spec)), [PNG_MIME]: png.bytes.toString('base64'), 'text/plain': text },
    // Jupyter, nbconvert and GitHub show the PNG at this size (it has PNG_SCALE times the pixels).
    metadata: { [PNG_MIME]: { width: png.width, height: png.height } },
  };
}

function isWholeBundle(v: unknown): v is MimeBundle {
  if (!v || typeof v !== 'object') return false;
  const keys = Object.keys(v);
  return keys.includes('data') && keys.every((k) => k === 'data' || k === 'metadata') && typeof (v as MimeBundle).data === 'object';
}

/** The bundle of any displayable value; plain text (util.inspect-like) for others. */
export async function mimeBundle(value: unknown): Promise<MimeBundle> {
  const v = value as Record<string | symbol, unknown> & PlotLike;
  for (const sym of [MIME_BUNDLE, JUPYTER_DISPLAY]) {
    if (v !== null && typeof v === 'object' && typeof v[sym] === 'function') {
      const out = await (v[sym] as () => Promise<MimeBundle['data'] | MimeBundle> | MimeBundle['data'] | MimeBundle)();
      // either the MIME data, or a whole bundle { data, metadata } (MIME types always have a '/')
      if (isWholeBundle(out)) return { data: out.data, metadata: out.metadata ?? {} };
      return { data: out as MimeBundle['data'], metadata: {} };
    }
  }
  if (value instanceof Chart || (isChartLike(v) && typeof v.plot !== 'function')) {
    return chartBundle(v as unknown as Chart, v.summary());
  }
  if (v !== null && typeof v === 'object' && typeof v.summary === 'function') {
    const text = String(v.summary());
    if (typeof v.plot === 'function') {
      const chart = v.plot();
      if (chart && typeof chart === 'object' && (chart as Chart).spec) return chartBundle(chart, text);
    }
    return { data: { 'text/plain': text }, metadata: {} };
  }
  return { data: { 'text/plain': plainText(value) }, metadata: {} };
}

const TYPED = (v: unknown): v is ArrayLike<number> & { constructor: { name: string } } =>
  ArrayBuffer.isView(v) && !(v instanceof DataView);

function isMatrixLike(v: unknown): v is { rows: number; cols: number; data: ArrayLike<number> } {
  const m = v as { rows?: unknown; cols?: unknown; data?: unknown };
  return !!m && typeof m === 'object' && typeof m.rows === 'number' && typeof m.cols === 'number' && TYPED(m.data);
}

function short(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === 'string') return v.length > 40 ? JSON.stringify(v.slice(0, 37) + '...') : JSON.stringify(v);
  if (TYPED(v)) return `${v.constructor.name}(${v.length})`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (isMatrixLike(v)) return `Matrix ${v.rows} x ${v.cols}`;
  if (typeof v === 'function') return '[function]';
  if (v && typeof v === 'object') return v.constructor && v.constructor !== Object ? v.constructor.name : '{...}';
  return String(v);
}

/**
 * The text of a value that has no summary(): util.inspect, except for a Matrix (its shape and
 * first rows) and for big class instances such as Data (their set fields, one line each, instead
 * of hundreds of lines of typed arrays).
 */
export function plainText(value: unknown): string {
  if (isMatrixLike(value)) {
    const { rows, cols, data } = value;
    const show = Math.min(rows, 5);
    const lines = [];
    for (let i = 0; i < show; i++) {
      const row = [];
      for (let j = 0; j < Math.min(cols, 8); j++) row.push(short(data[i * cols + j]));
      lines.push(`  [${row.join(', ')}${cols > 8 ? `, ... ${cols - 8} more` : ''}]`);
    }
    const dtype = (data as { constructor: { name: string } }).constructor.name.replace('Array', '').toLowerCase();
    return `Matrix ${rows} x ${cols} (${dtype})\n${lines.join('\n')}${rows > show ? `\n  ... ${rows - show} more rows` : ''}`;
  }
  const text = inspect(value, { depth: 3, maxArrayLength: 20 });
  const proto = value && typeof value === 'object' ? Object.getPrototypeOf(value) : null;
  if (text.split('\n').length <= 30 || !proto || proto === Object.prototype || Array.isArray(value)) return text;
  const fields = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined);
  return `${proto.constructor?.name ?? 'Object'} {\n${fields.map(([k, v]) => `  ${k}: ${short(v)}`).join('\n')}\n}`;
}

/** Set by the dadalab kernel: sends a display bundle to the notebook of the running cell. */
interface KernelHooks {
  display(bundle: MimeBundle): Promise<void> | void;
}

function kernelHooks(): KernelHooks | undefined {
  return (globalThis as { __dadalab_kernel__?: KernelHooks }).__dadalab_kernel__;
}

/**
 * Shows a result or a chart in the notebook (vega-lite + SVG + summary) wherever it is called,
 * not only at the end of a cell; outside the kernel it prints the summary. Several values show
 * one after another. Await it so the output lands in this cell.
 */
export async function show(...values: unknown[]): Promise<void> {
  const hooks = kernelHooks();
  for (const value of values) {
    if (hooks) {
      await hooks.display(await mimeBundle(value));
    } else {
      const v = value as PlotLike;
      console.log(v && typeof v.summary === 'function' ? v.summary() : value);
    }
  }
}

/**
 * For scripts run in a terminal: long computations show a cli-progress bar on stderr, and (with
 * `cancelOnSigint`, the default) the first Ctrl-C stops the running computation at its next
 * checkpoint with a CancelledError instead of killing the process; a second Ctrl-C exits.
 * Returns a function that restores the previous state. The kernel installs its own sink.
 */
export function useTerminalProgress(opts: { stream?: NodeJS.WriteStream; cancelOnSigint?: boolean } = {}): () => void {
  const previous = setProgressSink(terminalProgressSink(opts.stream ?? process.stderr));
  let pressed = 0;
  const onSigint = () => {
    if (++pressed > 1) process.exit(130);
    requestCancel();
    setTimeout(() => { pressed = 0; }, 2000).unref();
  };
  if (opts.cancelOnSigint !== false) process.on('SIGINT', onSigint);
  return () => {
    setProgressSink(previous);
    process.removeListener('SIGINT', onSigint);
  };
}
