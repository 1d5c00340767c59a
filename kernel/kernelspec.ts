/**
 * Installing the `dadalab` kernelspec: kernel.json with absolute paths to this Node and this
 * launcher, so no Python and no `tslab install` step. The repository also carries a relocatable
 * kernelspec (kernel/jupyter/kernels/dadalab, found with JUPYTER_PATH=<repo>/kernel/jupyter).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { DadalabError } from '../lib/errors';

export const KERNEL_NAME = 'dadalab';
export const DISPLAY_NAME = 'dadalab (TypeScript)';
export const LAUNCHER = path.resolve(__dirname, 'launcher.js');
/** The kernelspec folder shipped in the package (use it through JUPYTER_PATH). */
export const PACKAGED_JUPYTER_PATH = path.resolve(__dirname, '..', '..', 'kernel', 'jupyter');
/**
 * nbconvert template folder (--TemplateExporter.extra_template_basedirs): the build copies
 * kernel/nbconvert/templates here with the inline vega scripts of the interactive charts.
 */
export const NBCONVERT_TEMPLATES = path.resolve(__dirname, '..', 'nbconvert', 'templates');

export interface InstallOptions {
  user?: boolean;
  prefix?: string;
}

/** Jupyter's per-user data folder (JUPYTER_DATA_DIR, else the platform default). */
export function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === 'darwin') return path.join(homedir(), 'Library', 'Jupyter');
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? homedir(), 'jupyter');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(homedir(), '.local', 'share'), 'jupyter');
}

/** The Jupyter data folder: DIR/share/jupyter with --prefix, else the user's. */
export function jupyterDataDir(opts: InstallOptions = {}): string {
  if (opts.prefix !== undefined && opts.user) {
    throw new DadalabError('dadalab install was given both --user and --prefix', 'Pass one of them');
  }
  if (opts.prefix !== undefined && opts.prefix.trim() === '') {
    throw new DadalabError('--prefix was given an empty folder name', 'Pass --prefix <folder> (for example a virtualenv or /usr/local), or --user');
  }
  return opts.prefix !== undefined ? path.join(path.resolve(opts.prefix), 'share', 'jupyter') : userDataDir();
}

/** Where the kernelspec goes: DIR/share/jupyter/kernels/dadalab with --prefix, else the user's folder. */
export function kernelspecDir(opts: InstallOptions = {}): string {
  return path.join(jupyterDataDir(opts), 'kernels', KERNEL_NAME);
}

/** Where the nbconvert template goes (so `jupyter nbconvert --to html --template dadalab` finds it). */
export function templateDir(opts: InstallOptions = {}): string {
  return path.join(jupyterDataDir(opts), 'nbconvert', 'templates', KERNEL_NAME);
}

/** Where the widgets' browser code goes (the classic Notebook serves <data>/nbextensions/dadalab/widgets.js). */
export function nbextensionDir(opts: InstallOptions = {}): string {
  return path.join(jupyterDataDir(opts), 'nbextensions', KERNEL_NAME);
}

/**
 * Where the JupyterLab 4 extension of the widgets' views goes: <data>/labextensions/dadalab, the
 * folder `jupyter labextension` and pip-installed extensions use (JupyterLab loads every prebuilt
 * extension it finds in its data folders' labextensions/; no rebuild).
 */
export function labextensionDir(opts: InstallOptions = {}): string {
  return path.join(jupyterDataDir(opts), 'labextensions', KERNEL_NAME);
}

/** What `jupyter labextension list` shows about where the extension came from and how to remove it. */
export function labextensionInstallJson(): Record<string, string> {
  return { packageManager: 'npm', packageName: 'dadalab', uninstallInstructions: 'Run: npx dadalab uninstall (with the --user or --prefix of the install)' };
}

export function kernelJson(): Record<string, unknown> {
  return {
    argv: [process.execPath, LAUNCHER, '--config-path', '{connection_file}'],
    display_name: DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'signal',
    metadata: { debugger: false },
  };
}

/** The record install leaves beside kernel.json: what it wrote (with hashes) and the folders it made. */
export const MANIFEST = 'dadalab-install.json';

interface Manifest {
  files: Record<string, string>;
  createdDirs: string[];
}

function sha256(file: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

function readManifest(dir: string): Manifest | null {
  try {
    const m = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8'));
    if (m && typeof m.files === 'object' && Array.isArray(m.createdDirs)) return m as Manifest;
  } catch { /* none, or unreadable: treated as none */ }
  return null;
}

/** A kernel.json written by an install of dadalab from before the manifest (0.1): our display name and launcher. */
function legacyOurs(kernelJsonFile: string): boolean {
  try {
    const k = JSON.parse(readFileSync(kernelJsonFile, 'utf8'));
    return k.display_name === DISPLAY_NAME && typeof k.argv?.[1] === 'string' && k.argv[1].endsWith(path.join('kernel', 'launcher.js'));
  } catch {
    return false;
  }
}

/** Every file of a folder, recursively, relative to it. */
function filesUnder(dir: string, rel = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = path.join(rel, e.name);
    return e.isDirectory() ? filesUnder(dir, r) : e.isFile() ? [r] : [];
  });
}

