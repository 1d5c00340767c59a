/**
 * Memory is part of correctness: an operation estimates what it needs before allocating and is
 * refused, with the figure and an alternative, when that cannot fit. Typed arrays live outside
 * V8's heap, so the budget is the machine's (or the container's) available memory, not the heap
 * limit; one typed array also cannot exceed 2^32 elements (V8's limit on Node 20).
 *
 * Budget: `setMemoryBudget(bytes)`, or the environment variable DADALAB_MEMORY_BUDGET ("8GiB",
 * "512MiB", bytes), or by default 80% of MemAvailable (cgroup limit if lower) when first asked.
 */
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { MemoryLimitError } from '../errors';

/** V8's largest typed array on Node 20, in elements. */
export const MAX_TYPED_ARRAY_LENGTH = 2 ** 32;

let budget: number | null = null;

/** Parses "8GiB", "512 MiB", "2.5GB", "1e9" into bytes; NaN when it cannot. */
export function parseBytes(text: string): number {
  const m = /^\s*([0-9.eE+]+)\s*([kKmMgGtT]?)(i?)[bB]?\s*$/.exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  const unit = ({ '': 0, k: 1, m: 2, g: 3, t: 4 } as Record<string, number>)[m[2].toLowerCase()];
  return v * (m[3] ? 1024 : 1000) ** unit;
}

/** Formats a byte count for a message: "1.3 GiB", "640 MiB", "12 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

function availableBytes(): number {
  let avail = freemem();
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) avail = Number(m[1]) * 1024;
  } catch { /* not Linux: os.freemem() */ }
  try {
    const max = readFileSync('/sys/fs/cgroup/memory.max', 'utf8').trim();
    const used = Number(readFileSync('/sys/fs/cgroup/memory.current', 'utf8').trim());
    if (max !== 'max' && Number.isFinite(Number(max))) avail = Math.min(avail, Number(max) - used);
  } catch { /* no cgroup v2 limit */ }
  return avail;
}

/** The current budget in bytes (computed once from the environment or the machine). */
export function memoryBudget(): number {
  if (budget === null) {
    const env = process.env.DADALAB_MEMORY_BUDGET;
    const parsed = env ? parseBytes(env) : NaN;
    budget = Number.isFinite(parsed) && parsed > 0 ? parsed : Math.max(256 * 2 ** 20, 0.8 * availableBytes());
  }
  return budget;
}

/** Sets the budget in bytes (null: back to the default); returns the previous one. */
export function setMemoryBudget(bytes: number | null): number {
  const prev = memoryBudget();
  budget = bytes;
  return prev;
}

/**
 * Throws MemoryLimitError when `bytes` exceed the budget. `what` names the operation and its size
 * ("BMTI on 20000 points needs a 20000 x 20000 matrix"), `alternative` what to do instead.
 */
export function ensureMemory(bytes: number, what: string, alternative: string): void {
  const b = memoryBudget();
  if (!(bytes <= b)) {
    throw new MemoryLimitError(`${what}: that needs about ${formatBytes(bytes)}, more than the ${formatBytes(b)} available`,
      `${alternative} (or raise the budget with setMemoryBudget(bytes) / DADALAB_MEMORY_BUDGET if the machine has the memory)`, bytes, b);
  }
}

/** Throws MemoryLimitError when one typed array of `elements` would exceed V8's length limit. */
export function ensureArrayLength(elements: number, what: string, alternative: string): void {
  if (!(elements <= MAX_TYPED_ARRAY_LENGTH)) {
    throw new MemoryLimitError(`${what}: that needs one array of ${elements.toExponential(2)} elements, above the ${MAX_TYPED_ARRAY_LENGTH.toExponential(2)} a typed array can hold`,
      alternative, elements * 8, MAX_TYPED_ARRAY_LENGTH * 8);
  }
}
