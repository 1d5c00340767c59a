/**
 * `dadalab grade submissions/ --key sheet.ipynb`: every submitted notebook runs in a fresh kernel
 * (`dadalab run` semantics: the embedded kernel, cells in order, a per-cell time limit), with its
 * check and setup cells replaced by the key's (editing them changes nothing; hidden checks count),
 * and carrying on after a failing cell (one wrong exercise costs that exercise only). A notebook
 * whose kernel dies, or whose cell cannot be stopped, scores what it reached. The scores come from
 * the check outputs' metadata (`metadata.dadalab.check`); an exercise scores its points when every
 * check of it ran and passed. Writes a CSV (one row per student and exercise) and a summary per
 * student and per exercise; the executed submissions go beside them for the teacher to read.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DadalabError } from '../../lib/errors';
import { EmbeddedKernel, type CellKernel } from '../client';
import { OutputCollector, readNotebook, sourceText, writeNotebook, type Notebook, type Output } from '../notebook';
import { lockedCells, makeVersion } from './sheet';
import type { CheckRecord } from '../../lib/exercise/kit';

export interface GradeOptions {
  /** The sheet (with its solution regions) or the teacher's key made from it. */
  key: string;
  /** Seconds a cell may run before it is interrupted (default 60). */
  timeout?: number;
  /** Folder for grades.csv, summary.md and the executed submissions (default: <submissions>/graded). */
  out?: string;
  /** Called as each notebook finishes. */
  onNotebook?: (name: string, status: string) => void;
}

export interface ExerciseScore {
  exercise: string;
  title: string;
  points: number;
  score: number;
  passed: boolean;
  message: string;
}

export interface SubmissionGrade {
  student: string;
  file: string;
  /** 'complete', or how the run ended early ('crashed at cell 5: ...', 'timed out at cell 3 ...'). */
  status: string;
  /** Cells that raised an error (1-based), the run went on after them. */
  errors: number[];
  scores: ExerciseScore[];
  total: number;
  max: number;
}

export interface GradeReport {
  exercises: Array<{ exercise: string; title: string; points: number }>;
  /** What the key itself scores (it should be full marks). */
  key: SubmissionGrade;
  submissions: SubmissionGrade[];
  csv: string;
  summary: string;
}

interface RunOutcome {
  notebook: Notebook;
  status: string;
  errors: number[];
  checks: CheckRecord[];
}

/** Grace after an interrupt before a cell counts as hung and its kernel is stopped. */
const INTERRUPT_GRACE_MS = 5000;

/** Runs every code cell, carrying on after errors; stops when the kernel dies or a cell cannot be stopped. */
export async function runForGrading(nb: Notebook, cwd: string, timeoutSeconds: number): Promise<RunOutcome> {
  const collector = new OutputCollector();
  const errors: number[] = [];
  let status = 'complete';
  let kernel: CellKernel | null = null;
  for (const cell of nb.cells) if (cell.cell_type === 'code') { cell.outputs = []; cell.execution_count = null; }
  try {
    kernel = await EmbeddedKernel.start({ cwd });
    for (let i = 0; i < nb.cells.length; i++) {
      const cell = nb.cells[i];
      if (cell.cell_type !== 'code') continue;
      const outputs: Output[] = [];
      cell.outputs = outputs;
      let timedOut = false;
      let hung = false;
      const k: CellKernel = kernel;
      const limit = setTimeout(() => { timedOut = true; void k.interrupt(); }, timeoutSeconds * 1000);
      const kill = setTimeout(() => { hung = true; void k.shutdown(); }, timeoutSeconds * 1000 + INTERRUPT_GRACE_MS);
      try {
        const { reply } = await kernel.execute(sourceText(cell), (m) => collector.add(outputs, m));
        cell.execution_count = reply.execution_count ?? null;
        if (reply.status !== 'ok') {
          errors.push(i + 1);
          if (timedOut) {
            const evalue = `the cell ran longer than the ${timeoutSeconds} s limit and was interrupted`;
            outputs.push({ output_type: 'error', ename: 'CellTimeout', evalue, traceback: [`CellTimeout: ${evalue}`] });
          }
        }
      } catch (e) {
        const message = String((e as Error)?.message ?? e).split('\n')[0];
        status = hung
          ? `timed out at cell ${i + 1} (still running ${INTERRUPT_GRACE_MS / 1000} s after the interrupt; stopped)`
          : `crashed at cell ${i + 1}: ${message}`;
        outputs.push({ output_type: 'error', ename: hung ? 'CellTimeout' : 'KernelDied', evalue: status, traceback: [status] });
        errors.push(i + 1);
        break;
      } finally {
        clearTimeout(limit);
        clearTimeout(kill);
      }
    }
  } finally {
    await kernel?.shutdown().catch(() => undefined);
  }
  const checks: CheckRecord[] = [];
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      const rec = ((o.metadata as Record<string, any> | undefined)?.dadalab?.check) as CheckRecord | undefined;
      if (rec && typeof rec.exercise === 'string') checks.push(rec);
    }
  }
  return { notebook: nb, status, errors, checks };
}

