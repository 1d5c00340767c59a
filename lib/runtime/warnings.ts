/**
 * Warnings go through a sink, like progress: the kernel shows them as warnings in the cell's
 * output, scripts can collect or silence them, tests can assert them. The default sink writes
 * `dadalab: <message>` to stderr (console.warn), as before.
 *
 * Categories (what a caller may want to filter on):
 * - 'input': the data or an option is suspicious but usable (duplicates, capped k, ...);
 * - 'numerical': a result is unreliable (few points, no convergence within tolerance, ...);
 * - 'performance': a slower path was taken (engine fallback, memory-saving variant);
 * - 'experimental': a feature whose behaviour may change.
 */
export type WarningCategory = 'input' | 'numerical' | 'performance' | 'experimental';

export interface DadalabWarning {
  readonly message: string;
  readonly category: WarningCategory;
}

export type WarningSink = (w: DadalabWarning) => void;

const consoleSink: WarningSink = (w) => console.warn(`dadalab: ${w.message}`);
let sink: WarningSink = consoleSink;

/** Installs a warning sink (null restores the default, console.warn); returns the previous one. */
export function setWarningSink(s: WarningSink | null): WarningSink {
  const prev = sink;
  sink = s ?? consoleSink;
  return prev;
}

/** Reports a warning to the installed sink. */
export function warn(message: string, category: WarningCategory = 'input'): void {
  sink(Object.freeze({ message, category }));
}

/**
 * Runs `fn` with a collecting sink and returns its value and the warnings it raised (nothing is
 * printed). The previous sink is restored afterwards, also when `fn` throws.
 */
export async function collectWarnings<T>(fn: () => T | Promise<T>): Promise<{ value: T; warnings: DadalabWarning[] }> {
  const warnings: DadalabWarning[] = [];
  const prev = setWarningSink((w) => warnings.push(w));
  try {
    const value = await fn();
    return { value, warnings };
  } finally {
    setWarningSink(prev);
  }
}

/** Silences warnings (all, or only the given categories) until the returned function is called. */
export function silenceWarnings(categories?: WarningCategory[]): () => void {
  const prev = sink;
  setWarningSink(categories ? (w) => { if (!categories.includes(w.category)) prev(w); } : () => {});
  return () => { setWarningSink(prev); };
}
