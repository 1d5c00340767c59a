/**
 * How one output is compared with DADApy's.
 *
 * Values of every kind the case format holds are compared: numbers (scalars, typed arrays,
 * matrices, nested and ragged lists), integers, booleans, strings and None. Strings, booleans and
 * None are compared exactly whatever the comparator; a ragged list must have the same structure
 * (the same number of sub-lists, each of the same length), a regular one may come back flat
 * (row-major) as our typed arrays do.
 *
 * The tolerance rule of numeric outputs (one rule, DESIGN.md "Parity"):
 *   |ours - theirs| <= rtol * |theirs| + atol,   atol = rtol * max |theirs| over the output
 * (an explicit `atol` overrides). The error reported is max |ours - theirs| / (|theirs| + atol / rtol),
 * so PASS means error <= rtol. Scaling atol with the output judges an entry near zero against the
 * output's size (errors that propagate through a sum or a log do so in absolute terms), so a
 * log-density of -0.0018 that is off by 2e-10 in an output of size 5 passes at rtol 1e-9, while an
 * error of rtol on the largest entries, or of 1e-6 anywhere, still fails.
 */
export type Comparator =
  | { kind: 'numeric'; rtol: number; atol?: number }
  /** integers that must be equal (neighbour indices, counts) */
  | { kind: 'exact' }
  /** cluster labels: equal up to a relabelling; null in the fixture = DADApy's undefined label, skipped */
  | { kind: 'labels' }
  /** an unordered set of numbers (e.g. cluster centres) */
  | { kind: 'set' }
  /** compared and reported as INFO, never counted as passed or failed (e.g. DADApy's unseeded p-values) */
  | { kind: 'informational'; rtol: number };

export interface Comparison {
  pass: boolean;
  /** Largest error under the tolerance rule (numeric) or fraction of mismatched entries (exact/labels/set). */
  err: number;
  detail?: string;
}

type Leaf = number | string | null;

/** A value's leaves in row-major order, and the lengths of its innermost lists when it is nested. */
interface Flat {
  leaves: Leaf[];
  /** Lengths of each innermost list (nested arrays only), in order; null for flat or scalar values. */
  groups: number[] | null;
  /** Whether the value was a nested list of unequal sub-lists. */
  ragged: boolean;
}

