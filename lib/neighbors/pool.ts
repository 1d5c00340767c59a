import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { certifyTableRows, countRanks, rankRows } from './ranks';
import { duplicateRows, groupsOf, refineRows } from './refine';
import { countRecomputed, exactCandidates, GrowingMemory, memoryId, type WasmMemory } from './wasm';

/**
 * A persistent pool of worker threads that run the WebAssembly kernels on a shared
 * `WebAssembly.Memory`. The worker is created from an inline CommonJS source string
 * (`eval: true`), so it works the same from the TypeScript sources (vitest) and from dist/.
 * Workers are unref'd while idle (the pool never keeps the process alive) and ref'd while a job
 * runs; `shutdownNeighborPool()` terminates them. Jobs are serialised (one at a time), so a job
 * owns the workers and the pool's memory.
 *
 * The pool keeps one shared memory across jobs (memoryFor: grown as a job needs, never copied):
 * each job writes its data, its original values and every output into it, and a message carries
 * only offsets. So an idle worker holds no job's data (an idle worker never collects garbage: a
 * buffer posted per job would stay alive in it), the workers keep their kernel instances, and a
 * small job costs no thread start. After a job that grew the memory past RECYCLE_BYTES, its pages
 * past RECYCLE_BYTES go back to the system (native release_pages; the memory and the workers
 * stay), or, without the native kernel, the workers end and the memory is dropped (so the process
 * gives it back); new ones start on the next job.
 */
