#!/usr/bin/env node
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { formatResult, replayFile, summarize, summaryLine, type OutputResult } from './replay';
import { completeMethods } from './registry';

/** Case files named by the arguments: files as they are, folders (or their cases/ subfolder) expanded. */
export function expandCaseArgs(args: string[]): string[] {
  const files: string[] = [];
  for (const a of args) {
    if (!existsSync(a)) throw new Error(`no such case file or folder: ${a}`);
    if (statSync(a).isDirectory()) {
      const dir = existsSync(join(a, 'cases')) && statSync(join(a, 'cases')).isDirectory() ? join(a, 'cases') : a;
      for (const f of readdirSync(dir).sort()) {
        if (f.endsWith('.json') && f !== 'index.json') files.push(join(dir, f));
      }
    } else {
      files.push(a);
    }
  }
  return files;
}

export interface ParityRunOptions {
  quiet?: boolean;
  grep?: string;
  /** Every "not implemented" fails the run (by default only those of methods declared implemented). */
  strict?: boolean;
  log?: (line: string) => void;
}

/**
 * Whether a result makes the run fail: any FAIL; a "not implemented" of a DADApy method the
 * project declares implemented (parity/maps: registerComplete), or any "not implemented" with strict.
 */
export function failsRun(r: OutputResult, strict = false): boolean {
  if (r.status === 'FAIL') return true;
  if (r.status !== 'N/I') return false;
  return strict || completeMethods().has(r.method);
}

/**
 * Replays the named cases, prints a line per output and the summary line
 * (`N passed, M failed, K not implemented, I informational`); returns the exit status: 1 when a
 * result fails the run (see failsRun) or no case file was found, else 0.
 */
export async function runParity(args: string[], opts: ParityRunOptions = {}): Promise<number> {
  const log = opts.log ?? ((l: string) => console.log(l));
  let files = expandCaseArgs(args);
  if (opts.grep) {
    const re = new RegExp(opts.grep);
    files = files.filter((f) => re.test(f));
  }
  const all: OutputResult[] = [];
  for (const f of files) {
    let results: OutputResult[];
    try {
      results = await replayFile(f);
    } catch (e) {
      results = [{ caseName: f, stepIndex: -1, method: '(load)', call: '(load)', output: '(case)', status: 'FAIL', err: Infinity, tol: null, detail: (e as Error).message }];
    }
    for (const r of results) if (!opts.quiet || failsRun(r, opts.strict)) log(formatResult(r));
    all.push(...results);
  }
  const s = summarize(all);
  log(summaryLine(s));
  const blocking = all.filter((r) => r.status === 'N/I' && failsRun(r, opts.strict)).length;
  if (blocking > 0) {
    log(`${blocking} not implemented ${opts.strict ? '(--strict)' : `in methods declared implemented (${[...new Set(all.filter((r) => r.status === 'N/I' && failsRun(r)).map((r) => r.method))].join(', ')})`}: exit status 1`);
  }
  return all.some((r) => failsRun(r, opts.strict)) || files.length === 0 ? 1 : 0;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('npm run parity --')
    .description('Replay DADApy parity cases against dadalab and compare every output')
    .argument('<cases...>', 'case files (cases/*.json, inputs in the sibling data/ folder) or folders of them')
    .option('-q, --quiet', 'print only what fails the run, and the summary')
    .option('--grep <pattern>', 'only cases whose name matches this regular expression')
    .option('--strict', 'every "not implemented" output fails the run (by default only those of methods declared implemented)')
    .addHelpText('after', '\nExit status: 0 when nothing fails the run; 1 on any FAIL, on a "not implemented" of a method the project\ndeclares implemented (any "not implemented" with --strict), or when no case file is found; 2 on a usage error.')
    .parse();
  const opts = program.opts<{ quiet?: boolean; grep?: string; strict?: boolean }>();
  process.exitCode = await runParity(program.args, opts);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  });
}