function isArrayLikeValue(v: unknown): boolean {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function isMatrixLike(v: unknown): v is { data: ArrayLike<number>; rows?: number; cols?: number } {
  return typeof v === 'object' && v !== null && 'data' in v && ArrayBuffer.isView((v as { data: unknown }).data);
}

function leafOf(v: unknown): Leaf {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return v;
  throw new Error(`cannot compare a value of type ${Object.prototype.toString.call(v)}`);
}

/** Flattens numbers, strings, booleans, None, typed arrays, Matrix-like {data}, nested and ragged lists. */
export function flattenValue(v: unknown): Flat {
  const leaves: Leaf[] = [];
  const groups: number[] = [];
  let nested = false;
  const walk = (x: unknown, depth: number): void => {
    if (isMatrixLike(x)) {
      const m = x;
      if (typeof m.rows === 'number' && typeof m.cols === 'number' && m.cols > 0) {
        nested = true;
        for (let r = 0; r < m.rows; r++) {
          for (let c = 0; c < m.cols; c++) leaves.push(Number(m.data[r * m.cols + c]));
          groups.push(m.cols);
        }
      } else {
        for (let i = 0; i < m.data.length; i++) leaves.push(Number(m.data[i]));
      }
      return;
    }
    if (isArrayLikeValue(x)) {
      const arr = x as ArrayLike<unknown>;
      const inner = Array.from({ length: arr.length }, (_, i) => arr[i]);
      if (inner.some((e) => isArrayLikeValue(e) || isMatrixLike(e))) {
        nested = true;
        for (const e of inner) walk(e, depth + 1);
      } else {
        for (const e of inner) leaves.push(leafOf(e));
        if (depth > 0) groups.push(inner.length);
      }
      return;
    }
    leaves.push(leafOf(x));
  };
  walk(v, 0);
  const ragged = nested && groups.length > 0 && groups.some((g) => g !== groups[0]);
  return { leaves, groups: nested ? groups : null, ragged };
}

/** Backwards-compatible flat list of numbers (strings and None as null). */
export function flatten(v: unknown): (number | null)[] {
  return flattenValue(v).leaves.map((x) => (typeof x === 'number' ? x : null));
}

function show(x: Leaf): string {
  return typeof x === 'string' ? `'${x}'` : String(x);
}

export function compareValues(actual: unknown, expected: unknown, cmp: Comparator): Comparison {
  if (expected === null || expected === undefined) {
    return actual === null || actual === undefined
      ? { pass: true, err: 0 } : { pass: false, err: Infinity, detail: `expected None, got ${typeof actual === 'object' ? 'a value' : String(actual)}` };
  }
  let a: Flat, e: Flat;
  try {
    a = flattenValue(actual);
    e = flattenValue(expected);
  } catch (err) {
    return { pass: false, err: Infinity, detail: (err as Error).message };
  }
  if (e.ragged) {
    // a ragged list keeps its structure: the same sub-list lengths, in order
    if (!a.groups || a.groups.length !== (e.groups as number[]).length || a.groups.some((g, i) => g !== (e.groups as number[])[i])) {
      return { pass: false, err: Infinity, detail: `expected a ragged list of ${(e.groups as number[]).length} lists of lengths [${(e.groups as number[]).slice(0, 8).join(', ')}${(e.groups as number[]).length > 8 ? ', ...' : ''}], got ${a.groups ? `lists of lengths [${a.groups.slice(0, 8).join(', ')}]` : 'a flat value'}` };
    }
  }
  let al = a.leaves, el = e.leaves;
  if (cmp.kind === 'set') {
    const key = (x: Leaf) => (typeof x === 'number' ? x : Infinity);
    al = [...al].sort((x, y) => key(x) - key(y));
    el = [...el].sort((x, y) => key(x) - key(y));
  }
  if (al.length !== el.length) {
    return { pass: false, err: Infinity, detail: `length ${al.length}, expected ${el.length}` };
  }
  // strings and None are compared exactly under every comparator
  for (let i = 0; i < el.length; i++) {
    const x = al[i], y = el[i];
    if (typeof y === 'string' || typeof x === 'string') {
      if (x !== y) return { pass: false, err: Infinity, detail: `entry ${i}: ${show(x)}, expected ${show(y)}` };
    }
  }
  if (cmp.kind === 'labels') return compareLabels(al, el);
  if (cmp.kind === 'exact' || cmp.kind === 'set') {
    let bad = 0, first = -1;
    for (let i = 0; i < el.length; i++) {
      const x = al[i], y = el[i];
      const same = x === y || (typeof x === 'number' && typeof y === 'number' && Number.isNaN(x) && Number.isNaN(y));
      if (!same) { bad++; if (first < 0) first = i; }
    }
    return {
      pass: bad === 0, err: el.length ? bad / el.length : 0,
      detail: bad ? `${bad} of ${el.length} differ (first at ${first}: ${show(al[first])} vs ${show(el[first])})` : undefined,
    };
  }
  let scale = 0;
  for (const y of el) if (typeof y === 'number' && Number.isFinite(y)) scale = Math.max(scale, Math.abs(y));
  const rtol = cmp.rtol;
  const atol = cmp.kind === 'numeric' && cmp.atol !== undefined ? cmp.atol : rtol * scale;
  // error = |x - y| / (|y| + atol / rtol): PASS iff error <= rtol iff |x - y| <= rtol |y| + atol
  const floor = rtol > 0 ? atol / rtol : 0;
  let worst = 0, at = -1;
  for (let i = 0; i < el.length; i++) {
    const x = al[i], y = el[i];
    if (typeof y !== 'number') {
      if (x !== null && x !== undefined && typeof x !== 'string') { worst = Infinity; at = i; break; }
      continue;
    }
    if (typeof x !== 'number') { worst = Infinity; at = i; break; }
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    const den = Math.abs(y) + floor;
    const r = den > 0 ? Math.abs(x - y) / den : Infinity;
    if (!(r <= worst)) { worst = Number.isNaN(r) ? Infinity : r; at = i; }
  }
  const pass = cmp.kind === 'informational' ? true : worst <= rtol;
  return {
    pass, err: worst,
    detail: worst > rtol && at >= 0 ? `worst at ${at}: ${show(al[at])} vs ${show(el[at])}` : undefined,
  };
}

/** Labels equal up to a one-to-one relabelling; entries null in the fixture are skipped. */
function compareLabels(a: Leaf[], e: Leaf[]): Comparison {
  const fwd = new Map<Leaf, Leaf>(), back = new Map<Leaf, Leaf>();
  let bad = 0, skipped = 0, first = -1;
  for (let i = 0; i < e.length; i++) {
    const y = e[i], x = a[i];
    if (y === null) { skipped++; continue; }
    if (x === null) { bad++; if (first < 0) first = i; continue; }
    const f = fwd.get(y), b = back.get(x);
    if (f === undefined && b === undefined) { fwd.set(y, x); back.set(x, y); continue; }
    if (f !== x || b !== y) { bad++; if (first < 0) first = i; }
  }
  const n = e.length - skipped;
  const details: string[] = [];
  if (bad) details.push(`${bad} of ${n} labels differ after relabelling (first at ${first})`);
  if (skipped) details.push(`${skipped} undefined in DADApy skipped`);
  return { pass: bad === 0, err: n ? bad / n : 0, detail: details.join('; ') || undefined };
}
