/**
 * Progress sinks for lib/runtime/progress.ts (the kernel installs the notebook one): in the notebook a display that updates in place
 * (display_data, then update_display_data with the same display_id), on a terminal a cli-progress bar.
 */
import { randomBytes } from 'node:crypto';
import type { ProgressHandle, ProgressSink } from '../lib/runtime/progress';

type Writer = (data: unknown, update: boolean) => void;

/** Minimum time between two in-place updates of one display. */
export const PROGRESS_INTERVAL_MS = 200;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c] as string));
}

/**
 * The display of one progress bar. The finished state carries no timing, so an executed notebook
 * is byte-for-byte the same on every run (the elapsed time shows while it runs).
 */
export function progressBundle(label: string, done: number, total: number, displayId: string, finished: boolean, seconds: number): unknown {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const pct = Math.round(frac * 100);
  const state = finished ? 'done' : `${pct}% after ${seconds.toFixed(1)} s`;
  const text = `${label}: ${state} (${done}/${total})`;
  const html = `<div class="dadalab-progress"><progress value="${done}" max="${total}" style="width:20em"></progress> `
    + `<span>${escapeHtml(label)}: ${escapeHtml(state)} (${done}/${total})</span></div>`;
  return {
    data: { 'text/plain': text, 'text/html': html },
    metadata: { dadalab: { progress: { label, done, total, finished } } },
    transient: { display_id: displayId },
  };
}

/** The notebook sink; `writer()` gives the running cell's display writer (null between cells). */
export function notebookProgressSink(writer: () => Writer | null): ProgressSink {
  return {
    start(label: string, total: number): ProgressHandle {
      const write = writer();
      if (!write) return { update() {}, finish() {} };
      const id = `dadalab-progress-${randomBytes(6).toString('hex')}`;
      const t0 = Date.now();
      let last = 0;
      let done = 0;
      let finished = false;
      write(progressBundle(label, 0, total, id, false, 0), false);
      return {
        update(d: number) {
          done = d;
          const now = Date.now();
          if (finished || now - last < PROGRESS_INTERVAL_MS) return;
          last = now;
          write(progressBundle(label, done, total, id, false, (now - t0) / 1000), true);
        },
        finish() {
          if (finished) return;
          finished = true;
          write(progressBundle(label, Math.max(done, total), total, id, true, (Date.now() - t0) / 1000), true);
        },
      };
    },
  };
}

/** A cli-progress bar on stderr (for scripts and the terminal). */
export function terminalProgressSink(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const cliProgress = require('cli-progress');
  return {
    start(label: string, total: number): ProgressHandle {
      const bar = new cliProgress.SingleBar({
        format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
        stream, hideCursor: false, clearOnComplete: false, noTTYOutput: true,
      }, cliProgress.Presets.shades_classic);
      bar.start(total, 0);
      return {
        update(d: number) { bar.update(d); },
        finish() { bar.update(total); bar.stop(); },
      };
    },
  };
}