const WORKER_SRC = `
const { parentPort } = require('node:worker_threads');
const bundles = {};
let nat = null, u8 = null;
let ex = null, mem = null, memId = 0, modId = 0, orig = null, origOff = 0, origF32 = false, sqn = null, D = 0, metric = 0, rk = null, fin = null;
let ref = null, refOps = null; // the second pass (lib/neighbors/refine.ts): this worker's scratch and kernels
const refineRows = ${refineRows.toString()};
const duplicateRows = ${duplicateRows.toString()};
const groupsOf = ${groupsOf.toString()};
let dups; // the groups of identical reference rows, found when a row first needs them (per job; undefined: not yet)
function groupsOfJob() {
  if (dups === undefined) {
    const N = ref.g.N, W = origF32 ? D : 2 * D;
    dups = groupsOf(duplicateRows(new Int32Array(mem.buffer, origOff, N * W), N, W));
  }
  return dups;
}
function makeRefOps() {
  const N = ref.g.N;
  return {
    dups: groupsOfJob,
    values: (i0, i1, rv) => {
      if (u8 && nat && nat.vals_f32) nat.vals_f32(u8, ref.x, ref.nrm, ref.Dp, i0, i1, 0, N, ref.BJ, rv, N);
      else ex.values_f32(ref.x, ref.nrm, N, ref.Dp, i0, i1, ref.BJ, rv);
    },
    band: (row, hi, list) => { ex.count_band(row, N, -Infinity, hi, list); return new Int32Array(mem.buffer, list + N * 4, 1)[0]; },
    exact: (i, n, list, ed) => runExact([i, i + 1, n, list, n, ed]),
    sort: (ed, list, n, k, outD, outI) => ex.sort_rows(ed, list, 1, n, n, k, outD, outI, k, 0),
  };
}
// the window mode of the neighbour ranks (lib/neighbors/ranks.ts)
const rankRows = ${rankRows.toString()};
const countRanks = ${countRanks.toString()};
// The exact distances of a row's marked candidates by the native kernel (same bits as sq8 + sqrt):
// the list and the results in the second pass's scratch (room for N of each; that pass runs after), or null
function exactList(kp, exAll) {
  const fn = metric === 0 && !exAll && ref && u8 && nat ? (origF32 ? nat.exact_l2_f32 : nat.exact_l2_f64) : null;
  if (!fn) return null;
  const lo = ref.sc.l, oo = ref.sc.e;
  const buf = mem.buffer;
  return { list: new Int32Array(buf, lo, kp), out: new Float64Array(buf, oo, kp), run: (i, n) => fn(u8, origOff, D, i, i + 1, n, lo, n, oo) };
}
function runRanks(m, e) { // rows of a slot: rank distances, keep columns and status into the slot's output region
  const g = rk, rows = m.rows, R = g.ranks.length, kw = g.keep + 1, o = g.outOff + m.slot * g.outBytes, buf = mem.buffer;
  // most candidates needed (the keep columns of a table): every candidate's exact distance by the
  // vectorised kernel first, rows whose buffers are full only (a row with holes is recomputed anyway)
  let exAll = null;
  if (e && metric === 0 && 2 * g.keep >= g.kp) {
    const n = new Int32Array(buf, m.hh, rows * 4);
    for (let r = 0; r < rows; r++) if (n[r * 4 + 2] >= g.kp) runExact([e[0] + r, e[0] + r + 1, e[2], e[3] + r * e[4] * 4, e[4], e[5] + r * e[2] * 8]);
    exAll = new Float64Array(buf, e[5], rows * g.kp);
  }
  rankRows(new Float32Array(buf, m.hd, rows * g.C), new Int32Array(buf, m.hi, rows * g.C), new Float32Array(buf, m.hh, rows * 4),
    new Int32Array(buf, m.hh, rows * 4), rows, g.kp, g.C, m.i0, orig, D, metric, sqn, g.sqnMax, g.eCoef, g.u, g.all,
    g.ranks, g.keep, new Float64Array(buf, o, rows * R), new Float64Array(buf, o + g.BR * R * 8, rows * kw),
    new Int32Array(buf, o + g.BR * R * 8 + g.BR * kw * 8, rows * kw), new Int32Array(buf, o + g.BR * R * 8 + g.BR * kw * 12, rows),
    g.s, g.lo, g.up, g.ex, g.marked, g.tmp, g.ti, exAll, g.kb, exactList(g.kp, exAll));
  // the rows not certified: the second pass, then their ranks and keep columns from the exact row
  const st = new Int32Array(buf, o + g.BR * R * 8 + g.BR * kw * 12, rows);
  if (!st.some((x) => x !== 0)) return;
  const outR = new Float64Array(buf, o, rows * R), keepD = new Float64Array(buf, o + g.BR * R * 8, rows * kw);
  const keepI = new Int32Array(buf, o + g.BR * R * 8 + g.BR * kw * 8, rows * kw);
  const k = g.ranks[R - 1], sc = ref.sc;
  refineRows(buf, refOps, ref.g, sqn, sc, k, m.i0 - ref.g.qBase, rows, st, g.kb, m.rv === undefined ? -1 : m.rv, (r) => {
    const d = new Float64Array(buf, sc.d, k), ix = new Int32Array(buf, sc.i, k);
    for (let q = 0; q < R; q++) outR[r * R + q] = d[g.ranks[q] - 1];
    if (g.keep > 0) {
      keepD[r * kw] = 0; keepI[r * kw] = m.i0 + r;
      keepD.set(d.subarray(0, g.keep), r * kw + 1); keepI.set(ix.subarray(0, g.keep), r * kw + 1);
    }
    st[r] = 2;
  });
}
// Stage 2a: the exact float64 distance of each candidate (euclidean: the kernel's exact_l2; else
// the function of wasm.ts; both give pairDistance's bits)
const exactCandidates = ${exactCandidates.toString()};
function runExact(e) { // [i0, i1, kp, hi offset, C, ed offset]
  const rows = e[1] - e[0];
  if (metric === 0 && origF32 && u8 && nat && nat.exact_l2_f32) nat.exact_l2_f32(u8, origOff, D, e[0], e[1], e[2], e[3], e[4], e[5]);
  else if (metric === 0 && !origF32 && u8 && nat && nat.exact_l2_f64) nat.exact_l2_f64(u8, origOff, D, e[0], e[1], e[2], e[3], e[4], e[5]);
  else if (metric === 0) ex.exact_l2(origOff, origF32 ? 1 : 0, D, e[0], e[1], e[2], e[3], e[4], e[5]);
  else exactCandidates(orig, D, e[2], e[0], e[1], new Int32Array(mem.buffer, e[3], rows * e[4]), new Float64Array(mem.buffer, e[5], rows * e[2]), metric, e[4]);
}
// Stage 2b: the table rows sorted by the kernel (sort_rows, or native/knn.c sort_rows_f64), then certified (lib/neighbors/ranks.ts certifyTableRows)
const certifyTableRows = ${certifyTableRows.toString()};
// rows [a, a + rows) of the finished-rows region at base (room for cap rows): their distances, indices and status (wasm.ts finishViews)
function finishOffsets(f) {
  const w = fin.w, iOff0 = f.base + Math.ceil(f.cap * w * 8 / 16) * 16;
  return { dOff: f.base + f.a * w * 8, iOff: iOff0 + f.a * w * 4, sOff: iOff0 + Math.ceil(f.cap * w * 4 / 16) * 16 };
}
function runFinish(f) { // rows [a, a + rows) of the region at base (room for cap rows), query rows from q0
  const g = fin, buf = mem.buffer, rows = f.rows, w = g.w;
  const { dOff, iOff, sOff } = finishOffsets(f);
  // the native sort where built: the same bytes (a strict total order), without the partial sort's mispredicted branches
  if (u8 && nat && nat.sort_rows_f64) nat.sort_rows_f64(u8, f.ed, f.hi, rows, g.kp, g.C, g.k, dOff, iOff, w, g.selfMode ? 1 : 0);
  else ex.sort_rows(f.ed, f.hi, rows, g.kp, g.C, g.k, dOff, iOff, w, g.selfMode ? 1 : 0);
  const T = g.es === 8 ? new Float64Array(buf, f.hh, rows * 2) : new Float32Array(buf, f.hh, rows * 4);
  const hn = new Int32Array(buf, f.hh, rows * 4), outD = new Float64Array(buf, dOff, rows * w), outI = new Int32Array(buf, iOff, rows * w);
  const st = new Int32Array(buf, sOff + f.a * 4, rows);
  certifyTableRows(T, 16 / g.es, hn, rows, g.kp, g.k, g.selfMode, f.q0, g.qBase, g.avail, metric, sqn,
    g.sqnMax, g.eCoef, g.u, D, g.unsafe, outD, outI, st);
  if (!st.some((x) => x !== 0)) return;
  // the rows not certified: the second pass (the k-th exact distance among the candidates bounds the row's)
  const K = new Float64Array(rows).fill(Infinity), c0 = g.selfMode ? 1 : 0, sc = ref.sc;
  for (let r = 0; r < rows; r++) if (st[r] !== 0 && hn[r * 4 + 2] >= g.kp && Number.isFinite(T[r * (16 / g.es)]) && !g.unsafe) K[r] = outD[r * w + w - 1];
  refineRows(buf, refOps, ref.g, sqn, sc, g.k, f.q0, rows, st, K, f.rv === undefined ? -1 : f.rv, (r) => {
    outD.set(new Float64Array(buf, sc.d, g.k), r * w + c0);
    outI.set(new Int32Array(buf, sc.i, g.k), r * w + c0);
    st[r] = 2;
  });
}
// The rows of a finished block that the second pass recomputed, counted here for a block whose
// region the next message reuses (wasm.ts countRecomputed, which finishedFallbacks runs on the main thread)
const countRecomputed = ${countRecomputed.toString()};
function finishedCount(f) {
  return countRecomputed(new Int32Array(mem.buffer, finishOffsets(f).sOff + f.a * 4, f.rows), f.rows, f.q0);
}
// The finished rows [q0, q0 + rows) copied to the table's shared rows (lib/neighbors/inorder.ts sharedRows)
function copyOut(f) {
  const g = fin, buf = mem.buffer, w = g.w, n = f.rows * w, { dOff, iOff } = finishOffsets(f);
  new Float64Array(g.out.buf, f.q0 * w * 8, n).set(new Float64Array(buf, dOff, n));
  new Int32Array(g.out.buf, g.out.iOff + f.q0 * w * 4, n).set(new Int32Array(buf, iOff, n));
}
// the table rows a rank block has just finished (its keep columns and row status): the ranks they
// hold are their columns (ordered by distance, ties by index, as counted), so they are not counted
function keptColumns(m) {
  const g = rk;
  if (!g || g.keep === 0) return null;
  const R = g.ranks.length, kw = g.keep + 1, o = g.outOff + m.slot * g.outBytes, buf = mem.buffer;
  return { ix: new Int32Array(buf, o + g.BR * R * 8 + g.BR * kw * 8, m.rows * kw), st: new Int32Array(buf, o + g.BR * R * 8 + g.BR * kw * 12, m.rows), kw };
}
function runCount(c, known) { // ranks of the targets of rows [i0, i0 + rows) from their value rows at rv
  const rows = c.rows, buf = mem.buffer;
  // t0: the first row's place in the targets and the output (query rows: not i0); selfOff: each row's point index
  const t0 = c.t0 === undefined ? c.i0 : c.t0;
  // the one pass over each row's values by the kernel's count_band, its list in the row select's scratch
  const band = c.amb && ex.count_band ? (r, lo, hi) => ex.count_band(c.rv + r * c.N * 4, c.N, lo, hi, c.amb) : null;
  countRanks(new Float32Array(buf, c.rv, rows * c.N), rows, c.N, c.i0, new Int32Array(buf, c.tOff + t0 * c.k * 4, rows * c.k), c.k,
    orig, D, metric, sqn, c.sqnMax, c.eCoef, c.u, new Float64Array(buf, c.oOff + t0 * c.k * 8, rows * c.k),
    band, band ? new Int32Array(buf, c.amb, c.N + 1) : null, () => { const g = groupsOfJob(); return g ? g.rep : null; },
    c.selfOff ? new Int32Array(buf, c.selfOff + t0 * 4, rows) : null, known ? known.ix : null, known ? known.kw : 0, known ? known.st : null);
}
parentPort.on('message', (m) => {
  try {
    let value; // what the reply carries, if anything
    if (m.type === 'setup') {
      if (m.memId !== memId || m.modId !== modId || !ex) {
        ex = new WebAssembly.Instance(m.module, { env: { memory: m.memory } }).exports;
        mem = m.memory; memId = m.memId; modId = m.modId;
      }
      const buf = mem.buffer;
      orig = m.origF32 ? new Float32Array(buf, m.origOff, m.origLen) : new Float64Array(buf, m.origOff, m.origLen);
      origOff = m.origOff; origF32 = m.origF32;
      sqn = new Float64Array(buf, m.sqnOff, m.sqnLen);
      D = m.D; metric = m.metric; rk = m.rk || null; fin = m.fin || null; ref = m.ref || null;
      if (m.native && !nat) nat = require(m.native); // the optional native kernels (lib/neighbors/native.ts): tiles, strip values, exact float32 distances
      u8 = m.native ? new Uint8Array(buf) : null;
      if (rk) { const n = rk.kp; rk.s = new Float64Array(n); rk.lo = new Float64Array(n); rk.up = new Float64Array(n); rk.ex = new Float64Array(n); rk.marked = new Int32Array(n); rk.tmp = new Float64Array(rk.ranks.length + 1); rk.ti = new Int32Array(n); rk.kb = new Float64Array(rk.BR); }
      refOps = ref ? makeRefOps() : null;
      dups = undefined;
    } else if (m.type === 'run') { // a row block: headers, kernel, exact distances of the candidates
      const buf = mem.buffer, rows = m.rows, cnt = new Int32Array(buf, m.hh, rows * 4);
      if (m.f64) { const t = new Float64Array(buf, m.hh, rows * 2); for (let r = 0; r < rows; r++) { t[2 * r] = Infinity; cnt[4 * r + 2] = 0; } }
      else { const t = new Float32Array(buf, m.hh, rows * 4); for (let r = 0; r < rows; r++) { t[4 * r] = Infinity; cnt[4 * r + 2] = 0; } }
      // Selects that leave no value rows behind: the fused strips' (native/knn.c listsSelect), and,
      // when m.lists (no rank counts read the rows), the native select without them
      // (symsel_lists_f32) where it applies; the second pass then computes the rows it needs
      let noRows = false;
      if (m.fn === 'lists_select_f32') {
        if (!u8 || !nat || !nat.lists_select_f32) throw new Error('the fused strips need the native kernel (lists_select_f32)');
        nat.lists_select_f32(u8, ...m.args);
        noRows = true;
      } else if (m.fn === 'symsel_f32' && m.lists && u8 && nat && nat.symsel_lists_f32 && nat.symsel_lists_f32(u8, ...m.args) >= 0) noRows = true;
      else if (m.fn === 'symsel_f32' && u8 && nat && nat.symsel_f32) nat.symsel_f32(u8, ...m.args);
      else ex[m.fn](...m.args);
      if (noRows && m.finish) m.finish.rv = undefined;
      if (noRows && m.rank) m.rank.rv = undefined;
      if (m.rank) runRanks(m.rank, m.exact); else runExact(m.exact);
      if (m.finish) {
        runFinish(m.finish);
        if (fin.out) copyOut(m.finish);
        if (m.finish.report) value = finishedCount(m.finish);
      }
      if (m.count) runCount(m.count, m.rank ? keptColumns(m.rank) : null); // the value rows the select read (symsel_f32) also give ranks
    } else if (m.type === 'count') { // rank counting (lib/neighbors/ranks.ts countRanks)
      if (m.fn === 'vals_f32' && u8 && nat && nat.vals_f32) nat.vals_f32(u8, ...m.args);
      else ex[m.fn || 'values_f32'](...m.args);
      runCount(m.count, null);
    } else if (m.type === 'pivots') { // the tiles' starting thresholds and the fused strips' pivots (native/knn.c pivots), where built
      if (u8 && nat && nat.pivots_f32) nat.pivots_f32(u8, ...m.args);
    } else if (m.type === 'tile') {
      if (m.fn === 'tile_f32' && u8 && nat) nat.tile_f32(u8, ...m.args);
      else if (m.fn === 'strip_lists_f32') {
        if (!u8 || !nat || !nat.strip_lists_f32) throw new Error('the fused strips need the native kernel (strip_lists_f32)');
        nat.strip_lists_f32(u8, ...m.args);
      }
      else if (m.fn === 'vals_f32' && u8 && nat && nat.vals_f32) nat.vals_f32(u8, ...m.args);
      else ex[m.fn](...m.args);
    } else if (m.type === 'rankfull') { // rows of the resident buffers: finalise, then the window mode of the ranks
      ex[m.fin](...m.finArgs);
      runRanks(m.rank);
    } else if (m.type === 'exact') { // rows of the resident buffers: finalise, then exact distances
      ex[m.fin](...m.finArgs);
      runExact(m.exact);
      if (m.finish) { runFinish(m.finish); if (fin.out) copyOut(m.finish); }
    } else if (m.type === 'define') { // a bundle of standalone functions (runRowJobs)
      bundles[m.name] = new Function(m.src)();
    } else if (m.type === 'js') { // rows of a JavaScript job on the shared memory
      if (m.memId !== memId) { mem = m.memory; memId = m.memId; ex = null; }
      if (m.args && m.args.native && !nat) nat = require(m.args.native); // a job may name the native kernels (its third argument)
      bundles[m.bundle][m.fn](mem.buffer, m.args, m.args && m.args.native ? nat : null);
    } else if (m.type === 'release') { // the job's views go; the instance and the memory stay
      orig = null; sqn = null; rk = null; fin = null; u8 = null; ref = null; refOps = null; dups = undefined;
    }
    parentPort.postMessage({ id: m.id, value });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.stack) || e) });
  }
});
`;