function scoresOf(exercises: GradeReport['exercises'], checks: CheckRecord[]): ExerciseScore[] {
  return exercises.map((ex) => {
    const mine = checks.filter((c) => c.exercise === ex.exercise);
    const passed = mine.length > 0 && mine.every((c) => c.passed);
    const failedCheck = mine.find((c) => !c.passed);
    return {
      exercise: ex.exercise, title: ex.title, points: ex.points, score: passed ? ex.points : 0, passed,
      message: mine.length === 0 ? 'not checked (the check did not run)' : (failedCheck ?? mine[mine.length - 1]).message,
    };
  });
}

/** The key's locked cells put in place of the submission's (matched by their key). */
export function withKeyCells(submission: Notebook, key: Notebook): Notebook {
  const locked = lockedCells(key);
  const nb: Notebook = JSON.parse(JSON.stringify(submission));
  nb.cells = nb.cells.map((cell) => {
    const tag = (cell.metadata?.dadalab as Record<string, any> | undefined)?.exercise;
    const original = tag?.key ? locked.get(tag.key) : undefined;
    return original ? JSON.parse(JSON.stringify(original)) : cell;
  });
  return nb;
}

function csvField(v: unknown): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The submissions: *.ipynb in the folder, or <student>/<any>.ipynb one level down. */
export function findSubmissions(dir: string, exclude: string[] = []): Array<{ student: string; file: string }> {
  const found: Array<{ student: string; file: string }> = [];
  const skip = new Set(exclude.map((p) => path.resolve(p)));
  for (const entry of readdirSync(dir).sort()) {
    const p = path.join(dir, entry);
    if (skip.has(path.resolve(p)) || entry.startsWith('.')) continue;
    if (statSync(p).isDirectory()) {
      if (entry === 'graded') continue;
      const nbs = readdirSync(p).filter((f) => f.endsWith('.ipynb') && !f.startsWith('.')).sort();
      if (nbs.length > 1) throw new DadalabError(`${p} holds ${nbs.length} notebooks (${nbs.join(', ')})`, 'Leave one submitted notebook per student folder');
      if (nbs.length === 1) found.push({ student: entry, file: path.join(p, nbs[0]) });
    } else if (entry.endsWith('.ipynb')) {
      found.push({ student: entry.replace(/\.ipynb$/, ''), file: p });
    }
  }
  return found;
}

