/**
 * Progress sinks for lib/runtime/progress.ts (the kernel installs the notebook one): in the notebook a display that updates in place
 * (display_data, then update_display_data with the same display_id), on a terminal a cli-progress bar.
 */
import { randomBytes } from 'node:crypto';
import { cancellationCount, type ProgressHandle, type ProgressSink } from '../lib/runtime/progress';

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
export function progressBundle(label: string, done: number, total: number, displayId: string, finished: boolean, seconds: number,
  interrupted = false): unknown {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const pct = Math.round(frac * 100);
  const state = interrupted ? `interrupted at ${pct}%` : finished ? 'done' : `${pct}% after ${seconds.toFixed(1)} s`;
  const text = `${label}: ${state} (${done}/${total})`;
  const html = `<div class="dadalab-progress"><progress value="${done}" max="${total}" style="width:20em"></progress> `
    + `<span>${escapeHtml(label)}: ${escapeHtml(state)} (${done}/${total})</span></div>`;
  return {
    data: { 'text/plain': text, 'text/html': html },
    metadata: { dadalab: { progress: { label, done, total, finished, ...(interrupted ? { interrupted: true } : {}) } } },
    transient: { display_id: displayId },
  };
}

/** The running cell, as the kernel gives it to the sink: a key (its msg_id) and its display writer. */
export interface CellWriter {
  key: string;
  write: Writer;
}

interface Task {
  label: string;
  total: number;
  done: number;
  t0: number;
  finished: boolean;
  /** cancellationCount() when the task started: a change by its finish means an interrupt stopped it. */
  epoch: number;
}

interface CellProgress {
  key: string;
  write: Writer;
  id: string;
  shown: boolean;
  last: number;
  active: Task[];
  /** Finished tasks by label, in the order they first finished. */
  finished: Map<string, { count: number; total: number }>;
  /** The task an interrupt stopped, where it stopped. */
  interrupted: { label: string; done: number; total: number } | null;
}

/** What the display says when nothing runs any more (no timing: reproducible notebooks). */
function finishedBundle(c: CellProgress): unknown {
  const entries = [...c.finished.entries()];
  const stop = c.interrupted;
  if (stop && entries.length === 0) return progressBundle(stop.label, stop.done, stop.total, c.id, true, 0, true);
  if (stop) {
    const pct = Math.round((100 * Math.min(stop.done, stop.total)) / Math.max(1, stop.total));
    const text = `${stop.label}: interrupted at ${pct}% (${stop.done}/${stop.total}); done before: ${entries.map(([l, { count }]) => (count > 1 ? `${l} x${count}` : l)).join(', ')}`;
    return {
      data: { 'text/plain': text, 'text/html': `<div class="dadalab-progress"><span>${escapeHtml(text)}</span></div>` },
      metadata: { dadalab: { progress: { label: stop.label, done: stop.done, total: stop.total, finished: true, interrupted: true } } },
      transient: { display_id: c.id },
    };
  }
  if (entries.length === 1 && entries[0][1].count === 1) {
    const [label, { total }] = entries[0];
    return progressBundle(label, total, total, c.id, true, 0);
  }
  const text = `done: ${entries.map(([l, { count }]) => (count > 1 ? `${l} x${count}` : l)).join(', ')}`;
  return {
    data: { 'text/plain': text, 'text/html': `<div class="dadalab-progress"><span>${escapeHtml(text)}</span></div>` },
    metadata: { dadalab: { progress: { label: entries.map(([l]) => l).join(', '), done: 1, total: 1, finished: true } } },
    transient: { display_id: c.id },
  };
}

/**
 * The notebook sink: ONE display per cell, updated in place (at most every 200 ms), showing the
 * innermost running task (nested tasks, e.g. the neighbour searches inside an information
 * imbalance, show as "outer > inner"); when all are done it lists what ran. `current()` gives the
 * running cell (null between cells).
 */
export function notebookProgressSink(current: () => CellWriter | null): ProgressSink {
  let cell: CellProgress | null = null;
  const draw = (c: CellProgress, force: boolean) => {
    const now = Date.now();
    if (!force && now - c.last < PROGRESS_INTERVAL_MS) return;
    c.last = now;
    let bundle: unknown;
    if (c.active.length) {
      const t = c.active[c.active.length - 1];
      const label = c.active.map((a) => a.label).join(' > ');
      bundle = progressBundle(label, t.done, t.total, c.id, false, (now - c.active[0].t0) / 1000);
    } else {
      bundle = finishedBundle(c);
    }
    c.write(bundle, c.shown);
    c.shown = true;
  };
  return {
    start(label: string, total: number): ProgressHandle {
      const cw = current();
      if (!cw) return { update() {}, finish() {} };
      if (!cell || cell.key !== cw.key) {
        cell = { key: cw.key, write: cw.write, id: `dadalab-progress-${randomBytes(6).toString('hex')}`, shown: false, last: 0, active: [], finished: new Map(), interrupted: null };
      }
      const c = cell;
      const task: Task = { label, total, done: 0, t0: Date.now(), finished: false, epoch: cancellationCount() };
      c.active.push(task);
      draw(c, true);
      return {
        update(d: number) {
          if (task.finished) return;
          task.done = d;
          draw(c, false);
        },
        finish() {
          if (task.finished) return;
          task.finished = true;
          c.active = c.active.filter((t) => t !== task);
          if (cancellationCount() !== task.epoch && task.done < total) {
            // stopped by an interrupt: say where (the outermost stopped task finishes last and wins)
            c.interrupted = { label, done: task.done, total };
            draw(c, c.active.length === 0);
            return;
          }
          task.done = Math.max(task.done, total);
          const f = c.finished.get(label) ?? { count: 0, total };
          f.count++;
          c.finished.set(label, f);
          draw(c, c.active.length === 0);
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
