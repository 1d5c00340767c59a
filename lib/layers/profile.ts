/**
 * The seed papers' loop over a network's layers, in one call: for every layer, its duplicates
 * removed (labels kept aligned), the 2NN ID, the Gride scale curve and the ID at a chosen scale,
 * the neighbourhood overlap with the labels and with the next layer (Doimo et al. 2020), the
 * information imbalance with the first and the last layer in both directions (Glielmo et al.
 * 2022), and ADP clusters with their number, ARI / AMI against the labels and the core fraction
 * (d'Errico et al. 2021; Doimo et al. 2020). Defaults are the papers' (and DADApy's): k = 30 for the
 * overlaps, maxk = 100 for the table behind k* and ADP, Gride up to rank 64 read at n2 = 16,
 * Z = 1.65, the imbalance at k = 1 with complete ranks.
 *
 * Cost: ONE neighbour search per layer, shared by every step. The information imbalance needs, for
 * a layer l and a reference r, the ranks in l of r's nearest neighbours and the ranks in r of l's:
 * the references are processed first, so each later layer's search also counts the ranks of the
 * references' neighbours in the same pass over its pairs (computeNeighborsAndRanks). The other
 * direction is read from the reference's own table where it holds the target (its column is the
 * rank: the table is exact, ordered by distance then index like the count); only the rows with a
 * target beyond the table are counted at the end, their distances to all N points, once per
 * reference for all layers at once (countNeighborRanks with rows). So the default profile costs L
 * passes over the data plus, per reference, the pairs of those rows (21% and 3% of them in a 4-layer
 * profile of ReLU activations; most when many layers far from the reference are compared, where
 * the count falls back to one pass over all pairs).
 *
 * Memory: one layer's data at a time (a layer of a file is read when it is processed, into the
 * previous layer's buffer, and again for a reference's count), its neighbour table, the index table
 * of each reference (up to refTablesMaxBytes in all), and per layer only a k-column index table and
 * each point's nearest neighbour. The neighbour pool keeps its memory for the whole profile.
 * Layers with duplicates get a second, smaller search on their distinct rows for the per-layer
 * estimators (the cross-layer steps use all rows, ties by index).
 *
 * Bad layers do not end the profile: a layer with NaN, a constant (dead) layer, a step that fails
 * give a warning in that layer's row and NaN where no number exists; every other number is kept.
 */
import { InputError, isDadalabError } from '../errors';
import { checkOptionKeys, optionKeys, positiveInteger } from '../options';
import type { Matrix } from '../matrix';
import { listSome } from '../errors';
import { computeNeighbors, computeNeighborsAndRanks, countNeighborRanks, dedupe, truncateTable, type NeighborTable } from '../neighbors';
import type { Metric } from '../neighbors/metrics';
import { holdNeighborPool } from '../neighbors/pool';
import { CancelledError, checkpoint, startProgress } from '../runtime/progress';
import { ensureMemory, memoryBudget } from '../runtime/memory';
import { setWarningSink, warn } from '../runtime/warnings';
import { SeededRng } from '../stats/rng';
import { twoNN } from '../id/twonn';
import { grideScaling, grideScalingFromTable, type GrideScalingResult } from '../id/gride';
import { dataOverlapPerPoint, labelOverlap, labelsAsInt } from '../compare/overlap';
import { imbalanceFromRankSum, type IndexTable } from '../compare/imbalance';
import { computeKstar } from '../density/kstar';
import { densityPAkAsync } from '../density/pak';
import { adpClustering } from '../clustering/adp';
import { adjustedMutualInformation, adjustedRandIndex } from '../clustering/metrics';
import type { Labels } from '../io/types';
import { layerSource, type LayerSource, type LayerSourceOptions } from './source';
import { makeLayerProfileResult, type LayerProfileResult, type LayerResult, type LayerImbalance } from './result';

export type LayerStep = 'id' | 'gride' | 'labelOverlap' | 'nextOverlap' | 'imbalance' | 'clusters';
export const LAYER_STEPS: readonly LayerStep[] = Object.freeze(['id', 'gride', 'labelOverlap', 'nextOverlap', 'imbalance', 'clusters']);

