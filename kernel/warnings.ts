/**
 * Library warnings in a notebook: the kernel installs a warning sink (lib/runtime/warnings.ts)
 * that writes each warning to the running cell's stderr as one line, as ipykernel shows Python's
 * warnings. Outside a cell (or in a silent one) it goes to the kernel's own stderr.
 */
export interface WarningLike {
  readonly message: string;
  readonly category: string;
}

/** `DadalabWarning [input]: k = 40 exceeds ...` (one line, newline-terminated). */
export function formatWarning(w: WarningLike): string {
  return `DadalabWarning [${w.category}]: ${w.message.replace(/\s*\n\s*/g, ' ')}\n`;
}

/** The sink: write to the running cell's stderr stream when there is one, else to the process's stderr. */
export function notebookWarningSink(cellStderr: () => ((text: string) => void) | null): (w: WarningLike) => void {
  return (w) => {
    const text = formatWarning(w);
    const write = cellStderr();
    if (write) write(text);
    else process.stderr.write(text);
  };
}
