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

/**
 * An input array: a Matrix for a 2-D array, a Float64Array for a 1-D float array, an Int32Array
 * for a 1-D integer array (labels, indices), a list of Matrices for a 3-D array (one per index of
 * the first axis), a string[] for text, and nested arrays as they are for a ragged list.
 */
export type InputValue = Matrix | Float64Array | Int32Array | Matrix[] | string[] | unknown[];

export function loadInputs(c: ParityCase): Map<string, InputValue> {
  const out = new Map<string, InputValue>();
  for (const [key, inp] of Object.entries(c.inputs)) {
    let value = readInput(c.root, inp);
    if (inp.transform) value = applyTransform(value, inp.transform);
    out.set(key, value);
  }
  return out;
}

const INT_DTYPE = /^[<>|=]?[iu]\d$|^u?int\d*$/;

/** A flat numeric array of a given shape as our input value (1-D, 2-D Matrix, 3-D list of Matrices). */
function shaped(data: ArrayLike<number | bigint>, shape: number[], integer: boolean, source: string): InputValue {
  const nums = Float64Array.from({ length: data.length }, (_, i) => Number(data[i]));
  if (shape.length <= 1) {
    if (integer && nums.every((v) => Number.isInteger(v) && Math.abs(v) < 2 ** 31)) return Int32Array.from(nums);
    return nums;
  }
  if (shape.length === 2) return new Matrix(nums, shape[0], shape[1]);
  if (shape.length === 3) {
    const [a, b, c] = shape;
    return Array.from({ length: a }, (_, i) => new Matrix(nums.slice(i * b * c, (i + 1) * b * c), b, c));
  }
  throw new Error(`${source}: arrays of rank ${shape.length} are not supported (1-D, 2-D and 3-D are)`);
}

function readInput(root: string, inp: CaseInput): InputValue {
  if (inp.inline !== undefined && !inp.transform) return fromNested(inp.inline, inp.dtype);
  if (inp.npy) {
    const a = parseNpy(readFileSync(join(root, inp.npy)), inp.npy);
    if (Array.isArray(a.data)) return a.data as string[];
    return shaped(a.data as ArrayLike<number | bigint>, a.shape, INT_DTYPE.test(a.dtype), inp.npy);
  }
  if (inp.file || inp.csv) {
    // whitespace- or comma-separated text (np.genfromtxt / np.loadtxt / the .csv copies)
    const rel = (inp.file ?? inp.csv) as string;
    const text = readFileSync(join(root, rel), 'utf8');
    const rows = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'))
      .map((l) => l.split(/[\s,]+/).map(Number));
    const integer = inp.dtype !== undefined && INT_DTYPE.test(inp.dtype);
    if (rows.length > 0 && rows[0].length === 1 && (!inp.shape || inp.shape.length === 1)) {
      return shaped(rows.map((r) => r[0]), [rows.length], integer, rel);
    }
    if (inp.shape && inp.shape.length === 3) return shaped(rows.flat(), inp.shape, integer, rel);
    return Matrix.fromRows(rows);
  }
  if (inp.inline !== undefined) return fromNested(inp.inline, inp.dtype);
  throw new Error(`input ${inp.name} has no npy, csv, file or inline data`);
}

function depthOf(v: unknown): number {
  let d = 0;
  while (Array.isArray(v)) { d++; v = v[0]; }
  return d;
}

function fromNested(v: unknown, dtype?: string): InputValue {
  if (!Array.isArray(v)) return Float64Array.of(Number(v));
  if (v.some((x) => typeof x === 'string')) return v as string[];
  const d = depthOf(v);
  const integer = dtype !== undefined && INT_DTYPE.test(dtype);
  if (d === 1) return shaped(v as number[], [v.length], integer, 'inline input');
  const rect = (a: unknown[]): boolean => a.every((r) => Array.isArray(r) && r.length === (a[0] as unknown[]).length);
  if (d === 2 && rect(v)) return Matrix.fromRows(v as number[][]);
  if (d === 3 && rect(v) && (v as unknown[][]).every((m) => rect(m) && (m[0] as unknown[]).length === ((v as unknown[][][])[0][0]).length)) {
    return (v as number[][][]).map((m) => Matrix.fromRows(m));
  }
  return v; // ragged: kept as nested arrays
}

/**
 * The few NumPy slicing transforms the cases use, `NAME[rows, cols]` with each part `:`,
 * `a:b`, or a list `[0, 2]`. Anything else is refused so a new case fails loudly.
 */
export function applyTransform(v: InputValue, transform: string): InputValue {
  const m = /^\s*\w+\s*\[(.*)\]\s*$/.exec(transform);
  if (!m) throw new Error(`unsupported input transform '${transform}'`);
  const parts = splitTop(m[1]);
  if (Array.isArray(v) && v.length > 0 && v[0] instanceof Matrix) {
    // a 3-D input: the first axis picks matrices, the others slice each of them
    const mats = v as Matrix[];
    const single = /^-?\d+$/.test((parts[0] ?? ':').trim());
    const picked = sliceIndex(parts[0] ?? ':', mats.length, transform).map((i) => mats[i]);
    const sliced = picked.map((M) => M.selectRows(sliceIndex(parts[1] ?? ':', M.rows, transform)).selectColumns(sliceIndex(parts[2] ?? ':', M.cols, transform)));
    return single ? sliced[0] : sliced;
  }
  if (!(v instanceof Matrix)) {
    if (parts.length !== 1) throw new Error(`transform '${transform}' indexes a 1-D input with ${parts.length} axes`);
    const arr = v as ArrayLike<number>;
    const idx = sliceIndex(parts[0], arr.length, transform);
    return v instanceof Int32Array ? Int32Array.from(idx, (i) => v[i]) : Float64Array.from(idx, (i) => Number(arr[i]));
  }
  if (parts.length > 2) throw new Error(`transform '${transform}' indexes a 2-D input with ${parts.length} axes`);
  const rows = sliceIndex(parts[0] ?? ':', v.rows, transform);
  const cols = sliceIndex(parts[1] ?? ':', v.cols, transform);
  const out = v.selectRows(rows).selectColumns(cols);
  // X[:, 0] (an integer column index) is 1-D in NumPy
  return parts.length === 2 && /^-?\d+$/.test(parts[1].trim()) ? Float64Array.from(out.data) : out;
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

/** Dtypes whose values are text: kept as strings ("NaN" there is the word, not a number). */
const TEXT_DTYPE = /^(str|string|unicode|object|<U\d*|U\d*|\|S\d*|bytes)/i;

/**
 * Decodes a stored value into plain JS: null (None), numbers, booleans, strings, or nested and
 * ragged arrays of them. The strings "NaN", "Infinity", "-Infinity" stand for non-finite floats
 * except in text dtypes.
 */
export function decodeValue(v: StoredValue): unknown {
  if (v.dtype === 'none' || v.value === null || v.value === undefined) return v.dtype === 'none' ? null : v.value ?? null;
  if (TEXT_DTYPE.test(v.dtype)) return v.value;
  return mapLeaves(v.value, (x) => (x === 'NaN' ? NaN : x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : x));
}

function mapLeaves(v: unknown, f: (x: unknown) => unknown): unknown {
  return Array.isArray(v) ? v.map((x) => mapLeaves(x, f)) : f(v);
}
