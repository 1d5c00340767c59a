/**
 * Checks of the options objects every public function takes, so that nothing runs silently with
 * a default the caller did not ask for.
 *
 * Keys: `checkOptionKeys(opts, allowed, where)` refuses any key that is not an option of `where`,
 * naming it and the closest allowed one. A DADApy user's spelling is recognised and mapped:
 * snake_case (`mu_fraction` -> `muFraction`, `delta_F_inv_cov` -> `deltaFInvCov`) and case
 * variants (`K` -> `k`, `z` -> `Z`) are matched ignoring case and underscores; typos by edit
 * distance. `allowed` is an array of names, or an object whose keys are the names: with
 * `optionKeys<Options>({ k: 1, avg: 1 })` the compiler checks the list against the interface
 * (a missing or extra name is a type error), so the check and the type cannot drift apart.
 *
 * Values: small validators that return the value (typed) or throw an `InputError` naming the
 * option, the value it got and its type ("maxk must be a positive whole number, got '10' (a
 * string)"). Numbers must be real numbers: strings, booleans, bigints and NaN are refused.
 *   positiveInteger(v, 'maxk')          1, 2, 3, ...
 *   nonNegativeInteger(v, 'nIter')      0, 1, 2, ...
 *   finiteNumber(v, 'alpha')            any finite number
 *   positiveNumber(v, 'eps')            finite and > 0
 *   nonNegativeNumber(v, 'Z')           finite and >= 0
 *   positiveNumbers(v, 'scales')        a non-empty list of finite numbers > 0 (a Float64Array)
 *   numberInRange(v, 'muFraction', 0, 1, { minInclusive: false })   (inclusive bounds by default)
 *   oneOf(v, 'algorithm', ['base', 'ml'])
 *   booleanOption(v, 'avg')
 * Each takes an optional `where` (the function's name) that prefixes the message, and the
 * `opt*` forms (`optPositiveInteger(v, name, default)`) return the default when v is undefined.
 */
import { InputError } from './errors';

/** The allowed names as an object: `{ [name]: true }` for every option of T (the compiler checks the list). */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]-?: unknown };

/** The allowed names of an options type, checked by the compiler against the type: `optionKeys<Opts>({ a: 1, b: 1 })`. */
export function optionKeys<T>(keys: OptionKeys<T>): readonly string[] {
  return Object.freeze(Object.keys(keys));
}

/** A few DADApy spellings that are not just snake_case of ours. */
const DADAPY_ALIASES: Readonly<Record<string, string>> = {
  rng_seed: 'rng',
  n_jobs: 'workers',
  x_new: 'XNew',
};

function normalise(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/** Edit distance with adjacent transpositions (optimal string alignment; small strings only). */
function editDistance(a: string, b: string): number {
  const m = a.length, n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[m][n];
}

/**
 * The allowed name a caller most likely meant by `key`: the same name ignoring case and
 * underscores (DADApy's snake_case, `K` for `k`), a known DADApy alias, or the closest by edit
 * distance (at most a third of its length). Null when nothing is close.
 */
export function closestOption(key: string, allowed: readonly string[]): string | null {
  const nk = normalise(key);
  const same = allowed.find((a) => normalise(a) === nk);
  if (same !== undefined) return same;
  const alias = DADAPY_ALIASES[key.toLowerCase()];
  if (alias !== undefined && allowed.includes(alias)) return alias;
  let best: string | null = null;
  let bestD = Infinity;
  for (const a of allowed) {
    const d = editDistance(nk, normalise(a));
    if (d < bestD) { bestD = d; best = a; }
  }
  return best !== null && bestD <= Math.max(1, Math.ceil(nk.length / 3)) ? best : null;
}

/** Describes a value for an error message: `'10' (a string)`, `NaN`, `[1, 2] (an array)`, `null`. */
export function describeOptionValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}...` : v}' (a string)`;
  if (typeof v === 'boolean') return `${v} (a boolean)`;
  if (typeof v === 'bigint') return `${v}n (a bigint)`;
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) {
    const head = v.slice(0, 4).map((x) => (typeof x === 'string' ? `'${x}'` : String(x))).join(', ');
    return `[${head}${v.length > 4 ? ', ...' : ''}] (an array of ${v.length})`;
  }
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

