/**
 * Renders a vega-lite v5 spec to SVG in plain Node (no canvas), with vega and vega-lite loaded by a
 * real dynamic import(): both are ESM-only with top-level await, so `require()` cannot load them and
 * TypeScript's CommonJS output would turn `import()` into `require()`. A Function-built import()
 * keeps the native one (it works from notebook cells too, checked in test/kernel).
 */
import { pathToFileURL } from 'node:url';
import type { AnySpec } from './chart';
import { vegaTextWidth } from './fonts';

const functionImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

function fileImport(specifier: string): Promise<any> {
  const { existsSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  for (const p of [join(__dirname, 'esm-import.cjs'), join(__dirname, '..', '..', 'widgets', 'esm-import.cjs')]) {
    if (existsSync(p)) return (require(p) as (s: string) => Promise<any>)(specifier);
  }
  return Promise.reject(new Error('widgets/esm-import.cjs is missing'));
}

function nativeImport(specifier: string): Promise<any> {
  let p: Promise<any>;
  try {
    p = functionImport(specifier);
  } catch (e) {
    p = Promise.reject(e);
  }
  return p.catch((e: Error & { code?: string }) => {
    if (e?.code === 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING' || /dynamic import callback/i.test(String(e?.message))) return fileImport(specifier);
    throw e;
  });
}

let engines: Promise<{ vega: any; vl: any }> | null = null;

function resolveEsm(name: string): string {
  // require.resolve honours the package's exports map ("default" condition); import() needs a URL.
  return pathToFileURL(require.resolve(name)).href;
}

/** vega + vega-lite, imported once per process. */
export function loadVega(): Promise<{ vega: any; vl: any }> {
  engines ??= Promise.all([nativeImport(resolveEsm('vega')), nativeImport(resolveEsm('vega-lite'))])
    .then(([vega, vl]) => {
      // text measured in the font the PNG is drawn with, not vega's 0.8 em a character (widgets/fonts.ts)
      vega.textMetrics.width = vegaTextWidth;
      return { vega, vl };
    });
  return engines;
}

/** Rows above which a chart's inline vega-lite data is thinned in the notebook. */
export const MAX_INLINE_POINTS = 2000;
/** Rows drawn into a chart's PNG (its size in bytes does not grow with them). */
export const MAX_RASTER_POINTS = 50000;
/** Significant digits of the numbers in a notebook chart's inline data. */
export const INLINE_DIGITS = 5;

/**
 * Rounds every number in the inline `data.values` of a spec to `digits` significant digits: a chart
 * needs no more, and 17-digit doubles triple a scatter's bytes in the notebook.
 */
export function roundData(spec: AnySpec, digits = INLINE_DIGITS): AnySpec {
  const round = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(digits)) : v;
    if (Array.isArray(v)) return v.map(round);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round(x)]));
    return v;
  };
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k === 'data' && v && typeof v === 'object' && Array.isArray((v as { values?: unknown }).values)) {
        out[k] = { ...(v as object), values: round((v as { values: unknown[] }).values) };
      } else {
        out[k] = visit(v);
      }
    }
    return out;
  };
  return visit(spec) as AnySpec;
}

export interface CappedSpec {
  spec: AnySpec;
  /** Rows in the largest inline data set before thinning. */
  rows: number;
  /** Rows kept per data set (equal to rows when nothing was dropped). */
  kept: number;
}

/** Inline data sets with more rows than this are written as one CSV string in the notebook. */
export const CSV_MIN_ROWS = 100;

type Cell = number | string | boolean;