export interface LayerProfileOptions extends Omit<LayerSourceOptions, 'labels'> {
  /** Which steps run (default: all; the label steps only when there are labels). */
  steps?: readonly LayerStep[];
  /**
   * Class labels, one per input: an array, or (for an Arrow file) the name of its label column.
   * Default: the source's own (a label/labels/y/target/class column, a labels file in the folder).
   */
  labels?: ArrayLike<number> | readonly string[] | string;
  /** Neighbours held per point for k*, PAk and ADP (DADApy's default 100). */
  maxk?: number;
  /** Neighbours of the overlaps (default 30, as in Doimo et al. 2020 and DADApy). */
  k?: number;
  /** Largest Gride rank n2 (DADApy's default 64). */
  rangeMax?: number;
  /** The rank n2 at which the profile's ID is read (a power of two up to rangeMax; default 16). */
  scale?: number;
  /** ADP's merging threshold (DADApy's default 1.65). */
  Z?: number;
  /** The layers the information imbalance compares every layer with (default ['first', 'last']). */
  references?: readonly ('first' | 'last' | number)[];
  metric?: Extract<Metric, 'euclidean' | 'cosine'>;
  /** Seed of the random ranks used only with precomputed tables (ranks beyond the table, as DADApy draws them). */
  seed?: number;
  signal?: AbortSignal;
  /** Called with each layer's result as soon as it is complete. */
  onLayer?: (layer: LayerResult) => void;
}

const OPTION_KEYS = optionKeys<LayerProfileOptions>({
  steps: 1, labels: 1, maxk: 1, k: 1, rangeMax: 1, scale: 1, Z: 1, references: 1, metric: 1, seed: 1, signal: 1, onLayer: 1, layers: 1, names: 1, tables: 1, squared: 1, includesSelf: 1,
});

interface Settings {
  steps: Set<LayerStep>;
  maxk: number;
  k: number;
  rangeMax: number;
  scale: number;
  Z: number;
  metric: 'euclidean' | 'cosine';
  refs: number[];
  signal?: AbortSignal;
}

/** Per-layer state kept across the run: small (N x (k + 1) indices and N nearest neighbours). */
interface Kept {
  kTable: IndexTable | null;
  nn: Int32Array | null;
  /**
   * A reference layer's table indices (N x (maxk + 1)): the ranks in it of the later layers'
   * nearest neighbours are looked up there (column = rank); beyond it, counted (coordinates) or
   * drawn as DADApy does (tables sources). Coordinates: kept for the references up to
   * refTablesMaxBytes() in all (beyond, a reference's rows are all counted).
   */
  refTable: RankTable | null;
  /** The layer's rows cannot serve the cross-layer steps (failed, constant). */
  unusable: string | null;
}

/** What the rank look-ups read of a table. */
type RankTable = Pick<NeighborTable, 'n' | 'maxk' | 'indices'>;

/**
 * The most bytes of reference tables a profile keeps for its look-ups (layerMatrix: every layer is
 * a reference): 256 MiB, or an eighth of the memory budget if that is less.
 */
function refTablesMaxBytes(): number {
  return Math.min(256 * 2 ** 20, memoryBudget() / 8);
}

/** How many references (the first ones) keep their table for the look-ups, and the bytes they hold. */
function refTablesKept(src: LayerSource, R: number, maxk: number): { count: number; bytes: number } {
  const per = src.n * (maxk + 1) * 4;
  const count = src.kind === 'tables' ? R : Math.min(R, Math.floor(refTablesMaxBytes() / per));
  return { count, bytes: count * per };
}

function positiveInt(name: string, v: unknown, min = 1): number {
  const n = positiveInteger(v, name, 'layerProfile');
  if (n < min) throw new InputError(`layerProfile: ${name} = ${n} is below ${min}`, `Pass ${name} >= ${min}`);
  return n;
}

