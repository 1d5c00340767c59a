import { InputError } from '../errors';
import type { Matrix } from '../matrix';

/** Labels read alongside the coordinates: integers as Int32Array, other numbers as Float64Array, text as strings. */
export type Labels = Int32Array | Float64Array | string[];

/**
 * What the loaders return (frozen): the coordinates `X` (N x D), the feature `names` (D of them:
 * column names, `X[0]`..`X[D-1]` for a FixedSizeList column `X`, `x0`.. when the file has none),
 * and, when a label column was asked for, `labels` (N of them) and `labelName`. `source` is the
 * path (or 'bytes') it came from.
 */
export interface LoadedData {
  readonly X: Matrix;
  readonly names: readonly string[];
  readonly labels?: Labels;
  readonly labelName?: string;
  readonly source: string;
  /** A one-liner: "20000 x 2 float64 from data/Fig1.dat.gz" (+ the labels and their distinct values). */
  summary(): string;
}

export function makeLoaded(X: Matrix, names: string[], source: string, labels?: Labels, labelName?: string): LoadedData {
  const out: { X: Matrix; names: readonly string[]; source: string; labels?: Labels; labelName?: string; summary(): string } = {
    X, names: Object.freeze(names.slice()), source,
    summary() {
      let s = `${X.rows} x ${X.cols} ${X.dtype} from ${source}`;
      if (this.labels) s += `, labels '${this.labelName}' (${new Set(this.labels as unknown as Iterable<unknown>).size} distinct)`;
      return s;
    },
  };
  if (labels !== undefined) { out.labels = labels; out.labelName = labelName; }
  return Object.freeze(out);
}

/** Numbers -> Int32Array when all are whole and fit, else Float64Array; strings stay strings. */
export function toLabels(values: ArrayLike<unknown>): Labels {
  const n = values.length;
  let allNum = true, allInt = true;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const x = typeof v === 'bigint' ? Number(v) : v;
    if (typeof x !== 'number') { allNum = false; break; }
    if (!Number.isInteger(x) || x < -2147483648 || x > 2147483647) allInt = false;
  }
  if (allNum) {
    const out = allInt ? new Int32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(values[i]);
    return out;
  }
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = values[i] === null || values[i] === undefined ? '' : String(values[i]);
  return out;
}

/** Resolves a column given by name or index (negative counts from the end) against the available names. */
export function resolveColumn(names: readonly string[], which: string | number, role: string, source: string): number {
  if (typeof which === 'number') {
    const j = which < 0 ? names.length + which : which;
    if (!Number.isInteger(which) || j < 0 || j >= names.length) {
      throw new InputError(`The ${role} column index ${which} does not exist in ${source} (it has ${names.length} columns: ${listNames(names)})`,
        `Pass an index between 0 and ${names.length - 1} (or -1 for the last), or a column name`);
    }
    return j;
  }
  const j = names.indexOf(which);
  if (j < 0) {
    const ci = names.findIndex((n) => n.toLowerCase() === String(which).toLowerCase());
    throw new InputError(`The ${role} column '${which}' does not exist in ${source}; the available columns are ${listNames(names)}`,
      ci >= 0 ? `Column names are case-sensitive: did you mean '${names[ci]}'?` : 'Pass one of those names (or a column index)');
  }
  return j;
}

export function listNames(names: readonly string[], max = 20): string {
  const shown = names.slice(0, max).map((n) => `'${n}'`).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown || '(none)';
}