interface Pending { resolve: (value: unknown) => void; reject: (e: Error) => void }

/** After a job, a pool memory above this is dropped and the workers end (see the class comment). */
const RECYCLE_BYTES = 256 * 2 ** 20;

export class KnnPool {
  private readonly workers: (Worker | null)[];
  private readonly pending: Map<number, Pending>[];
  private nextId = 1;
  private active = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Holders that asked to keep the memory between jobs (hold()). */
  private holds = 0;
  /** The shared memory of the jobs (grown as needed, dropped with the workers). */
  private readonly mem = new GrowingMemory();

  constructor(readonly size: number) {
    this.workers = new Array(size).fill(null);
    this.pending = Array.from({ length: size }, () => new Map());
  }

  private worker(idx: number): Worker {
    let w = this.workers[idx];
    if (w) return w;
    w = new Worker(WORKER_SRC, { eval: true });
    if (this.active === 0) w.unref();
    const pend = this.pending[idx];
    w.on('message', (m: { id: number; error?: string; value?: unknown }) => {
      const p = pend.get(m.id);
      if (!p) return;
      pend.delete(m.id);
      if (m.error) p.reject(new Error(`neighbour worker failed: ${m.error}`)); else p.resolve(m.value);
    });
    const fail = (e: Error) => {
      for (const p of pend.values()) p.reject(e);
      pend.clear();
      if (this.workers[idx] === w) this.workers[idx] = null;
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`neighbour worker exited (code ${code})`)));
    this.workers[idx] = w;
    return w;
  }

  /** Sends a message to worker `idx`; resolves when it has been handled, with what the reply carries (if anything). */
  call(idx: number, msg: Record<string, unknown>): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the neighbour worker pool was shut down'));
    const w = this.worker(idx);
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.pending[idx].set(id, { resolve, reject });
      w.postMessage({ ...msg, id });
    });
  }

  /** The pool's shared memory, grown to at least `bytes` (only within exclusive()). */
  memoryFor(bytes: number): WasmMemory {
    return this.mem.get(bytes);
  }

  /** The bundles each worker has been given (a new worker starts with none). */
  private readonly defined = new WeakMap<Worker, Set<string>>();

  /** Runs bundle function `fn` on worker `idx` with the job's memory and `args`, defining the bundle there first if needed. */
  async callJs(idx: number, bundle: { name: string; src: string }, fn: string, memory: WasmMemory, args: Record<string, unknown>): Promise<void> {
    const w = this.worker(idx);
    let set = this.defined.get(w);
    if (!set) { set = new Set(); this.defined.set(w, set); }
    if (!set.has(bundle.name)) {
      set.add(bundle.name);
      await this.call(idx, { type: 'define', name: bundle.name, src: bundle.src });
    }
    await this.call(idx, { type: 'js', bundle: bundle.name, fn, memory, memId: memoryId(memory), args });
  }

  /** Runs `fn` with the pool to itself (jobs are queued), keeping the process alive meanwhile. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => {
      this.active++;
      for (let i = 0; i < this.size; i++) this.worker(i).ref();
      try {
        return await fn();
      } finally {
        this.active--;
        if (this.active === 0) for (const w of this.workers) w?.unref();
        // a memory grown past RECYCLE_BYTES is given back (recycle)
        if (this.holds === 0 && this.mem.bytes > RECYCLE_BYTES) await this.recycle();
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Keeps the memory and the workers after jobs that grew it past RECYCLE_BYTES, until the returned
   * function is called (then the usual rule applies, once the running jobs are done): a run of
   * similar jobs (the layers of a profile) touches a large memory for the first time once, not once
   * per job (a fresh page costs a fault: about 3 ms per MB on the 2-core machines we measure on).
   */
  hold(): () => Promise<void> {
    this.holds++;
    let released = false;
    return () => {
      if (released) return Promise.resolve();
      released = true;
      this.holds--;
      const run = this.chain.then(async () => {
        if (this.holds === 0 && this.active === 0 && !this.closed && this.mem.bytes > RECYCLE_BYTES) await this.recycle();
      });
      this.chain = run.catch(() => undefined);
      return run;
    };
  }

  /**
   * Gives back the memory past RECYCLE_BYTES: its pages where the native kernel can (the workers
   * stay, with their compiled code: after a fresh start the first small jobs ran 2-3 times slower,
   * 5000 x 50 PAk 23 -> 57 ms, imbalance 85 -> 178 ms); otherwise ends the workers (and so frees the
   * shared memory they still reference), new ones starting on demand.
   */
  private async recycle(): Promise<void> {
    if (this.mem.release(RECYCLE_BYTES)) return;
    this.mem.drop();
    const ws = this.workers.map((w, i) => { this.workers[i] = null; return w; });
    await Promise.all(ws.map((w) => w?.terminate()));
  }

  async terminate(): Promise<void> {
    this.closed = true;
    this.mem.drop();
    const ws = this.workers.splice(0);
    await Promise.all(ws.map((w) => w?.terminate()));
  }
}

