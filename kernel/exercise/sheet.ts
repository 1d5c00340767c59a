/**
 * Exercise sheets, written once by the teacher as one notebook, and the two versions made from it
 * (`dadalab exercise student|teacher sheet.ipynb`):
 *
 * - solution regions: the lines between `// BEGIN SOLUTION` and `// END SOLUTION`; or, inside a
 *   line, `/* BEGIN SOLUTION *\/ expr /* END SOLUTION *\/`. The student version replaces a line
 *   region with its stub lines (written in the region as `//> code`) or, without any, with
 *   `// YOUR CODE HERE` and `todo();`; an inline region becomes `todo()`.
 * - hidden checks: lines between `// BEGIN HIDDEN CHECKS` and `// END HIDDEN CHECKS` are left out of
 *   the student version (the grader runs the key's check cells, so they count).
 * - check cells (calling `check('id', ...)`) and setup cells (declaring `exercise('id', ...)`) are
 *   locked: kept in the student version, tagged in their metadata, and replaced by the key's
 *   version when a submission is graded, so editing them changes nothing.
 *
 * The teacher's key is the sheet with the markers and stubs removed: the complete, runnable solution.
 */
import { DadalabError } from '../../lib/errors';
import { sourceText, type Cell, type Notebook } from '../notebook';

export type CellRole = 'solution' | 'check' | 'setup';

/** `metadata.dadalab.exercise` of a sheet's cells. */
export interface CellTag {
  role: CellRole;
  /** The cell's place among the sheet's locked cells ("check-3"): how the grader finds the key's version. */
  key?: string;
  /** Exercise ids the cell checks or declares. */
  ids?: string[];
}

