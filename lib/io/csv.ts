import { checkOptionKeys, optionKeys } from '../options';
import { InputError } from '../errors';
import { Matrix } from '../matrix';
import { describe, readInput } from './files';
import { listNames, makeLoaded, resolveColumn, toLabels, type LoadedData } from './types';

export interface CsvOptions {
  /** Field separator. Default: detected from the first data line (tab, else comma, else semicolon, else runs of whitespace). */
  delimiter?: ',' | '\t' | ';' | ' ' | 'whitespace' | string;
  /**
   * Whether the first line holds column names. Default: detected (a first line is a header when
   * a field is not a number where the second line has one, or when no field is a number). A
   * commented line (`# x y z`) right before the data with one name per column also gives names.
   */
  header?: boolean;
  /** A label column, by name (needs names) or index (negative counts from the end): returned as `labels`. */
  labels?: string | number;
  /** Feature columns, by name or index (default: all but the label column). */
  columns?: ReadonlyArray<string | number>;
  /** Lines starting with this are skipped (default '#'). */
  comment?: string;
  /** Element type of X (default float64). */
  dtype?: 'float32' | 'float64';
}
export const CSV_KEYS = optionKeys<CsvOptions>({ delimiter: 1, header: 1, labels: 1, columns: 1, comment: 1, dtype: 1 });

const MISSING = new Set(['', 'nan', 'NaN', 'NAN', 'NA', 'N/A', 'null', 'NULL', 'None']);

/** A numeric field: a finite number, or a spelling NumPy / pandas use for NaN and infinities. */
function parseNumber(tok: string): number {
  const x = Number(tok);
  if (!Number.isNaN(x) && tok.trim() !== '') return x;
  if (MISSING.has(tok)) return NaN;
  const l = tok.toLowerCase();
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  return NaN;
}

function isNumeric(tok: string): boolean {
  if (tok.trim() !== '' && !Number.isNaN(Number(tok))) return true;
  const l = tok.toLowerCase();
  return MISSING.has(tok) || l === 'inf' || l === '+inf' || l === '-inf' || l === 'infinity' || l === '-infinity' || l === '+infinity';
}

function unquote(t: string): string {
  return t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"' ? t.slice(1, -1).replace(/""/g, '"') : t;
}

function splitQuoted(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '', q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"') { if (line[i + 1] === '"') { cur += '"'; i++; } else q = false; } else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === delim) { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function splitter(delim: string): (line: string) => string[] {
  if (delim === 'whitespace' || delim === ' ') return (line) => line.trim().split(/\s+/);
  return (line) => line.indexOf('"') >= 0 ? splitQuoted(line, delim) : line.split(delim).map((t) => t.trim());
}

function detectDelimiter(line: string): string {
  if (line.includes('\t')) return '\t';
  if (line.includes(',')) return ',';
  if (line.includes(';')) return ';';
  return 'whitespace';
}

/**
 * Parses delimited text (CSV, TSV, whitespace-separated .dat/.txt as np.loadtxt reads them).
 * Refuses ragged rows (naming the line and the counts), non-numeric feature fields (naming the
 * line, the column and the text) and files without data rows.
 */
