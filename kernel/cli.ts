#!/usr/bin/env node
/**
 * The `dadalab` command: `install` / `uninstall` the kernelspec, `run` a notebook headlessly,
 * `kernel` (what the kernelspec starts), `html` (nbconvert with the SVG fix).
 */
import { spawnSync } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { DadalabError } from '../lib/errors';
import { killAllKernels } from './client';
import { readNotebook } from './notebook';
import { planRun } from './outputs';
import { installKernelspec, uninstallKernelspec, templateDir, labextensionDir, NBCONVERT_TEMPLATES, KERNEL_NAME } from './kernelspec';
import { runNotebook } from './run';
import { registerExerciseCommands } from './exercise/cli';

function fail(e: unknown): never {
  if (e instanceof DadalabError) process.stderr.write(`dadalab: ${e.message}\n`);
  else if (typeof (e as NodeJS.ErrnoException)?.code === 'string' && (e as Error).message) process.stderr.write(`dadalab: ${(e as Error).message}\n`);
  else process.stderr.write(`dadalab: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
}

export function nbconvertHtmlArgs(notebook: string, output?: string): string[] {
  return ['nbconvert', '--to', 'html', `--TemplateExporter.extra_template_basedirs=${NBCONVERT_TEMPLATES}`,
    '--template', 'dadalab', ...(output ? ['--output', output] : []), notebook];
}

const program = new Command();
program.name('dadalab').description('dadalab: the geometry of data in TypeScript, with a Jupyter kernel');

program.command('install')
  .description(`write the "${KERNEL_NAME}" kernelspec (absolute paths to this Node and this package; no Python needed)`)
  .option('--user', 'into the per-user Jupyter folder (the default)')
  .option('--prefix <dir>', 'into <dir>/share/jupyter/kernels (e.g. a virtualenv or /usr/local)')
  .option('--force', 'replace a kernelspec or template of that name that dadalab did not write')
  .action((o: { user?: boolean; prefix?: string; force?: boolean }) => {
    try {
      const dir = installKernelspec(o);
      process.stdout.write(`Installed the dadalab kernelspec in ${dir}\n`
        + `the nbconvert template in ${templateDir(o)} (jupyter nbconvert --to html --template dadalab x.ipynb)\n`
        + `and the widgets' JupyterLab 4 extension in ${labextensionDir(o)} (the explorers' charts; reload JupyterLab)\n`);
    } catch (e) { fail(e); }
  });

program.command('uninstall')
  .description('remove what install wrote (files it did not write stay)')
  .option('--user', 'from the per-user Jupyter folder (the default)')
  .option('--prefix <dir>', 'from <dir>/share/jupyter/kernels')
  .action((o: { user?: boolean; prefix?: string }) => {
    try {
      const kept: string[] = [];
      const dir = uninstallKernelspec(o, kept);
      process.stdout.write(dir ? `Removed the dadalab kernelspec from ${dir}\n` : 'No dadalab kernelspec was installed there\n');
      if (kept.length) process.stdout.write(`Left in place (not written by dadalab install, or edited since):\n${kept.map((f) => `  ${f}\n`).join('')}`);
    } catch (e) { fail(e); }
  });

/** --timeout: a positive number of seconds (commander hands over the text). */
export function parseTimeout(v: string): number {
  const t = Number(v);
  if (v.trim() === '' || !Number.isFinite(t) || t <= 0) {
    throw new InvalidArgumentError(`--timeout must be a positive number of seconds, got '${v}'`);
  }
  return t;
}

/** On SIGINT/SIGTERM/SIGHUP the runner takes its kernels down with it (and their connection folders), then exits. */
function stopKernelsOnSignals(): void {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAllKernels();
      process.stderr.write(`\ndadalab: stopped by ${sig}; the kernel was shut down and no notebook was written\n`);
      process.exit(128 + (osConstants.signals[sig] ?? 1));
    });
  }
}

program.command('run')
  .description('execute notebooks headlessly, in order; stops at the first failing cell (exit code 1)')
  .argument('<notebooks...>', 'the .ipynb files')
  .option('--out <file>', 'the executed notebook (one notebook only; default: <name>.out.ipynb, never the input)')
  .option('--out-dir <dir>', 'write the executed notebooks into this folder, under their own names')
  .option('--in-place', 'write each executed notebook over its input (cells a failure did not reach keep their stored outputs)')
  .option('--html <file>', 'also write a self-contained HTML report (one notebook only)')
  .option('--html-dir <dir>', 'write <name>.html reports into this folder')
  .option('--server', 'run through a Jupyter server (needs jupyter-server) instead of the embedded client')
  .option('--timeout <seconds>', 'interrupt a cell running longer than this, and fail', parseTimeout)
  .option('--quiet', 'print nothing but errors')
  .action(async (nbs: string[], o: { out?: string; outDir?: string; inPlace?: boolean; html?: string; htmlDir?: string; server?: boolean; quiet?: boolean; timeout?: number }) => {
    try {
      const say = (s: string) => { if (!o.quiet) process.stderr.write(s); };
      // Every path checked before anything runs: no output on an input, no two outputs on one file.
      const targets = planRun(nbs, o);
      // And every notebook read: a damaged one later in the list stops the run before the first runs.
      for (const t of targets) readNotebook(t.input);
      stopKernelsOnSignals();
      for (const target of targets) {
        const nb = target.given;
        if (nbs.length > 1) say(`${nb}\n`);
        const r = await runNotebook(nb, {
          ...o, target,
          progressStream: process.stderr.isTTY && !o.quiet ? process.stderr : undefined,
          onCell: (i, c) => say(`[${i + 1}] ${c.status} in ${c.seconds.toFixed(1)} s\n`),
        });
        say(`wrote ${r.out}${r.html ? ` and ${r.html}` : ''}\n`);
        if (r.failure) {
          const f = r.failure;
          process.stderr.write(`dadalab: ${nbs.length > 1 ? `${nb}: ` : ''}cell ${f.index + 1} failed\n--- cell ${f.index + 1} ---\n${f.source}\n---\n`
            + `${f.traceback.length ? f.traceback.join('\n') : `${f.ename}: ${f.evalue}`}\n`);
          process.exit(1);
        }
        say(`${r.cellsRun} cells ran in ${r.seconds.toFixed(1)} s\n`);
      }
      process.exit(0);
    } catch (e) { fail(e); }
  });

program.command('html')
  .description('jupyter nbconvert --to html with the dadalab template (charts show in Debian\'s nbconvert 6.5 too)')
  .argument('<notebook>')
  .option('--output <name>', 'output file name (nbconvert --output)')
  .action((nb: string, o: { output?: string }) => {
    const r = spawnSync('jupyter', nbconvertHtmlArgs(nb, o.output), { stdio: 'inherit' });
    if (r.error) fail(new DadalabError('jupyter nbconvert could not be started', 'Install it (Debian: apt-get install jupyter-nbconvert)'));
    process.exit(r.status ?? 1);
  });

registerExerciseCommands(program, fail);

program.command('kernel')
  .description('start the kernel (what the kernelspec runs)')
  .requiredOption('--config-path <file>', 'the connection file')
  .action(() => {
    require('./launcher').main();
  });

/** Runs the command line (also used by the in-repository launcher of scripts/build-kernel.mjs). */
export function main(argv: string[] = process.argv): void {
  program.parseAsync(argv).catch(fail);
}

if (require.main === module) main();