function csvField(v: Cell): string {
  const t = String(v);
  return /[",\n\r]|^\s|\s$/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/**
 * The inline data of a chart as CSV: `{ values: "x,y\n0.1,2\n...", format: { type: 'csv', parse } }`
 * (vega-lite v5 inline data may be a string in a given format), with an explicit parse type per
 * column, so nothing is re-typed by guessing. A notebook stores a spec's rows one field per line
 * (nbformat's indentation): as one string, a 2000-point scatter takes about a quarter of the bytes.
 * Only flat rows with the same keys and non-null numbers, strings or booleans are packed; any other
 * data set stays as it is.
 */
export function packData(spec: AnySpec, minRows = CSV_MIN_ROWS): AnySpec {
  const pack = (data: { values: unknown[]; format?: unknown }): object | null => {
    const rows = data.values;
    if (rows.length < minRows || data.format !== undefined) return null;
    const first = rows[0];
    if (!first || typeof first !== 'object' || Array.isArray(first)) return null;
    const keys = Object.keys(first);
    if (keys.length === 0 || keys.some((k) => /[",\n\r]/.test(k))) return null;
    const types = keys.map((k) => typeof (first as Record<string, unknown>)[k]);
    const lines = [keys.map((k) => csvField(k)).join(',')];
    for (const row of rows) {
      if (!row || typeof row !== 'object' || Array.isArray(row)) return null;
      const r = row as Record<string, unknown>;
      if (Object.keys(r).length !== keys.length) return null;
      const fields: string[] = [];
      for (let j = 0; j < keys.length; j++) {
        const v = r[keys[j]];
        if (typeof v !== types[j] || (typeof v === 'number' && !Number.isFinite(v))) return null;
        if (typeof v === 'string' && v === '') return null; // would read back as null
        if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') return null;
        fields.push(csvField(v as Cell));
      }
      lines.push(fields.join(','));
    }
    const parse = Object.fromEntries(keys.map((k, j) => [k, types[j]]));
    const { values: _rows, ...rest } = data;
    return { ...rest, values: lines.join('\n'), format: { type: 'csv', parse } };
  };
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k === 'data' && v && typeof v === 'object' && Array.isArray((v as { values?: unknown }).values)) {
        out[k] = pack(v as { values: unknown[] }) ?? v;
      } else {
        out[k] = visit(v);
      }
    }
    return out;
  };
  return visit(spec) as AnySpec;
}

/**
 * Thins every inline `data.values` array longer than `max` to an evenly strided subset (first and
 * last rows kept, deterministic), so a 100k-point scatter writes about 1 MB, not 28 MB, into the
 * notebook. The title says what was dropped.
 */
export function capSpec(spec: AnySpec, max = MAX_INLINE_POINTS): CappedSpec {
  let rows = 0;
  let kept = 0;
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k === 'data' && v && typeof v === 'object' && Array.isArray((v as { values?: unknown }).values)) {
        const values = (v as { values: unknown[] }).values;
        rows = Math.max(rows, values.length);
        const thinned = values.length > max ? stride(values, max) : values;
        kept = Math.max(kept, thinned.length);
        out[k] = { ...(v as object), values: thinned };
      } else {
        out[k] = visit(v);
      }
    }
    return out;
  };
  const capped = visit(spec) as AnySpec;
  if (rows > max) {
    const note = `(${kept.toLocaleString('en-US')} of ${rows.toLocaleString('en-US')} points shown)`;
    const t = capped.title;
    if (typeof t === 'string') capped.title = { text: t, subtitle: note };
    else if (t && typeof t === 'object') capped.title = { ...(t as object), subtitle: note };
    else capped.title = { text: '', subtitle: note };
  }
  return { spec: capped, rows, kept: rows > max ? kept : rows };
}

function stride<T>(values: T[], max: number): T[] {
  const out: T[] = [];
  const step = (values.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(values[Math.round(i * step)]);
  return out;
}

/** The SVG of a vega-lite spec, rendered headlessly. */
export async function renderSvg(spec: AnySpec): Promise<string> {
  const { vega, vl } = await loadVega();
  // vega-lite's warnings (e.g. about band sizes) would go to the cell's stderr: keep errors only.
  const compiled = vl.compile(withoutSchema(spec), { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** vega-lite 6 compiles our v5 specs unchanged; dropping $schema avoids its version warning. */
export function withoutSchema(spec: AnySpec): AnySpec {
  const { $schema: _drop, ...rest } = spec as { $schema?: unknown };
  return rest;
}

/**
 * Imports an ES module (even one with top-level await, such as vega) from a notebook cell, where
 * tslab turns every `import` into `require()`. The specifier is resolved from the notebook's
 * folder first, then from dadalab's own dependencies.
 *
 *     const vl = await importESM('vega-lite');
 */
export async function importESM(specifier: string): Promise<any> {
  if (/^(node:|file:|data:)/.test(specifier)) return nativeImport(specifier);
  const { createRequire } = require('node:module') as typeof import('node:module');
  const { join } = require('node:path') as typeof import('node:path');
  let resolved: string;
  try {
    resolved = createRequire(join(process.cwd(), 'notebook.js')).resolve(specifier);
  } catch {
    try {
      resolved = require.resolve(specifier);
    } catch {
      const { InputError } = require('../lib/errors') as typeof import('../lib/errors');
      throw new InputError(`Cannot find the module '${specifier}' from ${process.cwd()} or from dadalab's dependencies`,
        `Install it (npm install ${specifier}) in the notebook's folder or a parent folder`);
    }
  }
  return nativeImport(pathToFileURL(resolved).href);
}
