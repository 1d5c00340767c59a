/**
 * Every error dadalab raises on bad input names the problem and the fix.
 * `problem` says what is wrong (with the offending rows/values), `fix` what to do.
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

/** Lists at most `max` items of a list of indices for an error message ("3, 17, 42 and 12 more"). */
export function listSome(items: ArrayLike<number>, max = 10): string {
  const n = items.length;
  const shown: number[] = [];
  for (let i = 0; i < Math.min(n, max); i++) shown.push(items[i]);
  return n > max ? `${shown.join(', ')} and ${n - max} more` : shown.join(', ');
}