function resolveSettings(opts: LayerProfileOptions, L: number, N: number, hasLabels: boolean, tableMaxk: readonly number[] | undefined): Settings {
  const hasCoords = !tableMaxk;
  const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  checkOptionKeys(defined, OPTION_KEYS, 'layerProfile');
  const steps = new Set<LayerStep>();
  if (opts.steps !== undefined) {
    if (!Array.isArray(opts.steps)) throw new InputError(`steps must be an array of step names, got ${typeof opts.steps}`, `Pass some of ${LAYER_STEPS.join(', ')}`);
    for (const s of opts.steps) {
      if (!LAYER_STEPS.includes(s)) throw new InputError(`Unknown step '${s}'`, `The steps are ${LAYER_STEPS.join(', ')}`);
      steps.add(s);
    }
    if (steps.has('labelOverlap') && !hasLabels) {
      throw new InputError('The labelOverlap step needs labels, and there are none', 'Pass { labels: [...] } (one per input), or a source with a label column');
    }
  } else {
    for (const s of LAYER_STEPS) if (hasLabels || s !== 'labelOverlap') steps.add(s);
  }
  const maxk = Math.min(N - 1, positiveInt('maxk', opts.maxk ?? 100), ...(tableMaxk ?? []));
  const k = positiveInt('k', opts.k ?? 30);
  if (k > N - 1) throw new InputError(`k = ${k} needs more than ${N} inputs`, `Pass k <= ${N - 1}`);
  const rangeMax = positiveInt('rangeMax', opts.rangeMax ?? 64, 2);
  const scale = positiveInt('scale', opts.scale ?? 16, 2);
  if ((scale & (scale - 1)) !== 0 || scale > rangeMax) {
    throw new InputError(`scale = ${scale} is not a Gride rank n2 (a power of two between 2 and rangeMax = ${rangeMax})`, 'Pass e.g. { scale: 16 }');
  }
  if (!hasCoords && steps.has('gride') && rangeMax > maxk) {
    throw new InputError(`Gride up to rank ${rangeMax} needs ${rangeMax} neighbours, but the precomputed tables hold ${maxk}`, `Pass { rangeMax: ${2 ** Math.floor(Math.log2(maxk))} } or wider tables`);
  }
  const Z = opts.Z ?? 1.65;
  if (typeof Z !== 'number' || !Number.isFinite(Z) || Z < 0) throw new InputError(`Z = ${String(Z)} is not a finite number >= 0`, 'Pass e.g. { Z: 1.65 }');
  const metric = opts.metric ?? 'euclidean';
  if (metric !== 'euclidean' && metric !== 'cosine') throw new InputError(`metric '${String(metric)}' is not supported by layerProfile`, "Pass 'euclidean' or 'cosine'");
  const refs: number[] = [];
  for (const r of opts.references ?? ['first', 'last']) {
    const idx = r === 'first' ? 0 : r === 'last' ? L - 1 : r;
    if (typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0 || idx >= L) {
      throw new InputError(`Reference ${JSON.stringify(r)} is not 'first', 'last' or a layer index below ${L}`, "Pass e.g. { references: ['first', 'last'] }");
    }
    if (!refs.includes(idx)) refs.push(idx);
  }
  return { steps, maxk, k, rangeMax, scale, Z, metric, refs, signal: opts.signal };
}

function pick<T extends Labels>(labels: T, kept: Int32Array): Labels {
  if (Array.isArray(labels)) return Array.from(kept, (i) => labels[i]);
  const out = new (labels.constructor as Int32ArrayConstructor)(kept.length);
  for (let t = 0; t < kept.length; t++) out[t] = (labels as Int32Array)[kept[t]];
  return out;
}

function resolveLabels(opts: LayerProfileOptions, src: LayerSource): Labels | null {
  const l = opts.labels;
  let labels: Labels | null = null;
  if (l === undefined) labels = src.labels;
  else if (typeof l === 'string') {
    labels = src.labels;
    if (!labels) {
      throw new InputError(`labels: '${l}' names a label column, but this source (${src.kind}) has none`,
        src.kind === 'arrow' ? 'Check the column name' : 'Pass the labels themselves ({ labels: [...] }), or put a labels.npy / labels.arrow file in the folder');
    }
  }
  else if (Array.isArray(l)) labels = l.map((x) => (typeof x === 'number' ? x : String(x))) as Labels;
  else if (ArrayBuffer.isView(l)) labels = (l instanceof Int32Array || l instanceof Float64Array ? l : Float64Array.from(l as unknown as ArrayLike<number>)) as Labels;
  else throw new InputError(`labels must be an array (one per input) or a column name, got ${typeof l}`, 'Pass { labels: digits } or { labels: "label" }');
  if (labels && labels.length !== src.n) {
    throw new InputError(`There are ${labels.length} labels for ${src.n} inputs`, 'Pass one label per input (per row of every layer), in the same order');
  }
  if (labels && !Array.isArray(labels)) {
    const bad: number[] = [];
    for (let i = 0; i < labels.length && bad.length < 20; i++) if (!Number.isFinite(labels[i] as number)) bad.push(i);
    if (bad.length) throw new InputError(`The labels of inputs ${listSome(bad)} are not finite numbers`, 'Give every input a class (drop the unlabelled inputs from every layer first)');
  }
  return labels;
}

/** The per-layer cost: how many bytes one layer's processing needs at its peak. */
function layerPeakBytes(src: LayerSource, i: number, s: Settings): number {
  const N = src.n;
  const data = src.layerBytes(i);
  const table = N * (s.maxk + 1) * 12;
  // the one-pass table + ranks holds each pair's float32 value once (N^2 / 2) for N up to ~20,000
  const strips = src.kind === 'tables' ? 0 : Math.min(N * N * 2, 1.5 * 2 ** 30);
  return 2 * data + 2 * table + strips;
}