const pools = new Map<number, KnnPool>();

/** The default number of worker threads: 2, or 1 on a single-core machine. */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/** The process-wide pool with `size` workers (created on first use, then kept). */
export function getPool(size: number): KnnPool {
  let p = pools.get(size);
  if (!p) { p = new KnnPool(size); pools.set(size, p); }
  return p;
}

/**
 * Keeps the default pool's memory between jobs until the returned function is called (see
 * KnnPool.hold): for a caller that runs many large jobs in a row.
 */
export function holdNeighborPool(): () => Promise<void> {
  return getPool(defaultWorkerCount()).hold();
}

/** Terminates the worker threads of the neighbour engine (they are recreated on next use). */
export async function shutdownNeighborPool(): Promise<void> {
  const ps = [...pools.values()];
  pools.clear();
  await Promise.all(ps.map((p) => p.terminate()));
}

/**
 * Runs tasks 0..n-1 on `workers` workers with up to `depth` tasks in flight per worker, so that a
 * worker finds its next message waiting instead of idling while the main thread answers (about
 * 0.1 ms a round trip: 2.5 of a 5000 x 50 table's 20 ms, at 20 messages a worker). Tasks go out in
 * index order to whichever worker has room; `send(w, i)` sends task i to worker w, and
 * `after(i, value)` runs once its reply is in (per worker in the order sent). After a failure
 * nothing more is sent nor reported; the first failure is thrown once the tasks in flight are done.
 */
