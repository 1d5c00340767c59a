/**
 * Installing the `dadalab` kernelspec: kernel.json with absolute paths to this Node and this
 * launcher, so no Python and no `tslab install` step. The repository also carries a relocatable
 * kernelspec (kernel/jupyter/kernels/dadalab, found with JUPYTER_PATH=<repo>/kernel/jupyter).
 */
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
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
  if (opts.prefix && opts.user) {
    throw new DadalabError('dadalab install was given both --user and --prefix', 'Pass one of them');
  }
  return opts.prefix ? path.join(path.resolve(opts.prefix), 'share', 'jupyter') : userDataDir();
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

export function kernelJson(): Record<string, unknown> {
  return {
    argv: [process.execPath, LAUNCHER, '--config-path', '{connection_file}'],
    display_name: DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'signal',
    metadata: { debugger: false },
  };
}

export function installKernelspec(opts: InstallOptions = {}): string {
  if (!existsSync(LAUNCHER)) {
    throw new DadalabError(`The kernel launcher ${LAUNCHER} does not exist`, 'Build the package first: npm run build');
  }
  const dir = kernelspecDir(opts);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify(kernelJson(), null, 2) + '\n');
  const templates = path.join(NBCONVERT_TEMPLATES, KERNEL_NAME);
  if (existsSync(templates)) cpSync(templates, templateDir(opts), { recursive: true });
  const views = path.join(PACKAGED_JUPYTER_PATH, 'nbextensions', KERNEL_NAME);
  if (existsSync(views)) cpSync(views, nbextensionDir(opts), { recursive: true });
  return dir;
}

export function uninstallKernelspec(opts: InstallOptions = {}): string | null {
  const dir = kernelspecDir(opts);
  if (!existsSync(path.join(dir, 'kernel.json'))) return null;
  rmSync(dir, { recursive: true, force: true });
  rmSync(templateDir(opts), { recursive: true, force: true });
  rmSync(nbextensionDir(opts), { recursive: true, force: true });
  return dir;
}