/**
 * Profiles every layer of a network (see the module comment). `source`: an array of matrices (or
 * of { name, X }), the path of an Arrow file with one FixedSizeList column per layer, the path of a
 * folder of per-layer .npy / Arrow files, or an array of precomputed neighbour tables.
 */
export async function layerProfile(source: unknown, opts: LayerProfileOptions = {}): Promise<LayerProfileResult> {
  if (opts === null || typeof opts !== 'object') throw new InputError(`layerProfile options must be an object, got ${typeof opts}`, 'Pass e.g. { labels, k: 30 }');
  const srcOpts: LayerSourceOptions = { layers: opts.layers, names: opts.names, tables: opts.tables, squared: opts.squared, includesSelf: opts.includesSelf, labels: typeof opts.labels === 'string' ? opts.labels : undefined };
  const src = layerSource(source, srcOpts);
  try {
    return await run(src, opts);
  } finally {
    if (src !== source) src.close();
  }
}

async function run(src: LayerSource, opts: LayerProfileOptions): Promise<LayerProfileResult> {
  const L = src.names.length;
  const N = src.n;
  if (N < 4) throw new InputError(`The layers hold ${N} inputs; a profile needs at least 4`, 'Pass more inputs');
  const labels = resolveLabels(opts, src);
  const s = resolveSettings(opts, L, N, labels !== null, src.kind === 'tables' ? src.tableMaxk ?? [] : undefined);
  let peak = 0;
  for (let i = 0; i < L; i++) peak = Math.max(peak, layerPeakBytes(src, i, s));
  const keptBytes = L * N * ((Math.min(s.k, N - 1) + 1) * 4 + 4) + refTablesKept(src, s.refs.length, s.maxk).bytes;
  ensureMemory(peak + keptBytes, `A layer profile of ${L} layers x ${N} inputs (largest layer ${Math.max(...src.dims)} wide)`,
    'Profile fewer inputs at a time (a random subset of rows, the same in every layer), or fewer layers per call');
  const rng = new SeededRng(opts.seed ?? 42);
  const wantImb = s.steps.has('imbalance') && L > 1;
  const refs = wantImb ? s.refs : [];
  // the references first: every later layer's search then counts the ranks of their neighbours
  const order = [...refs, ...Array.from({ length: L }, (_, i) => i).filter((i) => !refs.includes(i))];
  const position = new Int32Array(L);
  order.forEach((l, p) => { position[l] = p; });
  const kept: Kept[] = Array.from({ length: L }, () => ({ kTable: null, nn: null, refTable: null, unusable: null }));
  const spare: Spare = { data: null };
  const results: (LayerResult | null)[] = new Array(L).fill(null);
  const imb: LayerImbalance[] = Array.from({ length: L }, () => ({ to: new Float64Array(refs.length).fill(NaN), from: new Float64Array(refs.length).fill(NaN) }));
  const warnings: string[][] = Array.from({ length: L }, () => []);
  // per reference: the seconds of its end-of-profile ranks and how many rows had to be counted
  const refWork: ({ seconds: number; rowsCounted: number } | null)[] = new Array(L).fill(null);
  // Delta(a -> b): a row of layer a's "to" when b is a reference, of layer b's "from" when a is one
  const record = (a: number, b: number, value: number) => {
    const qb = refs.indexOf(b), qa = refs.indexOf(a);
    if (qb >= 0) imb[a].to[qb] = value;
    if (qa >= 0) imb[b].from[qa] = value;
  };
  const bar = startProgress(`layer profile (${L} layers)`, L + (wantImb ? refs.length : 0));
  let done = 0;
  // the layers' jobs are alike: their memory is touched once, not once per layer (pool.ts hold)
  const release = holdNeighborPool();
  try {
    for (const l of order) {
      await checkpoint(s.signal);
      const refsBefore = refs.filter((r) => position[r] < position[l] && kept[r].nn);
      results[l] = await processLayer(src, l, s, labels, kept[l], refsBefore.map((r) => ({ r, nn: kept[r].nn as Int32Array })), refs, record, warnings[l], rng, spare);
      if (opts.onLayer) opts.onLayer(results[l] as LayerResult);
      bar.update(++done);
    }
    // the other direction: the ranks in each reference of every later layer's nearest neighbours,
    // from the reference's table where it holds them, else counted (ranksInReference)
    for (let q = 0; q < refs.length; q++) {
      await checkpoint(s.signal);
      const r = refs[q];
      const later = order.filter((l) => position[l] > position[r] && kept[l].nn && !kept[l].unusable);
      if (kept[r].unusable || later.length === 0) { bar.update(++done); continue; }
      const t0 = performance.now();
      try {
        const { ranks, rowsCounted } = await ranksInReference(src, r, later.map((l) => kept[l].nn as Int32Array), kept[r].refTable, s, rng, spare);
        refWork[r] = { seconds: (performance.now() - t0) / 1000, rowsCounted };
        later.forEach((l, m) => {
          let sum = 0;
          for (let i = 0; i < N; i++) sum += ranks[i * later.length + m];
          record(l, r, imbalanceFromRankSum(sum, N, 1));
        });
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        warnings[r].push(`imbalance with this reference layer failed: ${message(e)}`);
      }
      bar.update(++done);
    }
    // a reference compared with itself: its nearest neighbour has rank 1 (Delta = 2 / N)
    refs.forEach((r, q) => { if (!kept[r].unusable) { imb[r].to[q] = 2 / N; imb[r].from[q] = 2 / N; } });
  } catch (e) {
    if (e instanceof CancelledError) {
      (e as CancelledError & { partial?: LayerProfileResult }).partial = finish(src, s, labels, results, kept, imb, warnings, refs, refWork, true);
    }
    throw e;
  } finally {
    bar.finish();
    await release();
  }
  return finish(src, s, labels, results, kept, imb, warnings, refs, refWork, false);
}

