/**
 * Every error dadalab raises on bad input names the problem and the fix.
 * `problem` says what is wrong (with the offending rows/values), `fix` what to do.
 *
 * Categories a caller can catch (all are `DadalabError`s):
 * - `InputError`: the data or an option is wrong (shape, NaN, unknown option key, out of range);
 * - `StateError`: a method was called before what it needs (no distances, no density, ...);
 * - `ConvergenceError`: an optimiser or iteration did not converge;
 * - `MemoryLimitError`: the operation would need more memory than the budget (`neededBytes`,
 *   `budgetBytes`), refused before allocating.
 * A plain `DadalabError` is still thrown where no category fits.
 */
export class DadalabError extends Error {
  readonly problem: string;
  readonly fix: string;
  constructor(problem: string, fix: string) {
    super(`${problem}. ${fix}`);
    this.name = 'DadalabError';
    this.problem = problem;
    this.fix = fix;
  }
}

/** Bad data or a bad option: shape, NaN/Inf, unknown key, value out of range. */
export class InputError extends DadalabError {
  constructor(problem: string, fix: string) {
    super(problem, fix);
    this.name = 'InputError';
  }
}

/** A method called before what it needs was computed or set. */
export class StateError extends DadalabError {
  constructor(problem: string, fix: string) {
    super(problem, fix);
    this.name = 'StateError';
  }
}

/** An optimiser or an iteration did not converge. */
export class ConvergenceError extends DadalabError {
  constructor(problem: string, fix: string) {
    super(problem, fix);
    this.name = 'ConvergenceError';
  }
}

/** Refused before allocating: the operation needs more memory than the budget allows. */
export class MemoryLimitError extends DadalabError {
  readonly neededBytes: number;
  readonly budgetBytes: number;
  constructor(problem: string, fix: string, neededBytes: number, budgetBytes: number) {
    super(problem, fix);
    this.name = 'MemoryLimitError';
    this.neededBytes = neededBytes;
    this.budgetBytes = budgetBytes;
  }
}

/** True for any dadalab error (also across two copies of the library, where instanceof fails). */
export function isDadalabError(e: unknown): e is DadalabError {
  return e instanceof DadalabError || (e instanceof Error && typeof (e as DadalabError).problem === 'string' && typeof (e as DadalabError).fix === 'string');
}

/** Lists at most `max` items of a list of indices for an error message ("3, 17, 42 and 12 more"). */
export function listSome(items: ArrayLike<number>, max = 10): string {
  const n = items.length;
  const shown: number[] = [];
  for (let i = 0; i < Math.min(n, max); i++) shown.push(items[i]);
  return n > max ? `${shown.join(', ')} and ${n - max} more` : shown.join(', ');
}