const BEGIN = /^(\s*)\/\/\s*BEGIN SOLUTION\s*$/i;
const END = /^\s*\/\/\s*END SOLUTION\s*$/i;
const STUB = /^\s*\/\/>\s?(.*)$/;
const HIDDEN_BEGIN = /^\s*\/\/\s*BEGIN HIDDEN CHECKS?\s*$/i;
const HIDDEN_END = /^\s*\/\/\s*END HIDDEN CHECKS?\s*$/i;
const INLINE = /\/\*\s*BEGIN SOLUTION\s*\*\/[\s\S]*?\/\*\s*END SOLUTION\s*\*\//gi;
const CHECK_CALL = /(?:^|[^\w.])check\(\s*(['"])([\w.-]+)\1/g;
const EXERCISE_CALL = /(?:^|[^\w.])exercise\(\s*(['"])([\w.-]+)\1/g;

export interface Transformed {
  source: string;
  solutions: number;
  hidden: number;
}

function ids(src: string, re: RegExp): string[] {
  return [...src.matchAll(re)].map((m) => m[2]);
}

/** One cell's source in the student's version (or the teacher's, with `teacher`). */
export function transformSource(src: string, version: 'student' | 'teacher', where = 'a cell'): Transformed {
  let solutions = 0;
  let hidden = 0;
  const out: string[] = [];
  const lines = src.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const begin = BEGIN.exec(line);
    if (begin) {
      solutions++;
      const indent = begin[1];
      const stubs: string[] = [];
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !END.test(lines[j]); j++) {
        if (BEGIN.test(lines[j])) throw new DadalabError(`${where}: BEGIN SOLUTION on line ${j + 1} inside the region opened on line ${i + 1}`, 'Close each region with // END SOLUTION before opening the next');
        const stub = STUB.exec(lines[j]);
        if (stub) stubs.push(indent + stub[1]);
        else body.push(lines[j]);
      }
      if (j === lines.length) throw new DadalabError(`${where}: the BEGIN SOLUTION on line ${i + 1} has no END SOLUTION`, 'Add a line // END SOLUTION after the solution');
      if (version === 'teacher') out.push(...body);
      else out.push(...(stubs.length ? stubs : [`${indent}// YOUR CODE HERE`, `${indent}todo();`]));
      i = j;
      continue;
    }
    if (END.test(line)) throw new DadalabError(`${where}: END SOLUTION on line ${i + 1} without a BEGIN SOLUTION`, 'Open the region with // BEGIN SOLUTION');
    if (HIDDEN_BEGIN.test(line)) {
      hidden++;
      let j = i + 1;
      const body: string[] = [];
      for (; j < lines.length && !HIDDEN_END.test(lines[j]); j++) body.push(lines[j]);
      if (j === lines.length) throw new DadalabError(`${where}: BEGIN HIDDEN CHECKS on line ${i + 1} has no END HIDDEN CHECKS`, 'Close it with // END HIDDEN CHECKS');
      if (version === 'teacher') out.push(...body);
      i = j;
      continue;
    }
    out.push(line);
  }
  let source = out.join('\n');
  source = source.replace(INLINE, (m) => {
    solutions++;
    if (version === 'student') return 'todo()';
    return m.replace(/^\/\*\s*BEGIN SOLUTION\s*\*\/\s?/i, '').replace(/\s?\/\*\s*END SOLUTION\s*\*\/$/i, '');
  });
  return { source, solutions, hidden };
}

/** Splits a source into nbformat's list of lines. */
function lines(source: string): string[] {
  const parts = source.split('\n');
  return parts.map((l, i) => (i < parts.length - 1 ? `${l}\n` : l)).filter((l) => l !== '');
}

export interface SheetSummary {
  solutions: number;
  checks: string[];
  exercises: string[];
}

/**
 * The student's version or the teacher's key of a sheet: sources transformed, outputs and
 * execution counts cleared, solution / check / setup cells tagged in `metadata.dadalab.exercise`.
 */
export function makeVersion(sheet: Notebook, version: 'student' | 'teacher'): { notebook: Notebook; summary: SheetSummary } {
  const summary: SheetSummary = { solutions: 0, checks: [], exercises: [] };
  let locked = 0;
  const cells: Cell[] = sheet.cells.map((cell, index) => {
    const copy: Cell = JSON.parse(JSON.stringify(cell));
    // nbformat 4.5 wants cell ids (a notebook "fixed" on opening no longer matches its trust signature)
    if (!copy.id && (sheet.nbformat > 4 || (sheet.nbformat_minor ?? 0) >= 5)) copy.id = `cell-${index + 1}`;
    if (cell.cell_type !== 'code') return copy;
    const src = sourceText(cell);
    const t = transformSource(src, version, `cell ${index + 1}`);
    copy.source = lines(t.source);
    copy.outputs = [];
    copy.execution_count = null;
    const checked = ids(src, CHECK_CALL);
    const declared = ids(src, EXERCISE_CALL);
    summary.solutions += t.solutions;
    summary.checks.push(...checked);
    summary.exercises.push(...declared);
    let tag: CellTag | null = null;
    if (t.solutions > 0) {
      if (checked.length || declared.length) {
        throw new DadalabError(`cell ${index + 1} has a solution region and also calls ${checked.length ? 'check' : 'exercise'}(...)`,
          'Put the check (or the exercise declaration) in a cell of its own: check and setup cells are locked in the student version');
      }
      tag = { role: 'solution' };
    } else if (checked.length || declared.length || t.hidden > 0) {
      locked++;
      tag = { role: checked.length || t.hidden > 0 ? 'check' : 'setup', key: `locked-${locked}`, ids: [...new Set([...declared, ...checked])] };
    }
    const meta = { ...(copy.metadata ?? {}) } as Record<string, unknown>;
    const dadalab = { ...((meta.dadalab as Record<string, unknown>) ?? {}) };
    if (tag) dadalab.exercise = tag;
    else delete dadalab.exercise;
    if (Object.keys(dadalab).length) meta.dadalab = dadalab;
    else delete meta.dadalab;
    if (tag && tag.role !== 'solution') {
      // read-only in JupyterLab and the classic Notebook (the grader restores the key's version anyway)
      meta.editable = false;
      meta.deletable = false;
    }
    copy.metadata = meta;
    return copy;
  });
  if (summary.solutions === 0) {
    throw new DadalabError('The sheet has no solution region', 'Mark the solution lines with // BEGIN SOLUTION and // END SOLUTION (or /* BEGIN SOLUTION */ expr /* END SOLUTION */)');
  }
  const meta = { ...sheet.metadata } as Record<string, unknown>;
  const previous = (meta.dadalab as Record<string, unknown> | undefined) ?? {};
  const { version: _v, node: _n, files: _f, ...rest } = previous;
  meta.dadalab = { ...rest, sheet: { version } };
  return { notebook: { ...sheet, cells, metadata: meta }, summary };
}

/** The locked cells (check and setup) of a notebook, by their key. */
export function lockedCells(nb: Notebook): Map<string, Cell> {
  const m = new Map<string, Cell>();
  for (const cell of nb.cells) {
    const tag = ((cell.metadata?.dadalab as Record<string, unknown> | undefined)?.exercise) as CellTag | undefined;
    if (tag?.key && tag.role !== 'solution') m.set(tag.key, cell);
  }
  return m;
}