function isPlainOptions(o: unknown): o is Record<string, unknown> {
  if (typeof o !== 'object' || o === null || Array.isArray(o) || ArrayBuffer.isView(o)) return false;
  const proto = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}

/**
 * Refuses option keys that `where` does not take, naming each and the one the caller most likely
 * meant. `undefined` / `null` options are fine (all defaults); anything but a plain object is refused.
 */
export function checkOptionKeys(opts: unknown, allowed: readonly string[] | Readonly<Record<string, unknown>>, where: string): void {
  if (opts === undefined || opts === null) return;
  const names = Array.isArray(allowed) ? (allowed as readonly string[]) : Object.keys(allowed);
  if (!isPlainOptions(opts)) {
    throw new InputError(`${where} takes an options object, got ${describeOptionValue(opts)}`,
      names.length ? `Pass { ${names.slice(0, 3).map((n) => `${n}: ...`).join(', ')} } (options: ${names.join(', ')})` : 'Pass no options');
  }
  const unknown = Object.keys(opts).filter((k) => !names.includes(k));
  if (unknown.length === 0) return;
  const parts = unknown.map((k) => {
    const c = closestOption(k, names);
    return c ? `'${k}' (did you mean '${c}'?)` : `'${k}'`;
  });
  const snake = unknown.some((k) => k.includes('_'));
  // DADApy's drawing keywords (plot, path, plot_mv, ...): nothing is drawn as a side effect here
  const drawing = unknown.some((k) => /^(plot|path)$|^plot_?[a-z]/i.test(k) && !names.includes(k));
  const list = names.length ? `${where} takes: ${names.join(', ')}` : `${where} takes no options`;
  throw new InputError(
    `${where} has no option${unknown.length > 1 ? 's' : ''} ${parts.join(', ')}`,
    `${drawing ? 'dadalab draws nothing as a side effect: drop it and call .plot() on the result. ' : ''}${snake ? "dadalab's options are DADApy's in camelCase (mu_fraction is muFraction). " : ''}${list}`);
}

// ------------------------------------------------------------------ value validators

function fail(name: string, v: unknown, what: string, where?: string, fix?: string): never {
  throw new InputError(`${where ? `${where}: ` : ''}${name} must be ${what}, got ${describeOptionValue(v)}`, fix ?? `Pass ${name} as ${what}`);
}

function realNumber(v: unknown, name: string, what: string, where?: string): number {
  if (typeof v !== 'number' || Number.isNaN(v)) fail(name, v, what, where);
  return v;
}

/** A whole number >= 1 (a real number: not '10', not 10n, not true). */
export function positiveInteger(v: unknown, name: string, where?: string): number {
  const x = realNumber(v, name, 'a positive whole number', where);
  if (!Number.isInteger(x) || x < 1) fail(name, v, 'a positive whole number', where);
  return x;
}

/** A whole number >= 0. */
export function nonNegativeInteger(v: unknown, name: string, where?: string): number {
  const x = realNumber(v, name, 'a whole number >= 0', where);
  if (!Number.isInteger(x) || x < 0) fail(name, v, 'a whole number >= 0', where);
  return x;
}

/** Any finite number. */
export function finiteNumber(v: unknown, name: string, where?: string): number {
  const x = realNumber(v, name, 'a finite number', where);
  if (!Number.isFinite(x)) fail(name, v, 'a finite number', where);
  return x;
}

/** A finite number > 0. */
export function positiveNumber(v: unknown, name: string, where?: string): number {
  const x = realNumber(v, name, 'a positive number', where);
  if (!Number.isFinite(x) || x <= 0) fail(name, v, 'a positive number', where);
  return x;
}

/** A finite number >= 0. */
export function nonNegativeNumber(v: unknown, name: string, where?: string): number {
  const x = realNumber(v, name, 'a finite number >= 0', where);
  if (!Number.isFinite(x) || x < 0) fail(name, v, 'a finite number >= 0', where);
  return x;
}

/**
 * A non-empty list of finite numbers > 0 (scales, radii), returned as a Float64Array: a string,
 * NaN, Infinity, 0 or a negative entry is refused, naming its position.
 */
