/** The `dadalab exercise student|teacher sheet.ipynb` and `dadalab grade submissions/ --key sheet.ipynb` commands. */
import * as path from 'node:path';
import type { Command } from 'commander';
import { DadalabError } from '../../lib/errors';
import { readNotebook, writeNotebook } from '../notebook';
import { gradeSubmissions } from './grade';
import { makeVersion } from './sheet';

export function defaultVersionPath(sheet: string, version: 'student' | 'teacher'): string {
  return sheet.replace(/(\.ipynb)?$/, version === 'student' ? '.student.ipynb' : '.key.ipynb');
}

export function registerExerciseCommands(program: Command, fail: (e: unknown) => never): void {
  program.command('exercise')
    .description('make the student version (solutions replaced by placeholders, checks kept) or the teacher\'s key of an exercise sheet')
    .argument('<version>', 'student or teacher')
    .argument('<sheet>', 'the sheet: a notebook with // BEGIN SOLUTION ... // END SOLUTION regions and check(...) cells')
    .option('--out <file>', 'where to write it (default: <sheet>.student.ipynb or <sheet>.key.ipynb)')
    .action((version: string, sheet: string, o: { out?: string }) => {
      try {
        if (version !== 'student' && version !== 'teacher') {
          throw new DadalabError(`dadalab exercise ${version}: unknown version`, 'Use "dadalab exercise student sheet.ipynb" or "dadalab exercise teacher sheet.ipynb"');
        }
        const out = path.resolve(o.out ?? defaultVersionPath(sheet, version));
        if (out === path.resolve(sheet)) throw new DadalabError(`--out ${o.out} is the sheet itself`, 'Write the version to another file');
        const { notebook, summary } = makeVersion(readNotebook(sheet), version);
        writeNotebook(out, notebook);
        process.stdout.write(`wrote ${out}: ${summary.solutions} solution region${summary.solutions === 1 ? '' : 's'} `
          + `${version === 'student' ? 'replaced by placeholders' : 'filled in'}, checks of ${[...new Set(summary.checks)].join(', ') || 'no exercise'}\n`);
      } catch (e) { fail(e); }
    });

  program.command('grade')
    .description('run every submitted notebook in a fresh kernel with the key\'s checks; write grades.csv and summary.md')
    .argument('<submissions>', 'a folder of submitted notebooks (<student>.ipynb, or <student>/<any>.ipynb)')
    .requiredOption('--key <sheet>', 'the exercise sheet (or the key made from it)')
    .option('--timeout <seconds>', 'per-cell time limit (default 60)', (v) => Number(v))
    .option('--out <dir>', 'where to write the grades and the executed submissions (default: <submissions>/graded)')
    .action(async (dir: string, o: { key: string; timeout?: number; out?: string }) => {
      try {
        const r = await gradeSubmissions(dir, { ...o, onNotebook: (name, status) => process.stderr.write(`${name}: ${status}\n`) });
        process.stdout.write(r.summary);
        process.exit(0);
      } catch (e) { fail(e); }
    });
}