export function parseCsv(text: string, opts: CsvOptions = {}, source = 'the text', labelsOnly = false): LoadedData {
  checkOptionKeys(opts, CSV_KEYS, 'parseCsv');
  const comment = opts.comment ?? '#';
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte-order mark (Excel)
  const lines = text.split(/\r?\n/);
  // physical line numbers (1-based) of the non-empty, non-comment lines
  const rows: number[] = [];
  let lastComment = -1;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t.length === 0) continue;
    if (comment && t.startsWith(comment)) { if (rows.length === 0) lastComment = i; continue; }
    rows.push(i);
  }
  if (rows.length === 0) {
    throw new InputError(`${source} has no data rows${lines.some((l) => l.trim()) ? ' (only comment lines)' : ' (it is empty)'}`,
      'Check that this is the right file and that it was written completely');
  }
  const delim = opts.delimiter ?? detectDelimiter(lines[rows[0]].trim());
  const split = splitter(delim);
  const first = split(lines[rows[0]]);
  let header: boolean;
  if (opts.header !== undefined) header = opts.header;
  else {
    const second = rows.length > 1 ? split(lines[rows[1]]) : null;
    const nonNum = first.map((t) => !isNumeric(t));
    header = nonNum.every(Boolean) || (second !== null && nonNum.some((b, j) => b && j < second.length && isNumeric(second[j]) && second[j] !== ''))
      // pandas' to_csv with its index: ",0,1,2" (an unnamed index column, then the column names)
      || (first.length > 1 && first[0] === '' && first.slice(1).every((t, j) => t === String(j)));
  }
  let names: string[];
  let dataStart = 0;
  if (header) {
    names = first.map(unquote);
    dataStart = 1;
  } else {
    names = first.map((_, j) => `x${j}`);
    // "# X1 X2 X3" just before the data (np.savetxt's header=...): names, if one per column
    if (lastComment >= 0) {
      const c = lines[lastComment].trim().slice(comment.length).trim().split(delim === 'whitespace' || delim === ' ' ? /\s+/ : delim).map((s) => s.trim());
      if (c.length === first.length && c.every((s) => s.length > 0)) names = c;
    }
  }
  const ncols = names.length;
  const n = rows.length - dataStart;
  if (n === 0) {
    throw new InputError(`${source} has a header line (${listNames(names)}) but no data rows`, 'Check that the file was written completely');
  }
  const labelIndex = opts.labels === undefined ? -1 : resolveColumn(names, opts.labels, 'label', source);
  let feat: number[];
  if (labelsOnly) feat = [];
  else if (opts.columns !== undefined) {
    if (!Array.isArray(opts.columns) || opts.columns.length === 0) {
      throw new InputError(`columns must be a non-empty array of column names or indices, got ${describe(opts.columns)}`, 'Pass e.g. { columns: [0, 1] }');
    }
    feat = opts.columns.map((c) => resolveColumn(names, c, 'feature', source));
  } else {
    // an unnamed first column under a header is pandas' index (to_csv default): not a feature
    const skipIndex = header && names.length > 1 && names[0] === '';
    feat = names.map((_, j) => j).filter((j) => j !== labelIndex && !(skipIndex && j === 0));
  }
  if (feat.length === 0 && !labelsOnly) throw new InputError(`${source} has no columns besides the label column`, 'Store the coordinates in the file too');
  const D = feat.length;
  const out = opts.dtype === 'float32' ? new Float32Array(n * D) : new Float64Array(n * D);
  const labelTok: string[] = labelIndex >= 0 ? new Array(n) : [];
  for (let r = 0; r < n; r++) {
    const li = rows[r + dataStart];
    const toks = split(lines[li]);
    if (toks.length !== ncols) {
      throw new InputError(`Line ${li + 1} of ${source} has ${toks.length} field${toks.length === 1 ? '' : 's'} but ${header ? 'the header' : `the first row (line ${rows[0] + 1})`} has ${ncols} (ragged rows)`,
        `Fix or remove that line; if the separator is not '${delim === '\t' ? '\\t' : delim}', pass { delimiter: ... }`);
    }
    for (let c = 0; c < D; c++) {
      const tok = toks[feat[c]];
      let x = Number(tok);
      if (Number.isNaN(x) || tok === '') {
        if (!isNumeric(tok)) {
          throw new InputError(`Line ${li + 1} of ${source}, column '${names[feat[c]]}' holds '${tok.length > 40 ? tok.slice(0, 40) + '...' : tok}', which is not a number`,
            `Name a text column as the label column with { labels: '${names[feat[c]]}' }, or pick the numeric columns with { columns: [...] }`);
        }
        x = parseNumber(tok);
      }
      out[r * D + c] = x;
    }
    if (labelIndex >= 0) labelTok[r] = unquote(toks[labelIndex]);
  }
  let labels;
  if (labelIndex >= 0) {
    const allNum = labelTok.every((t) => t !== '' && !Number.isNaN(Number(t)));
    labels = toLabels(allNum ? labelTok.map(Number) : labelTok);
  }
  return makeLoaded(new Matrix(out, n, D), feat.map((j) => names[j]), source, labels, labelIndex >= 0 ? names[labelIndex] : undefined);
}

/**
 * The text of a CSV file, decoded by its byte-order mark: UTF-8 (with or without the mark),
 * UTF-16 LE or BE (what Excel's "Unicode text" and PowerShell write). UTF-16 without a mark is
 * recognised by its zero bytes (every other byte of ASCII text); UTF-32 and other binary content
 * is refused instead of being read as garbled column names.
 */
export function decodeText(buf: Buffer, source: string): string {
  const tooLarge = (e: unknown): never => {
    throw new InputError(`${source} is too large to read as text (${(buf.length / 2 ** 20).toFixed(0)} MiB; ${(e as Error).message})`,
      'Convert it once to a binary format (Arrow / Feather v2 or .npy) and load that: binary files load without parsing and need no string');
  };
  const b = buf;
  if ((b.length >= 4 && b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) || (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff)) {
    throw new InputError(`${source} is UTF-32 text, which dadalab does not read`, 'Save it as UTF-8 (e.g. in Python: open(path, "w", encoding="utf-8"); in Excel: "CSV UTF-8")');
  }
  let encoding: 'utf8' | 'utf16le' | 'utf16be' = 'utf8';
  let start = 0;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) start = 3;
  else if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) { encoding = 'utf16le'; start = 2; }
  else if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) { encoding = 'utf16be'; start = 2; }
  else {
    // no mark: zero bytes at odd (even) positions of the first KiB are UTF-16 LE (BE) ASCII text
    const n = Math.min(b.length, 1024) & ~1;
    let zOdd = 0, zEven = 0;
    for (let i = 0; i < n; i += 2) { if (b[i] === 0) zEven++; if (b[i + 1] === 0) zOdd++; }
    const half = n / 2;
    if (half >= 2 && zOdd >= 0.9 * half && zEven === 0) encoding = 'utf16le';
    else if (half >= 2 && zEven >= 0.9 * half && zOdd === 0) encoding = 'utf16be';
    else if (zOdd + zEven > 0) {
      throw new InputError(`${source} holds zero bytes: it is not UTF-8 or UTF-16 text (a binary file, or another encoding)`,
        'Load binary arrays with loadNpy / loadArrow, or save the table as UTF-8 CSV');
    }
  }
  try {
    if (encoding === 'utf8') return b.toString('utf8', start);
    if (encoding === 'utf16le') return b.toString('utf16le', start);
    const swapped = Buffer.from(b.subarray(start, start + ((b.length - start) & ~1)));
    swapped.swap16();
    return swapped.toString('utf16le');
  } catch (e) {
    return tooLarge(e);
  }
}

/** Reads a CSV / TSV / whitespace-separated text file (gzipped if it ends in .gz; UTF-8 or UTF-16). See parseCsv for the options. */
export function loadCsv(path: string, opts: CsvOptions = {}): LoadedData {
  checkOptionKeys(opts, CSV_KEYS, 'loadCsv');
  const buf = readInput(path, { gunzip: true });
  return parseCsv(decodeText(buf, path), opts, path);
}