function message(e: unknown): string {
  if (isDadalabError(e)) return (e as Error).message;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function finish(src: LayerSource, s: Settings, labels: Labels | null, results: (LayerResult | null)[], kept: Kept[], imb: LayerImbalance[],
  warnings: string[][], refs: number[], refWork: ({ seconds: number; rowsCounted: number } | null)[], partial: boolean): LayerProfileResult {
  const L = results.length;
  const nextOverlap = new Float64Array(L).fill(NaN);
  if (s.steps.has('nextOverlap')) {
    for (let l = 0; l + 1 < L; l++) {
      const a = kept[l].kTable, b = kept[l + 1].kTable;
      if (a && b && !kept[l].unusable && !kept[l + 1].unusable) nextOverlap[l] = mean(dataOverlapPerPoint(a, b, Math.min(s.k, a.maxk, b.maxk)));
    }
  }
  const layers: LayerResult[] = results.map((r, l) => {
    const base: LayerResult = r ?? emptyLayer(src, l);
    const ws = [...base.warnings];
    for (const w of warnings[l]) if (!ws.includes(w)) ws.push(w);
    const w = refWork[l];
    return Object.freeze({
      ...base, nextOverlap: nextOverlap[l], imbalance: Object.freeze({ to: imb[l].to, from: imb[l].from }), warnings: Object.freeze(ws),
      ...(w ? { seconds: Object.freeze({ ...base.seconds, referenceRanks: w.seconds }), rowsCounted: w.rowsCounted } : {}),
    });
  });
  return makeLayerProfileResult({
    names: src.names, n: src.n, description: src.description, layers, labels,
    settings: { steps: [...s.steps], maxk: s.maxk, k: s.k, rangeMax: s.rangeMax, scale: s.scale, Z: s.Z, metric: s.metric, references: refs.map((r) => src.names[r]) },
    kTables: kept.map((x) => x.kTable), nearest: kept.map((x) => x.nn), partial,
  });
}

function emptyLayer(src: LayerSource, l: number): LayerResult {
  return {
    index: l, name: src.names[l], n: src.n, dims: src.dims[l], nUnique: NaN, duplicates: NaN,
    id2nn: null, gride: null, idAtScale: NaN, idAtScaleErr: NaN, labelOverlap: NaN, nextOverlap: NaN,
    imbalance: { to: new Float64Array(0), from: new Float64Array(0) }, clusters: null, warnings: ['not computed'], seconds: {}, rowsCounted: NaN,
  };
}

function mean(a: ArrayLike<number>): number {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i];
  return t / a.length;
}

/** Rank (column) of `target` in row i of a table, or -1 when it is beyond the table. */
function rankInTable(t: RankTable, i: number, target: number): number {
  const w = t.maxk + 1;
  for (let c = 1; c < w; c++) if (t.indices[i * w + c] === target) return c;
  return -1;
}

/** Ranks of the given targets per row in a precomputed table; beyond the table, DADApy's random rank in [maxk + 1, N). */
function ranksFromTable(t: RankTable, targets: Int32Array, k: number, rng: SeededRng): Float64Array {
  const out = new Float64Array(targets.length);
  for (let x = 0; x < targets.length; x++) {
    const i = Math.floor(x / k);
    const c = targets[x] < 0 ? -1 : rankInTable(t, i, targets[x]);
    out[x] = targets[x] < 0 ? -1 : c > 0 ? c : rng.integers(t.maxk + 1, t.n, 1)[0];
  }
  return out;
}