export async function pipeline(workers: number, n: number, depth: number, send: (w: number, i: number) => Promise<unknown>,
  after: (i: number, value: unknown) => void | Promise<void>): Promise<void> {
  let next = 0;
  let failure: { e: unknown } | null = null;
  const loop = async (w: number): Promise<void> => {
    const queue: Promise<void>[] = [];
    for (;;) {
      while (failure === null && queue.length < depth && next < n) {
        const i = next++;
        queue.push(send(w, i).then((v) => (failure === null ? after(i, v) : undefined)).catch((e: unknown) => { if (failure === null) failure = { e }; }));
      }
      const head = queue.shift();
      if (!head) return;
      await head;
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  if (failure !== null) throw (failure as { e: unknown }).e;
}

/**
 * A JavaScript job split by rows over the pool's workers (bit-identical to running `fn` on all
 * rows at once, as each row is computed by one call of the same function): `bytes` of the pool's
 * memory from ROW_JOB_BASE on, written by `fill` before and read by `read` after; chunk [i0, i1)
 * runs `bundle.fn(buffer, { ...args(i0, i1) })` in a worker. The bundle's source is a function body
 * returning an object of standalone functions (defined once per worker).
 */
export async function runRowJobs(opts: {
  workers: number; n: number; bytes: number; bundle: { name: string; src: string }; fn: string;
  fill: (buf: ArrayBuffer) => void; args: (i0: number, i1: number) => Record<string, unknown>;
  /** Reads the results out of the pool's memory (none: the job wrote them elsewhere). */
  read?: (buf: ArrayBuffer) => void;
  chunks?: number;
  /** Called after each chunk with the rows done so far, then awaited (progress reports, interruption points). */
  progress?: (done: number) => void | Promise<void>;
}): Promise<void> {
  const pool = getPool(opts.workers);
  await pool.exclusive(async () => {
    const memory = pool.memoryFor(ROW_JOB_BASE + opts.bytes);
    opts.fill(memory.buffer);
    const nChunks = Math.max(1, Math.min(opts.n, opts.chunks ?? 16 * opts.workers));
    const size = Math.ceil(opts.n / nChunks);
    const chunks = Math.ceil(opts.n / size);
    let done = 0;
    // two chunks in flight per worker (pipeline); the progress report after each, in order per worker
    await pipeline(opts.workers, chunks, 2, (wi, c) => pool.callJs(wi, opts.bundle, opts.fn, memory, opts.args(c * size, Math.min(opts.n, (c + 1) * size))),
      async (c) => {
        done += Math.min(opts.n, (c + 1) * size) - c * size;
        if (opts.progress) await opts.progress(done); // (no report after a failure or an interrupt)
      });
    opts.read?.(memory.buffer);
  });
}

/** Where row jobs' data start in the pool's memory (below: the WebAssembly kernels' runtime area). */
export const ROW_JOB_BASE = 65536;
