/**
 * Renders a vega-lite v5 spec to SVG in plain Node (no canvas), with vega and vega-lite loaded by a
 * real dynamic import(): both are ESM-only with top-level await, so `require()` cannot load them and
 * TypeScript's CommonJS output would turn `import()` into `require()`. A Function-built import()
 * keeps the native one (it works from notebook cells too, checked in test/kernel).
 */
import { pathToFileURL } from 'node:url';
import type { VegaLiteSpec } from './chart';

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
    .then(([vega, vl]) => ({ vega, vl }));
  return engines;
}

/** Points above which a chart's inline data is thinned for the notebook (SVG and spec alike). */
export const MAX_INLINE_POINTS = 5000;

export interface CappedSpec {
  spec: VegaLiteSpec;
  /** Rows in the largest inline data set before thinning. */
  rows: number;
  /** Rows kept per data set (equal to rows when nothing was dropped). */
  kept: number;
}

/**
 * Thins every inline `data.values` array longer than `max` to an evenly strided subset (first and
 * last rows kept, deterministic), so a 100k-point scatter writes about 1 MB, not 28 MB, into the
 * notebook. The title says what was dropped.
 */
export function capSpec(spec: VegaLiteSpec, max = MAX_INLINE_POINTS): CappedSpec {
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
  const capped = visit(spec) as VegaLiteSpec;
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
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
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
export function withoutSchema(spec: VegaLiteSpec): VegaLiteSpec {
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
      const { DadalabError } = require('../lib/errors') as typeof import('../lib/errors');
      throw new DadalabError(`Cannot find the module '${specifier}' from ${process.cwd()} or from dadalab's dependencies`,
        `Install it (npm install ${specifier}) in the notebook's folder or a parent folder`);
    }
  }
  return nativeImport(pathToFileURL(resolved).href);
}