/** What install writes: target path -> content. */
function installPlan(opts: InstallOptions): Map<string, Buffer> {
  const plan = new Map<string, Buffer>();
  plan.set(path.join(kernelspecDir(opts), 'kernel.json'), Buffer.from(JSON.stringify(kernelJson(), null, 2) + '\n'));
  const templates = path.join(NBCONVERT_TEMPLATES, KERNEL_NAME);
  for (const rel of filesUnder(templates)) plan.set(path.join(templateDir(opts), rel), readFileSync(path.join(templates, rel)));
  // the classic Notebook's views of dadalab's widgets (built into kernel/jupyter/nbextensions)
  const views = path.join(PACKAGED_JUPYTER_PATH, 'nbextensions', KERNEL_NAME);
  for (const rel of filesUnder(views)) plan.set(path.join(nbextensionDir(opts), rel), readFileSync(path.join(views, rel)));
  // JupyterLab 4's prebuilt extension of the same views (built into kernel/jupyter/labextensions)
  const lab = path.join(PACKAGED_JUPYTER_PATH, 'labextensions', KERNEL_NAME);
  const labFiles = filesUnder(lab);
  for (const rel of labFiles) plan.set(path.join(labextensionDir(opts), rel), readFileSync(path.join(lab, rel)));
  if (labFiles.length) plan.set(path.join(labextensionDir(opts), 'install.json'), Buffer.from(JSON.stringify(labextensionInstallJson(), null, 2) + '\n'));
  return plan;
}

/** Is `file` one dadalab wrote (listed with the same content in the manifest, or a pre-manifest kernel.json)? */
function ours(file: string, manifest: Manifest | null): boolean {
  const h = sha256(file);
  if (h === null) return false;
  if (manifest?.files[file] === h) return true;
  return !manifest && path.basename(file) === 'kernel.json' && legacyOurs(file);
}

export interface InstallFlags extends InstallOptions {
  /** Replace files dadalab did not write (a foreign kernelspec named dadalab). */
  force?: boolean;
}

/**
 * Writes kernel.json and the nbconvert template. A file at one of those paths that dadalab did not
 * write (or that was edited since) is not overwritten unless `force`: the error lists them.
 */
export function installKernelspec(opts: InstallFlags = {}): string {
  if (!existsSync(LAUNCHER)) {
    throw new DadalabError(`The kernel launcher ${LAUNCHER} does not exist`, 'Build the package first: npm run build');
  }
  const dir = kernelspecDir(opts);
  const manifest = readManifest(dir);
  const plan = installPlan(opts);
  const foreign = [...plan].filter(([file, content]) => existsSync(file) && !ours(file, manifest) && !readFileSync(file).equals(content)).map(([f]) => f);
  if (foreign.length && !opts.force) {
    throw new DadalabError(`${foreign.join(', ')} ${foreign.length > 1 ? 'exist and were' : 'exists and was'} not written by dadalab install (or ${foreign.length > 1 ? 'were' : 'was'} edited since)`,
      'Remove or rename it (jupyter kernelspec list shows the kernels), or pass --force to replace it');
  }
  const createdDirs = new Set(manifest?.createdDirs ?? []);
  // Files an earlier install wrote that this one does not (the labextension's chunks are named by
  // their content hash): removed when they are still as written, so a reinstall leaves no stale chunk.
  for (const old of Object.keys(manifest?.files ?? {})) {
    if (!plan.has(old) && existsSync(old) && ours(old, manifest)) rmSync(old, { force: true });
  }
  const files: Record<string, string> = {};
  for (const [file, content] of plan) {
    // The folders this install creates, so that uninstall removes exactly those (once empty).
    const made: string[] = [];
    for (let d = path.dirname(file); !existsSync(d); d = path.dirname(d)) made.push(d);
    mkdirSync(path.dirname(file), { recursive: true });
    for (const d of made) createdDirs.add(d);
    writeFileSync(file, content);
    files[file] = createHash('sha256').update(content).digest('hex');
  }
  writeFileSync(path.join(dir, MANIFEST), JSON.stringify({ files, createdDirs: [...createdDirs] }, null, 1) + '\n');
  return dir;
}

/**
 * Removes what install wrote: only files whose content is still what it wrote, then the folders it
 * created, once empty. Anything else stays, and is named in `kept`. Null when nothing of dadalab's
 * is installed there; a kernel.json that dadalab did not write is refused.
 */
export function uninstallKernelspec(opts: InstallOptions = {}, kept: string[] = []): string | null {
  const dir = kernelspecDir(opts);
  const kernelJsonFile = path.join(dir, 'kernel.json');
  const manifest = readManifest(dir);
  if (!manifest && !existsSync(kernelJsonFile)) return null;
  if (existsSync(kernelJsonFile) && !ours(kernelJsonFile, manifest)) {
    throw new DadalabError(`${kernelJsonFile} was not written by dadalab install (or was edited since)`, 'It is left as it is: remove it yourself if it should go (jupyter kernelspec remove dadalab)');
  }
  const remove: string[] = [];
  if (manifest) {
    for (const file of Object.keys(manifest.files)) {
      if (!existsSync(file)) continue;
      if (ours(file, manifest)) remove.push(file);
      else kept.push(file);
    }
  } else {
    // Installed before the manifest: kernel.json (checked above) and the template files still as shipped.
    if (existsSync(kernelJsonFile)) remove.push(kernelJsonFile);
    for (const [file, content] of installPlan(opts)) {
      if (file !== kernelJsonFile && existsSync(file) && readFileSync(file).equals(content)) remove.push(file);
    }
  }
  for (const file of remove) rmSync(file, { force: true });
  rmSync(path.join(dir, MANIFEST), { force: true });
  const dirs = manifest ? manifest.createdDirs : [dir, templateDir(opts)];
  // what is left in dadalab's own folders is named (not what shares a parent folder, like another kernel)
  const owned = [dir, templateDir(opts), nbextensionDir(opts), labextensionDir(opts)];
  const isOwned = (d: string) => owned.some((o) => d === o || d.startsWith(o + path.sep));
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      if (readdirSync(d).length === 0) rmdirSync(d);
      else if (isOwned(d)) kept.push(...readdirSync(d).map((f) => path.join(d, f)).filter((f) => !kept.includes(f) && !dirs.includes(f)));
    } catch { /* already gone */ }
  }
  return dir;
}