export function positiveNumbers(v: unknown, name: string, where?: string): Float64Array {
  const prefix = where ? `${where}: ` : '';
  if (typeof v === 'string' || v === null || typeof v !== 'object' || typeof (v as ArrayLike<unknown>).length !== 'number') {
    throw new InputError(`${prefix}${name} must be a list of positive numbers, got ${describeOptionValue(v)}`, `Pass ${name} as an array such as [0.1, 0.2, 0.4]`);
  }
  const a = v as ArrayLike<unknown>;
  if (a.length === 0) throw new InputError(`${prefix}${name} is empty`, `Pass at least one value, e.g. [0.1, 0.2, 0.4]`);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) {
      throw new InputError(`${prefix}${name}[${i}] must be a finite number > 0, got ${describeOptionValue(x)}`,
        `Pass positive, finite ${name} (distances: a scale of 0 or below contains no pair)`);
    }
    out[i] = x;
  }
  return out;
}

export interface RangeOptions {
  /** Whether min itself is allowed (default true). */
  minInclusive?: boolean;
  /** Whether max itself is allowed (default true). */
  maxInclusive?: boolean;
  /** Whether the number must be whole (default false). */
  integer?: boolean;
}

/** A number between min and max (inclusive unless told otherwise; either bound may be ±Infinity). */
export function numberInRange(v: unknown, name: string, min: number, max: number, opts: RangeOptions & { where?: string } = {}): number {
  const lo = opts.minInclusive ?? true, hi = opts.maxInclusive ?? true;
  const kind = opts.integer ? 'a whole number' : 'a number';
  const range = Number.isFinite(min) && Number.isFinite(max)
    ? `${lo ? '[' : '('}${min}, ${max}${hi ? ']' : ')'}`
    : Number.isFinite(min) ? `${lo ? '>=' : '>'} ${min}` : `${hi ? '<=' : '<'} ${max}`;
  const what = Number.isFinite(min) || Number.isFinite(max) ? `${kind} ${Number.isFinite(min) && Number.isFinite(max) ? 'in ' : ''}${range}` : kind;
  const x = realNumber(v, name, what, opts.where);
  const ok = (lo ? x >= min : x > min) && (hi ? x <= max : x < max) && (!opts.integer || Number.isInteger(x));
  if (!ok) fail(name, v, what, opts.where);
  return x;
}

/** One of the given strings. */
export function oneOf<T extends string>(v: unknown, name: string, choices: readonly T[], where?: string): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    fail(name, v, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, where);
  }
  return v as T;
}

/** true or false (not 0/1, not 'true'). */
export function booleanOption(v: unknown, name: string, where?: string): boolean {
  if (typeof v !== 'boolean') fail(name, v, 'true or false', where);
  return v;
}

/** positiveInteger, or the default when v is undefined. */
export function optPositiveInteger(v: unknown, name: string, dflt: number, where?: string): number {
  return v === undefined ? dflt : positiveInteger(v, name, where);
}
/** nonNegativeInteger, or the default when v is undefined. */
export function optNonNegativeInteger(v: unknown, name: string, dflt: number, where?: string): number {
  return v === undefined ? dflt : nonNegativeInteger(v, name, where);
}
/** finiteNumber, or the default when v is undefined. */
export function optFiniteNumber(v: unknown, name: string, dflt: number, where?: string): number {
  return v === undefined ? dflt : finiteNumber(v, name, where);
}
/** positiveNumber, or the default when v is undefined. */
export function optPositiveNumber(v: unknown, name: string, dflt: number, where?: string): number {
  return v === undefined ? dflt : positiveNumber(v, name, where);
}
/** nonNegativeNumber, or the default when v is undefined. */
export function optNonNegativeNumber(v: unknown, name: string, dflt: number, where?: string): number {
  return v === undefined ? dflt : nonNegativeNumber(v, name, where);
}
/** booleanOption, or the default when v is undefined. */
export function optBoolean(v: unknown, name: string, dflt: boolean, where?: string): boolean {
  return v === undefined ? dflt : booleanOption(v, name, where);
}
