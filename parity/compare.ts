/**
 * How one output is compared with DADApy's. Every comparison reports the largest error it saw
 * (relative for numbers, count of mismatches for integers/labels) and whether it is within
 * tolerance.
 */
export type Comparator =
  | { kind: 'numeric'; rtol: number }
  /** integers that must be equal (neighbour indices, counts) */
  | { kind: 'exact' }
  /** cluster labels: equal up to a relabelling; null in the fixture = DADApy's undefined label, skipped */
  | { kind: 'labels' }
  /** an unordered set of numbers (e.g. cluster centres) */
  | { kind: 'set' }
  /** compared, reported, never failing (e.g. DADApy's unseeded p-values) */
  | { kind: 'informational'; rtol: number };

export interface Comparison {
  pass: boolean;
  /** Largest relative error (numeric) or fraction of mismatched entries (exact/labels/set). */
  err: number;
  detail?: string;
}

/** Flattens numbers, nested arrays, typed arrays, Matrix-like {data} objects, booleans, bigints. */
export function flatten(v: unknown, out: (number | null)[] = []): (number | null)[] {
  if (v === null || v === undefined) { out.push(null); return out; }
  if (typeof v === 'number') { out.push(v); return out; }
  if (typeof v === 'bigint') { out.push(Number(v)); return out; }
  if (typeof v === 'boolean') { out.push(v ? 1 : 0); return out; }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const arr = v as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < arr.length; i++) out.push(Number(arr[i]));
    return out;
  }
  if (Array.isArray(v)) { for (const x of v) flatten(x, out); return out; }
  if (typeof v === 'object' && v !== null && 'data' in v && ArrayBuffer.isView((v as { data: unknown }).data)) {
    return flatten((v as { data: unknown }).data, out);
  }
  throw new Error(`cannot compare a value of type ${Object.prototype.toString.call(v)}`);
}

/**
 * Element-wise relative error |a - e| / max(|e|, floor), with floor = 1e-3 * max|e| over the
 * output, so entries much smaller than the output's scale (a distance column of zeros, a log
 * density near 0) are judged against that scale rather than against themselves.
 */
export function compareValues(actual: unknown, expected: unknown, cmp: Comparator): Comparison {
  if (expected === null) {
    return actual === null || actual === undefined
      ? { pass: true, err: 0 } : { pass: false, err: Infinity, detail: 'expected None' };
  }
  let a: (number | null)[], e: (number | null)[];
  try {
    a = flatten(actual);
    e = flatten(expected);
  } catch (err) {
    return { pass: false, err: Infinity, detail: (err as Error).message };
  }
  if (cmp.kind === 'set') {
    const sa = [...a].sort((x, y) => (x as number) - (y as number));
    const se = [...e].sort((x, y) => (x as number) - (y as number));
    a = sa; e = se;
  }
  if (a.length !== e.length) {
    return { pass: false, err: Infinity, detail: `length ${a.length}, expected ${e.length}` };
  }
  if (cmp.kind === 'labels') return compareLabels(a, e);
  if (cmp.kind === 'exact' || cmp.kind === 'set') {
    let bad = 0, first = -1;
    for (let i = 0; i < e.length; i++) if (a[i] !== e[i]) { bad++; if (first < 0) first = i; }
    return {
      pass: bad === 0, err: e.length ? bad / e.length : 0,
      detail: bad ? `${bad} of ${e.length} differ (first at ${first}: ${a[first]} vs ${e[first]})` : undefined,
    };
  }
  let scale = 0;
  for (const x of e) if (x !== null && Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
  const floor = Math.max(1e-3 * scale, 1e-300);
  let worst = 0, at = -1;
  for (let i = 0; i < e.length; i++) {
    const x = a[i], y = e[i];
    if (y === null) continue;
    if (x === null) { worst = Infinity; at = i; break; }
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
    const r = Math.abs(x - y) / Math.max(Math.abs(y), floor);
    if (!(r <= worst)) { worst = Number.isNaN(r) ? Infinity : r; at = i; }
  }
  const pass = cmp.kind === 'informational' ? true : worst <= cmp.rtol;
  return {
    pass, err: worst,
    detail: worst > cmp.rtol && at >= 0 ? `worst at ${at}: ${a[at]} vs ${e[at]}` : undefined,
  };
}

/** Labels equal up to a one-to-one relabelling; entries null in the fixture are skipped. */
function compareLabels(a: (number | null)[], e: (number | null)[]): Comparison {
  const fwd = new Map<number, number>(), back = new Map<number, number>();
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
