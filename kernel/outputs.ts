/**
 * Where `dadalab run` writes, decided before anything runs: every path is compared by its real
 * path (symlinks and `..` resolved), no output may land on an input (unless --in-place, and then
 * only the executed notebook on its own input), no two outputs on one file, and a folder or file
 * given where the other is expected is refused up front. Files are replaced atomically (a
 * temporary file in the same folder, then a rename), keeping the mode of the file replaced.
 */
import { closeSync, existsSync, fchmodSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { InputError } from '../lib/errors';

export interface OutputFlags {
  out?: string;
  outDir?: string;
  inPlace?: boolean;
  html?: string;
  htmlDir?: string;
}

export interface RunTarget {
  /** The notebook as given on the command line. */
  given: string;
  /** Its real path. */
  input: string;
  /** The real path the executed notebook is written to. */
  out: string;
  /** The real path of the HTML report, if one is asked for. */
  html?: string;
}

/** The real path of `p`, also when it does not exist yet (its deepest existing folder resolved). */
export function realPath(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return path.join(realpathSync(cur), ...rest.reverse());
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

function kind(p: string): 'file' | 'folder' | 'other' | null {
  try {
    const s = statSync(p);
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
  } catch {
    return null;
  }
}

export function defaultOutPath(input: string): string {
  return input.replace(/(\.ipynb)?$/, '.out.ipynb');
}

function reportName(input: string): string {
  return path.basename(input).replace(/\.ipynb$/, '') + '.html';
}

/**
 * The files a run of `notebooks` writes, or an InputError naming the conflict and the fix. Nothing
 * is written and no kernel is started here.
 */
export function planRun(notebooks: string[], o: OutputFlags): RunTarget[] {
  if (notebooks.length === 0) throw new InputError('No notebook was given', 'Pass one or more .ipynb files');
  if (o.inPlace && (o.out !== undefined || o.outDir !== undefined)) {
    throw new InputError(`--in-place writes over the input; --${o.out !== undefined ? 'out' : 'out-dir'} names another file`, 'Pass one of them');
  }
  if (o.out !== undefined && o.outDir !== undefined) throw new InputError('--out and --out-dir were both given', 'Pass one of them');
  if (o.html !== undefined && o.htmlDir !== undefined) throw new InputError('--html and --html-dir were both given', 'Pass one of them');
  if (notebooks.length > 1 && (o.out !== undefined || o.html !== undefined)) {
    throw new InputError('--out and --html name one file, but several notebooks were given', 'Use --out-dir and --html-dir (or the default <name>.out.ipynb outputs)');
  }
  for (const [flag, value] of [['--out', o.out], ['--html', o.html]] as const) {
    if (value === undefined) continue;
    if (value === '') throw new InputError(`${flag} was given an empty file name`, `Pass ${flag} <file>`);
    if (kind(value) === 'folder') {
      throw new InputError(`${flag} ${path.resolve(value)} is a folder`, `Pass a file name${flag === '--out' ? ', or --out-dir <folder>' : ', or --html-dir <folder>'}`);
    }
  }
  for (const [flag, value] of [['--out-dir', o.outDir], ['--html-dir', o.htmlDir]] as const) {
    if (value === undefined) continue;
    if (value === '') throw new InputError(`${flag} was given an empty folder name`, `Pass ${flag} <folder>`);
    const k = kind(value);
    if (k !== null && k !== 'folder') throw new InputError(`${flag} ${path.resolve(value)} is a file, not a folder`, `Pass a folder (it is created if missing)${flag === '--html-dir' ? ', or --html <file> for one notebook' : ', or --out <file> for one notebook'}`);
  }

  const targets: RunTarget[] = [];
  const inputs = new Map<string, string>();
  for (const given of notebooks) {
    const k = kind(given);
    if (k === null) throw new InputError(`The notebook ${path.resolve(given)} does not exist`, 'Check the path; it is resolved from the current folder');
    if (k !== 'file') throw new InputError(`${path.resolve(given)} is ${k === 'folder' ? 'a folder' : 'not a regular file'}, not a notebook`, 'Pass .ipynb files');
    const input = realPath(given);
    if (inputs.has(input)) throw new InputError(`${given} was given twice (as ${inputs.get(input)} too)`, 'Pass each notebook once');
    inputs.set(input, given);
    const out = o.inPlace ? input
      : o.out !== undefined ? realPath(o.out)
        : o.outDir !== undefined ? realPath(path.join(o.outDir, path.basename(input)))
          : defaultOutPath(input);
    const html = o.html !== undefined ? realPath(o.html)
      : o.htmlDir !== undefined ? realPath(path.join(o.htmlDir, reportName(input))) : undefined;
    targets.push({ given, input, out, html });
  }

  // Every write: never an input (but its own with --in-place), never a file another write takes.
  const writes = new Map<string, { target: RunTarget; what: 'notebook' | 'html' }>();
  const flagOf = (what: 'notebook' | 'html') => (what === 'notebook' ? (o.out !== undefined ? '--out' : o.outDir !== undefined ? '--out-dir' : null) : (o.html !== undefined ? '--html' : '--html-dir'));
  for (const t of targets) {
    for (const what of ['notebook', 'html'] as const) {
      const file = what === 'notebook' ? t.out : t.html;
      if (file === undefined) continue;
      const own = what === 'notebook' && o.inPlace && file === t.input;
      const onInput = inputs.get(file);
      if (onInput !== undefined && !own) {
        const flag = flagOf(what);
        if (onInput === t.given && flag) {
          const named = flag === '--out' ? o.out : flag === '--html' ? o.html : undefined;
          const shown = named !== undefined && path.resolve(named) !== file ? `${named} (${file})` : file;
          throw new InputError(`${flag} ${shown} is the input notebook`, `Pass another ${flag} path${what === 'notebook' ? ', or --in-place to overwrite the input' : ''}`);
        }
        throw new InputError(`${onInput} is an input, and ${t.given} would write its ${what === 'notebook' ? 'executed notebook' : 'report'} there`,
          `Leave ${onInput} out (it looks like the output of an earlier run), or pass --out-dir`);
      }
      const other = writes.get(file);
      if (other) {
        if (other.target === t) throw new InputError(`--out and --html both write ${file}`, 'Give the report another name');
        throw new InputError(`${other.target.given} and ${t.given} would both write ${file}`,
          'Run them separately, or rename one: outputs are never overwritten by another output of the same run');
      }
      writes.set(file, { target: t, what });
    }
  }
  // The report over a notebook (the first data loss of issue 11, whatever notebook it is), or a notebook named as a web page.
  if (o.html !== undefined && /\.ipynb$/i.test(o.html)) {
    throw new InputError(`--html ${o.html} names a notebook file, and the report is HTML`, `Pass a name ending in .html (e.g. --html ${o.html.replace(/\.ipynb$/i, '.html')})`);
  }
  if (o.out !== undefined && /\.html?$/i.test(o.out)) {
    throw new InputError(`--out ${o.out} names a web page, and the executed notebook is .ipynb JSON`, 'Pass a name ending in .ipynb, and the report with --html');
  }
  return targets;
}

/**
 * Writes `text` to `file` atomically: a temporary file beside it, flushed, then renamed over it
 * (readers see the old file or the new one, never half of one). The mode of a replaced file is kept.
 */
export function writeFileAtomic(file: string, text: string): void {
  const target = existsSync(file) ? realpathSync(file) : file;
  let mode: number | null = null;
  try { mode = statSync(target).mode & 0o7777; } catch { /* a new file: the umask decides */ }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o666);
  try {
    try {
      if (mode !== null) fchmodSync(fd, mode);
      const bytes = Buffer.from(text, 'utf8');
      for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