export async function gradeSubmissions(dir: string, opts: GradeOptions): Promise<GradeReport> {
  const subDir = path.resolve(dir);
  if (!existsSync(subDir) || !statSync(subDir).isDirectory()) {
    throw new DadalabError(`The submissions folder ${subDir} does not exist`, 'Pass the folder that holds the submitted notebooks');
  }
  const timeout = opts.timeout ?? 60;
  if (!(timeout > 0)) throw new DadalabError(`--timeout ${opts.timeout}`, 'Give the per-cell limit in seconds, e.g. --timeout 60');
  const keyNb = makeVersion(readNotebook(path.resolve(opts.key)), 'teacher').notebook;
  const out = path.resolve(opts.out ?? path.join(subDir, 'graded'));
  mkdirSync(out, { recursive: true });

  // The key first: it defines the exercises and their points, and must score full marks.
  const keyRun = await runForGrading(JSON.parse(JSON.stringify(keyNb)), path.dirname(path.resolve(opts.key)), timeout);
  const seen = new Map<string, { exercise: string; title: string; points: number }>();
  for (const c of keyRun.checks) if (!seen.has(c.exercise)) seen.set(c.exercise, { exercise: c.exercise, title: c.title, points: c.points });
  const exercises = [...seen.values()];
  if (exercises.length === 0) {
    throw new DadalabError(`The key ${opts.key} ran no check (${keyRun.status}${keyRun.errors.length ? `; errors in cells ${keyRun.errors.join(', ')}` : ''})`,
      'Call check(id, answer, rule) in the sheet, and make the key run from top to bottom');
  }
  const grade = (student: string, file: string, run: RunOutcome): SubmissionGrade => {
    const scores = scoresOf(exercises, run.checks);
    return { student, file, status: run.status, errors: run.errors, scores,
      total: scores.reduce((s, x) => s + x.score, 0), max: exercises.reduce((s, x) => s + x.points, 0) };
  };
  const key = grade('(key)', path.resolve(opts.key), keyRun);
  writeNotebook(path.join(out, '_key.ipynb'), keyRun.notebook);

  const submissions: SubmissionGrade[] = [];
  for (const { student, file } of findSubmissions(subDir, [opts.key, out])) {
    let run: RunOutcome;
    try {
      const nb = withKeyCells(readNotebook(file), keyNb);
      run = await runForGrading(nb, path.dirname(file), timeout);
    } catch (e) {
      run = { notebook: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }, status: `not run: ${(e as Error).message}`, errors: [], checks: [] };
    }
    if (run.notebook.cells.length) writeNotebook(path.join(out, `${student}.ipynb`), run.notebook);
    const g = grade(student, file, run);
    submissions.push(g);
    opts.onNotebook?.(student, `${g.total}/${g.max} (${g.status})`);
  }

  const rows = [['student', 'exercise', 'title', 'points', 'score', 'passed', 'status', 'message'].join(',')];
  for (const s of submissions) {
    for (const x of s.scores) rows.push([s.student, x.exercise, x.title, x.points, x.score, x.passed, s.status, x.message].map(csvField).join(','));
  }
  const csv = rows.join('\n') + '\n';
  const summary = summaryText(exercises, key, submissions, timeout);
  writeFileSync(path.join(out, 'grades.csv'), csv);
  writeFileSync(path.join(out, 'summary.md'), summary);
  return { exercises, key, submissions, csv, summary };
}

function summaryText(exercises: GradeReport['exercises'], key: SubmissionGrade, subs: SubmissionGrade[], timeout: number): string {
  const max = exercises.reduce((s, x) => s + x.points, 0);
  const lines = [`# Grades`, '', `${subs.length} submission${subs.length === 1 ? '' : 's'}, ${exercises.length} exercises, ${max} points; ${timeout} s per cell.`, ''];
  if (key.total !== key.max) {
    lines.push(`**The key scores ${key.total}/${key.max}** (${key.scores.filter((x) => !x.passed).map((x) => `${x.exercise}: ${x.message}`).join('; ')}): check the sheet.`, '');
  }
  lines.push('## Per student', '', '| student | score | status | failed cells |', '|---|---|---|---|');
  for (const s of subs) lines.push(`| ${s.student} | ${s.total}/${s.max} | ${s.status} | ${s.errors.join(', ') || '-'} |`);
  lines.push('', '## Per exercise', '', '| exercise | points | passed | mean score |', '|---|---|---|---|');
  for (const ex of exercises) {
    const got = subs.map((s) => s.scores.find((x) => x.exercise === ex.exercise)!);
    const passed = got.filter((x) => x.passed).length;
    const mean = subs.length ? got.reduce((a, x) => a + x.score, 0) / subs.length : 0;
    lines.push(`| ${ex.exercise} (${ex.title}) | ${ex.points} | ${passed}/${subs.length} | ${Number(mean.toFixed(2))} |`);
  }
  return lines.join('\n') + '\n';
}