/**
 * The ranks in reference r of the targets (the later layers' nearest neighbours, k per point).
 * Tables sources: looked up in r's table, beyond it DADApy's random rank. Coordinates: a target
 * within r's table has its column as rank (the table is exact, ordered by distance then index,
 * as the count's ties are: the same number); only the rows with a target beyond the table are
 * counted, on r's data read again (their distances to all N points: a fraction of a full pass).
 */
async function ranksInReference(src: LayerSource, r: number, nns: Int32Array[], refTable: RankTable | null, s: Settings, rng: SeededRng,
  spare: Spare): Promise<{ ranks: Float64Array; rowsCounted: number }> {
  const N = src.n, k = nns.length;
  const targets = new Int32Array(N * k);
  for (let i = 0; i < N; i++) for (let m = 0; m < k; m++) targets[i * k + m] = nns[m][i] === i ? -1 : nns[m][i];
  if (refTable && src.kind === 'tables') return { ranks: ranksFromTable(refTable, targets, k, rng), rowsCounted: 0 };
  const look = lookUpRanks(refTable, targets, k);
  if (look.rows.length === 0) return { ranks: look.ranks, rowsCounted: 0 };
  const layer = src.load(r, takeSpare(src, spare));
  const X = layer.X as Matrix;
  try {
    await countTheRest(X, look, k, s);
  } finally {
    giveSpare(src, spare, X);
  }
  return { ranks: look.ranks, rowsCounted: look.rows.length };
}

/**
 * The ranks of the targets (k per point; -1 = none) that a complete exact table of the same data
 * holds: the column of the target in row i is its rank (the table is ordered by distance, ties by
 * index, as countNeighborRanks counts). `rows`: the points with a target beyond the table, `rest`
 * their targets still to count (rows.length x k, -1 where found).
 */
interface LookedUp { ranks: Float64Array; rows: Int32Array; rest: Int32Array }

function lookUpRanks(table: RankTable | null, targets: Int32Array, k: number): LookedUp {
  const N = targets.length / k;
  const ranks = new Float64Array(N * k).fill(-1);
  const rows: number[] = [];
  const left = Int32Array.from(targets);
  for (let i = 0; i < N; i++) {
    let beyond = false;
    for (let m = 0; m < k; m++) {
      const a = targets[i * k + m];
      if (a < 0) continue;
      const c = table ? rankInTable(table, i, a) : -1;
      if (c > 0) { ranks[i * k + m] = c; left[i * k + m] = -1; } else beyond = true;
    }
    if (beyond) rows.push(i);
  }
  const rest = new Int32Array(rows.length * k);
  for (let q = 0; q < rows.length; q++) rest.set(left.subarray(rows[q] * k, rows[q] * k + k), q * k);
  return { ranks, rows: Int32Array.from(rows), rest };
}

/** Counts the targets lookUpRanks left (their rows' distances to all N points) into its ranks. */
async function countTheRest(X: Matrix, look: LookedUp, k: number, s: Settings): Promise<void> {
  const { ranks, rows, rest } = look;
  if (rows.length === 0) return;
  const counted = await countNeighborRanks(X, rest, k, { metric: s.metric, signal: s.signal, rows });
  for (let q = 0; q < rows.length; q++) {
    for (let m = 0; m < k; m++) if (rest[q * k + m] >= 0) ranks[rows[q] * k + m] = counted[q * k + m];
  }
}

/**
 * The values of the last layer read from a file, no longer needed: the next layer is read into
 * them (source.ts load(i, reuse): fresh memory costs a page fault per 4 KiB when first touched).
 */
interface Spare { data: Float32Array | Float64Array | null }

function takeSpare(src: LayerSource, spare: Spare): Float32Array | Float64Array | null {
  const d = spare.data;
  spare.data = null;
  return src.reads ? d : null;
}

/** Hands a layer's values back once nothing refers to them (the table, the results: none do). */
function giveSpare(src: LayerSource, spare: Spare, X: Matrix | null): void {
  if (src.reads && X) spare.data = X.data;
}

async function timed<T>(seconds: Record<string, number>, key: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    seconds[key] = (seconds[key] ?? 0) + (performance.now() - t0) / 1000;
  }
}

