/**
 * The exercise kit in the kernel. A sheet declares its exercises (`exercise(id, { title, points,
 * hints })`), the student computes an answer, and a check cell runs `check(id, answer, rule)`:
 * the student sees at once whether it is right and the teacher's specific feedback, asks for
 * hints with `hint(id)`, and the output carries the verdict in its metadata
 * (`metadata.dadalab.check = { exercise, passed, points, score, message, hints }`), which
 * `dadalab grade` reads from the executed submission.
 */
import { InputError, StateError } from '../errors';
import { describeValue, wrong, type Rule, type Verdict } from './rules';

export interface ExerciseSpec {
  title?: string;
  /** Points for passing the check (default 1). */
  points?: number;
  /** Hints, shown one at a time by hint(id). */
  hints?: string[];
}

export interface ExerciseInfo {
  readonly id: string;
  readonly title: string;
  readonly points: number;
  readonly hints: readonly string[];
}

export interface CheckRecord {
  exercise: string;
  title: string;
  passed: boolean;
  points: number;
  score: number;
  message: string;
  /** Hints the student asked for before this check. */
  hints: number;
}

const exercises = new Map<string, ExerciseInfo>();
const hintsShown = new Map<string, number>();

interface Display { data: Record<string, unknown>; metadata: Record<string, unknown> }

function display(bundle: Display): void {
  const hooks = (globalThis as { __dadalab_kernel__?: { display(b: Display): unknown } }).__dadalab_kernel__;
  if (hooks) hooks.display(bundle);
  else console.log(String(bundle.data['text/plain']));
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c] as string));
}

/** `code` spans of a message as <code>. */
function htmlOf(message: string): string {
  return escapeHtml(message).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** Declares an exercise of the sheet (again with the same id: replaced, e.g. when the cell re-runs). */
export function exercise(id: string, spec: ExerciseSpec = {}): ExerciseInfo {
  if (typeof id !== 'string' || !/^[\w.-]+$/.test(id)) {
    throw new InputError(`exercise id ${JSON.stringify(id)} is not a plain name`, 'Use letters, digits, "-", "_" or "." (e.g. "circle-id")');
  }
  const points = spec.points ?? 1;
  if (!(points >= 0)) throw new InputError(`exercise ${id}: points = ${points}`, 'Give a number of points >= 0');
  const info: ExerciseInfo = Object.freeze({ id, title: spec.title ?? id, points, hints: Object.freeze([...(spec.hints ?? [])]) });
  exercises.set(id, info);
  return info;
}

function known(id: string): ExerciseInfo {
  const info = exercises.get(id);
  if (!info) {
    const ids = [...exercises.keys()];
    throw new StateError(`There is no exercise "${id}"${ids.length ? ` (this sheet has: ${ids.join(', ')})` : ''}`,
      ids.length ? 'Use one of those ids' : 'Run the cell that declares the exercises (exercise(...)) first');
  }
  return info;
}

/**
 * Checks an answer: shows the verdict and the feedback in the cell, with the pass/fail in the
 * output's metadata. A rule that throws, or an answer that is a Promise, fails with a message
 * that says why. Returns nothing (the display is the output).
 */
export function check(id: string, answer: unknown, rule: Rule): void {
  const info = known(id);
  let verdict: Verdict;
  if (answer !== null && typeof answer === 'object' && typeof (answer as { then?: unknown }).then === 'function') {
    verdict = wrong('your answer is a Promise (a computation not awaited): put `await` before the call that computes it, then run both cells again');
  } else {
    try {
      verdict = rule(answer);
    } catch (e) {
      verdict = wrong(`checking your answer (${describeValue(answer)}) failed: ${(e as Error)?.message ?? e}`);
    }
  }
  const used = hintsShown.get(id) ?? 0;
  const record: CheckRecord = {
    exercise: id, title: info.title, passed: verdict.passed, points: info.points,
    score: verdict.passed ? info.points : 0, message: verdict.message, hints: used,
  };
  const more = !verdict.passed && info.hints.length > used ? ` Ask for a hint with hint('${id}').` : '';
  const mark = verdict.passed ? '✔' : '✘';
  const text = `${mark} ${info.title}: ${verdict.message}.${more}`.replace(/\.\./g, '.');
  const colour = verdict.passed ? '#1a7f37' : '#b3261e';
  const html = `<div class="dadalab-check" style="border-left:4px solid ${colour};padding:.3em .7em;margin:.2em 0">`
    + `<strong style="color:${colour}">${mark} ${escapeHtml(info.title)}</strong>: ${htmlOf(verdict.message)}${more ? ` ${htmlOf(more.trim())}` : ''}</div>`;
  display({ data: { 'text/plain': text, 'text/html': html }, metadata: { dadalab: { check: record } } });
}

/** The next hint of an exercise (each call shows one more), or hint number `n` (1-based). */
export function hint(id: string, n?: number): void {
  const info = known(id);
  if (info.hints.length === 0) {
    display({ data: { 'text/plain': `${info.title}: this exercise has no hints` }, metadata: { dadalab: { hint: { exercise: id, index: 0 } } } });
    return;
  }
  const shown = hintsShown.get(id) ?? 0;
  const index = n ?? Math.min(shown + 1, info.hints.length);
  if (!Number.isInteger(index) || index < 1 || index > info.hints.length) {
    throw new InputError(`${info.title} has hints 1 to ${info.hints.length}, not ${n}`, `Call hint('${id}') for the next one`);
  }
  hintsShown.set(id, Math.max(shown, index));
  const last = index === info.hints.length ? ' (the last hint)' : ` (hint('${id}') again for the next)`;
  const text = `Hint ${index} of ${info.hints.length} for ${info.title}: ${info.hints[index - 1]}${last}`;
  display({
    data: { 'text/plain': text, 'text/markdown': `**Hint ${index} of ${info.hints.length}** for ${info.title}: ${info.hints[index - 1]}${last}` },
    metadata: { dadalab: { hint: { exercise: id, index } } },
  });
}

/**
 * The placeholder of a student's sheet where the solution goes: it stops the cell with a clear
 * message until it is replaced by the student's code. Typed as `any`, so the cells after it compile.
 */
export function todo(what = 'this part'): any {
  throw new StateError(`Not done yet: ${what}`, 'Replace todo(...) with your code, then run the cell again');
}

/** The exercises declared so far (ids, titles, points). */
export function exerciseList(): ExerciseInfo[] {
  return [...exercises.values()];
}
