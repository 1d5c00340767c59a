#!/usr/bin/env node
/**
 * The `dadalab` command: `install` / `uninstall` the kernelspec, `run` a notebook headlessly,
 * `kernel` (what the kernelspec starts), `html` (nbconvert with the SVG fix).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Command } from 'commander';
import { DadalabError } from '../lib/errors';
import { installKernelspec, uninstallKernelspec, templateDir, NBCONVERT_TEMPLATES, KERNEL_NAME } from './kernelspec';
import { runNotebook } from './run';
import { registerExerciseCommands } from './exercise/cli';

function fail(e: unknown): never {
  if (e instanceof DadalabError) process.stderr.write(`dadalab: ${e.message}\n`);
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
  .action((o: { user?: boolean; prefix?: string }) => {
    try {
      const dir = installKernelspec(o);
      process.stdout.write(`Installed the dadalab kernelspec in ${dir}\n`
        + `and the nbconvert template in ${templateDir(o)} (jupyter nbconvert --to html --template dadalab x.ipynb)\n`);
    } catch (e) { fail(e); }
  });

program.command('uninstall')
  .description('remove the kernelspec written by install')
  .option('--user', 'from the per-user Jupyter folder (the default)')
  .option('--prefix <dir>', 'from <dir>/share/jupyter/kernels')
  .action((o: { user?: boolean; prefix?: string }) => {
    try {
      const dir = uninstallKernelspec(o);
      process.stdout.write(dir ? `Removed ${dir}\n` : 'No dadalab kernelspec was installed there\n');
    } catch (e) { fail(e); }
  });

program.command('run')
  .description('execute notebooks headlessly, in order; stops at the first failing cell (exit code 1)')
  .argument('<notebooks...>', 'the .ipynb files')
  .option('--out <file>', 'the executed notebook (one notebook only; default: <name>.out.ipynb, never the input)')
  .option('--in-place', 'write each executed notebook over its input')
  .option('--html <file>', 'also write a self-contained HTML report (one notebook only)')
  .option('--html-dir <dir>', 'write <name>.html reports into this folder')
  .option('--server', 'run through a Jupyter server (needs jupyter-server) instead of the embedded client')
  .option('--timeout <seconds>', 'interrupt a cell running longer than this, and fail', (v) => Number(v))
  .option('--quiet', 'print nothing but errors')
  .action(async (nbs: string[], o: { out?: string; inPlace?: boolean; html?: string; htmlDir?: string; server?: boolean; quiet?: boolean; timeout?: number }) => {
    try {
      const say = (s: string) => { if (!o.quiet) process.stderr.write(s); };
      if (nbs.length > 1 && (o.out || o.html)) {
        throw new DadalabError('--out and --html name one file, but several notebooks were given', 'Use --html-dir for the reports, and the default <name>.out.ipynb outputs');
      }
      for (const nb of nbs) {
        if (nbs.length > 1) say(`${nb}\n`);
        const html = o.html ?? (o.htmlDir ? path.join(o.htmlDir, path.basename(nb).replace(/\.ipynb$/, '') + '.html') : undefined);
        const r = await runNotebook(nb, {
          ...o, html,
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
