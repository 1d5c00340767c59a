import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Matrix } from '../lib/matrix';
import { parseNpy, npyToMatrix } from '../lib/io/npy';
import type { RecordedDraw } from '../lib/stats/rng';

/** A stored value of a parity case: {dtype, shape, value} (see parity/README.md). */
export interface StoredValue {
  dtype: string;
  shape: number[] | null;
  value: unknown;
}

export interface CaseInput {
  name: string;
  npy?: string;
  csv?: string;
  file?: string;
  shape?: number[];
  dtype?: string;
  inline?: unknown;
  transform?: string;
}

export interface CaseStep {
  op: 'init' | 'call' | string;
  class?: string;
  coordinates?: string;
  distances?: unknown;
  method?: string;
  kwargs?: Record<string, unknown>;
  python?: string;
  returned?: Record<string, StoredValue> | null;
  attributes?: Record<string, StoredValue> | null;
  rng_draws?: RecordedDraw[];
  warnings?: string[];
}

export interface ParityCase {
  case: string;
  description?: string;
  notes?: string[];
  inputs: Record<string, CaseInput>;
  steps: CaseStep[];
  /** Folder the case's relative input paths start from (the parent of cases/). */
  root: string;
  file: string;
}

export function loadCase(file: string): ParityCase {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  // inputs are "data/<name>" relative to the parent of the cases/ folder
  const root = dirname(dirname(file));
  return { ...json, root, file };
}

/** An input array: a Matrix for 2-D arrays, a Float64Array for 1-D ones. */
export type InputValue = Matrix | Float64Array;

export function loadInputs(c: ParityCase): Map<string, InputValue> {
  const out = new Map<string, InputValue>();
  for (const [key, inp] of Object.entries(c.inputs)) {
    let value = readInput(c.root, inp);
    if (inp.transform) value = applyTransform(value, inp.transform);
    out.set(key, value);
  }
  return out;
}

function readInput(root: string, inp: CaseInput): InputValue {
  if (inp.inline !== undefined && !inp.transform) return fromNested(inp.inline);
  if (inp.npy) {
    const a = parseNpy(readFileSync(join(root, inp.npy)), inp.npy);
    if (a.shape.length === 1) return Float64Array.from(a.data as ArrayLike<number>, Number);
    return npyToMatrix(a, inp.npy).toFloat64();
  }
  if (inp.file) {
    // whitespace-separated text (np.genfromtxt / np.loadtxt)
    const text = readFileSync(join(root, inp.file), 'utf8');
    const rows = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'))
      .map((l) => l.split(/\s+/).map(Number));
    if (rows.length > 0 && rows[0].length === 1 && (!inp.shape || inp.shape.length === 1)) {
      return Float64Array.from(rows, (r) => r[0]);
    }
    return Matrix.fromRows(rows);
  }
  if (inp.inline !== undefined) return fromNested(inp.inline);
  throw new Error(`input ${inp.name} has no npy, file or inline data`);
}

function fromNested(v: unknown): InputValue {
  if (Array.isArray(v) && Array.isArray(v[0])) return Matrix.fromRows(v as number[][]);
  return Float64Array.from(v as number[]);
}

/**
 * The few NumPy slicing transforms the cases use, `NAME[rows, cols]` with each part `:`,
 * `a:b`, or a list `[0, 2]`. Anything else is refused so a new case fails loudly.
 */
export function applyTransform(v: InputValue, transform: string): InputValue {
  const m = /^\s*\w+\s*\[(.*)\]\s*$/.exec(transform);
  if (!m) throw new Error(`unsupported input transform '${transform}'`);
  const parts = splitTop(m[1]);
  if (!(v instanceof Matrix)) {
    if (parts.length !== 1) throw new Error(`transform '${transform}' indexes a 1-D input with ${parts.length} axes`);
    const idx = sliceIndex(parts[0], v.length, transform);
    return Float64Array.from(idx, (i) => v[i]);
  }
  const rows = sliceIndex(parts[0] ?? ':', v.rows, transform);
  const cols = sliceIndex(parts[1] ?? ':', v.cols, transform);
  return v.selectRows(rows).selectColumns(cols);
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  if (cur.trim().length) out.push(cur.trim());
  return out;
}

function sliceIndex(part: string, n: number, transform: string): number[] {
  const p = part.trim();
  if (p.startsWith('[')) return JSON.parse(p).map((i: number) => (i < 0 ? n + i : i));
  if (/^-?\d+$/.test(p)) { const i = Number(p); return [i < 0 ? n + i : i]; }
  const s = /^(-?\d*)\s*:\s*(-?\d*)(?:\s*:\s*(-?\d*))?$/.exec(p);
  if (!s) throw new Error(`unsupported slice '${p}' in transform '${transform}'`);
  const norm = (x: string, dflt: number) => (x === '' ? dflt : Number(x) < 0 ? Math.max(0, n + Number(x)) : Math.min(n, Number(x)));
  const step = s[3] ? Number(s[3]) : 1;
  if (step <= 0) throw new Error(`unsupported slice step in '${transform}'`);
  const a = norm(s[1], 0), b = norm(s[2], n);
  const out: number[] = [];
  for (let i = a; i < b; i += step) out.push(i);
  return out;
}

/** Decodes a stored value into plain JS: null, a number, or nested arrays of numbers (NaN strings mapped). */
export function decodeValue(v: StoredValue): unknown {
  if (v.dtype === 'none') return null;
  return mapLeaves(v.value, (x) => (x === 'NaN' ? NaN : x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : x));
}

function mapLeaves(v: unknown, f: (x: unknown) => unknown): unknown {
  return Array.isArray(v) ? v.map((x) => mapLeaves(x, f)) : f(v);
}
