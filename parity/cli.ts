#!/usr/bin/env node
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { formatResult, replayFile, summarize, type OutputResult } from './replay';

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
  log?: (line: string) => void;
}

/** Replays the named cases, prints a line per output and the summary; returns the exit status. */
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
    for (const r of results) if (!opts.quiet || r.status === 'FAIL') log(formatResult(r));
    all.push(...results);
  }
  const s = summarize(all);
  log(`${s.passed} passed, ${s.failed} failed, ${s.notImplemented} not implemented`);
  return s.failed > 0 || files.length === 0 ? 1 : 0;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('npm run parity --')
    .description('Replay DADApy parity cases against dadalab and compare every output')
    .argument('<cases...>', 'case files (cases/*.json, inputs in the sibling data/ folder) or folders of them')
    .option('-q, --quiet', 'print only failures and the summary')
    .option('--grep <pattern>', 'only cases whose name matches this regular expression')
    .parse();
  const opts = program.opts<{ quiet?: boolean; grep?: string }>();
  process.exitCode = await runParity(program.args, opts);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  });
}
