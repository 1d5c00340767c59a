/**
 * How much a cell's printed text is kept. A cell printing without end would otherwise grow one
 * string past V8's limit (about 512 Mi characters: `RangeError: Invalid string length`) or a
 * notebook no browser can open. The kernel sends the first DADALAB_MAX_CELL_OUTPUT characters of a
 * cell's streams (default 32 Mi) and then a note with the total, as Jupyter's rate limit does;
 * the runner's collector keeps a backstop of twice that for kernels that do not cap.
 */
import { parseBytes } from '../lib/runtime/memory';

export const DEFAULT_MAX_CELL_OUTPUT = 32 * 2 ** 20;

/** The kernel's limit in characters: DADALAB_MAX_CELL_OUTPUT ("64Mi", "1000000"), else 32 Mi. */
export function maxCellOutput(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.DADALAB_MAX_CELL_OUTPUT ? parseBytes(env.DADALAB_MAX_CELL_OUTPUT) : NaN;
  return Number.isFinite(v) && v >= 1 ? Math.floor(v) : DEFAULT_MAX_CELL_OUTPUT;
}

/** Counts a cell's printed characters and hands back the part that may still be kept. */
export class StreamBudget {
  private kept = 0;
  private seen = 0;
  constructor(readonly limit: number) {}

  /** The prefix of `text` that fits in what is left ('' once the limit is reached). */
  take(text: string): string {
    this.seen += text.length;
    const room = this.limit - this.kept;
    if (room <= 0) return '';
    const part = text.length <= room ? text : text.slice(0, room);
    this.kept += part.length;
    return part;
  }

  get truncated(): boolean {
    return this.seen > this.kept;
  }

  /** The line that says the output was cut, or null when nothing was. */
  note(): string | null {
    if (!this.truncated) return null;
    return `\n[dadalab: output truncated: the cell printed ${this.seen} characters; the first ${this.kept} are kept `
      + '(write large output to a file; DADALAB_MAX_CELL_OUTPUT sets the limit)]\n';
  }
}