async function processLayer(src: LayerSource, l: number, s: Settings, labels: Labels | null, keep: Kept,
  refsBefore: { r: number; nn: Int32Array }[], refs: number[], record: (a: number, b: number, value: number) => void, warnings: string[],
  rng: SeededRng, spare: Spare): Promise<LayerResult> {
  const N = src.n;
  const name = src.names[l];
  const seconds: Record<string, number> = {};
  const out: { -readonly [K in keyof LayerResult]: LayerResult[K] } = { ...emptyLayer(src, l), warnings: [] };
  const done = (): LayerResult => Object.freeze({ ...out, seconds: Object.freeze({ ...seconds }), warnings: Object.freeze([...warnings]) });
  const fail = (what: string, e: unknown) => {
    if (e instanceof CancelledError) throw e;
    warnings.push(`${what}: ${message(e)}`);
    failures.push(what);
  };
  const failures: string[] = [];
  // what the estimators warn about goes into this layer's row (the table shows it), not to stderr once per layer
  const prevSink = setWarningSink((w) => { if (!warnings.includes(w.message)) warnings.push(w.message); });
  let X: Matrix | null = null;
  try {
    return await layerSteps();
  } finally {
    giveSpare(src, spare, X);
    setWarningSink(prevSink);
    if (failures.length) warn(`layerProfile: layer '${name}': ${failures.join(', ')} failed (see its row of the table)`, 'numerical');
  }
  async function layerSteps(): Promise<LayerResult> {
    // 1. the layer and its neighbour table (with the ranks of the earlier references' neighbours)
    let table: NeighborTable;
    try {
      const loaded = await timed(seconds, 'read', () => src.load(l, takeSpare(src, spare)));
      X = loaded.X;
      if (X) out.dims = X.cols;
      if (X && (X.rows !== N)) throw new InputError(`Layer '${name}' has ${X.rows} rows, not ${N}`, 'Every layer must hold the same inputs in the same order');
      const R = refsBefore.length;
      const targets = new Int32Array(N * Math.max(1, R)).fill(-1);
      for (let m = 0; m < R; m++) for (let i = 0; i < N; i++) targets[i * R + m] = refsBefore[m].nn[i];
      let ranks: Float64Array | null = null;
      if (loaded.table) {
        table = loaded.table;
        if (R > 0) ranks = ranksFromTable(table, targets, R, rng);
      } else {
        const Xl = X as Matrix;
        const nOpts = { maxk: s.maxk, metric: s.metric, signal: s.signal };
        const both = R > 0 ? await timed(seconds, 'neighbours', () => computeNeighborsAndRanks(Xl, nOpts, targets, R)) : null;
        if (both) {
          table = both.table;
          ranks = both.ranks;
        } else {
          // (no one-pass path: above about N = 7000 the pairs' values do not fit its store) the
          // table, then the ranks it holds looked up, only the rows with a target beyond it counted
          const t = await timed(seconds, 'neighbours', () => computeNeighbors(Xl, nOpts));
          table = t;
          if (R > 0) {
            ranks = await timed(seconds, 'ranks', async () => {
              const look = lookUpRanks(t, targets, R);
              await countTheRest(Xl, look, R, s);
              return look.ranks;
            });
          }
        }
      }
      if (table.n !== N) throw new InputError(`The neighbour table of layer '${name}' has ${table.n} rows, not ${N}`, 'Pass tables of the same inputs');
      keep.kTable = truncateTable(table, Math.min(s.k, table.maxk));
      const w = table.maxk + 1;
      keep.nn = new Int32Array(N);
      for (let i = 0; i < N; i++) keep.nn[i] = table.indices[i * w + 1];
      // a reference's table indices, for the look-ups at the end (tables sources: every reference's)
      if (refs.includes(l) && refs.indexOf(l) < refTablesKept(src, refs.length, s.maxk).count) keep.refTable = { n: table.n, maxk: table.maxk, indices: table.indices };
      if (ranks) {
        for (let m = 0; m < R; m++) {
          let sum = 0;
          for (let i = 0; i < N; i++) sum += ranks[i * R + m];
          record(refsBefore[m].r, l, imbalanceFromRankSum(sum, N, 1));
        }
      }
    } catch (e) {
      fail('the layer could not be read or searched', e);
      keep.unusable = 'failed';
      return done();
    }
    // 2. duplicates: the per-layer estimators run on the distinct rows (labels kept aligned)
    let tableU: NeighborTable = table;
    let labelsU: Labels | null = labels;
    let XU: Matrix | null = X;
    let keptRows: Int32Array | null = null;
    const estimators = s.steps.has('id') || s.steps.has('gride') || s.steps.has('labelOverlap') || s.steps.has('clusters');
    if (!estimators) return done();
    try {
      if (X) {
        const d = await timed(seconds, 'dedupe', () => dedupe(X as Matrix));
        out.nUnique = d.kept.length;
        out.duplicates = N - d.kept.length;
        if (d.kept.length < N) {
          XU = d.data;
          keptRows = d.kept;
          if (labels) labelsU = pick(labels, d.kept);
          const mixed = labels ? d.groups.filter((g) => { const a = String(labels[g[0]]); return Array.from(g).some((i) => String(labels[i]) !== a); }).length : 0;
          warnings.push(`${N - d.kept.length} duplicate rows removed for the per-layer estimates (${d.groups.length} groups${mixed ? `, ${mixed} with different labels` : ''})`);
          if (d.kept.length <= 3) {
            keep.unusable = 'constant';
            warnings.push(d.kept.length === 1 ? 'the layer is constant (every input has the same representation: a dead layer?): estimates skipped' : `only ${d.kept.length} distinct rows: estimates skipped`);
            return done();
          }
          const mk = Math.min(s.maxk, d.kept.length - 1);
          tableU = await timed(seconds, 'neighbours', () => computeNeighbors(XU as Matrix, { maxk: mk, metric: s.metric, signal: s.signal }));
        }
      } else {
        const w = table.maxk + 1;
        let zeros = 0;
        for (let i = 0; i < N; i++) if (table.distances[i * w + 1] === 0) zeros++;
        out.nUnique = NaN;
        out.duplicates = NaN;
        if (zeros) warnings.push(`${zeros} rows have a neighbour at distance 0 (duplicates): the estimates that divide by distances may fail`);
      }
    } catch (e) {
      fail('removing duplicates', e);
      return done();
    }
    await checkpoint(s.signal);
    // 3. the estimators, each on its own (one failing does not stop the others)
    if (s.steps.has('id') || s.steps.has('clusters')) {
      try {
        out.id2nn = await timed(seconds, 'id', () => twoNN(tableU));
      } catch (e) { fail('2NN', e); }
    }
    if (s.steps.has('gride')) {
      try {
        let g: GrideScalingResult;
        if (s.rangeMax <= tableU.maxk) g = await timed(seconds, 'gride', () => grideScalingFromTable(tableU, { rangeMax: s.rangeMax }));
        else if (!XU) throw new InputError(`Gride up to rank ${s.rangeMax} needs more neighbours than the table holds (${tableU.maxk})`, 'Pass a smaller rangeMax');
        else g = (await timed(seconds, 'gride', () => grideScaling(XU as Matrix, { rangeMax: s.rangeMax, signal: s.signal, metric: s.metric }))).result;
        out.gride = g;
        const j = Array.from(g.ranks).indexOf(s.scale);
        if (j >= 0) { out.idAtScale = g.ids[j]; out.idAtScaleErr = g.idsErr[j]; } else warnings.push(`Gride has no estimate at n2 = ${s.scale} (fewer points than that scale needs)`);
      } catch (e) { fail('Gride', e); }
    }
    await checkpoint(s.signal);
    if (s.steps.has('labelOverlap') && labelsU) {
      try {
        out.labelOverlap = await timed(seconds, 'labelOverlap', () => labelOverlap(tableU, labelsU as Labels, { k: Math.min(s.k, tableU.maxk) }).overlap as number);
      } catch (e) { fail('label overlap', e); }
    }
    if (s.steps.has('clusters')) {
      try {
        if (!out.id2nn) throw new InputError('no 2NN ID to build the densities on', 'See the 2NN warning');
        const id = out.id2nn.id;
        out.clusters = await timed(seconds, 'clusters', async () => {
          const ks = computeKstar(tableU, id);
          // on the workers where N is large enough (bit for bit densityPAk's numbers)
          const pak = await densityPAkAsync(tableU, id, ks.kstar, { signal: s.signal });
          const adp = adpClustering(tableU, pak.logDen, pak.logDenErr, ks.kstar, { Z: s.Z });
          const lab = labelsU ? labelsAsInt(labelsU as Int32Array, tableU.n) : null;
          return Object.freeze({
            nClusters: adp.nClusters,
            ari: lab ? adjustedRandIndex(lab, adp.clusterAssignment) : NaN,
            ami: lab ? adjustedMutualInformation(lab, adp.clusterAssignment) : NaN,
            coreFraction: adp.coreFraction,
            assignment: adp.clusterAssignment,
            haloAssignment: adp.haloAssignment,
            kept: keptRows,
            result: adp,
          });
        });
      } catch (e) { fail('ADP clusters', e); }
    }
    return done();
  }
}
