import { InputError, StateError } from '../errors';
import { asMatrix, validateCoordinates, type Matrix, type MatrixLike } from '../matrix';
import {
  computeNeighbors, fromDistanceMatrix, fromPrecomputed, parseMetric, resolveNeighborOptions, zeroDistanceRows,
  type Metric, type NeighborOptions, type NeighborTable,
} from '../neighbors';
import { listSome } from '../errors';
import { SeededRng, type Rng } from '../stats/rng';
import { warn, type WarningCategory } from '../runtime/warnings';
import { checkOptionKeys, optionKeys, positiveInteger } from '../options';

/** What `new Data(...)` accepts besides coordinates (DADApy's Base constructor, camelCase). */
export interface DataOptions {
  /** A neighbour table computed elsewhere: a NeighborTable, a [distances, indices] pair, or a full N x N matrix. */
  distances?: NeighborTable | [ArrayLike<ArrayLike<number>>, ArrayLike<ArrayLike<number>>] | ArrayLike<ArrayLike<number>>;
  maxk?: number;
  period?: number | ArrayLike<number> | null;
  /** Seed of the default random generator (DADApy's rng_seed, 42), or an Rng to use. */
  rng?: Rng | number;
  verbose?: boolean;
}

export interface ComputeDistancesOptions extends Pick<NeighborOptions, 'engine' | 'precision' | 'workers' | 'signal'> {
  maxk?: number;
  metric?: Metric | string;
  period?: number | ArrayLike<number> | null;
}

const DATA_KEYS = optionKeys<DataOptions>({ distances: 1, maxk: 1, period: 1, rng: 1, verbose: 1 });
const DISTANCES_KEYS = optionKeys<ComputeDistancesOptions>({ maxk: 1, metric: 1, period: 1, engine: 1, precision: 1, workers: 1, signal: 1 });

/**
 * The state every estimator shares: the coordinates, the neighbour table, the random generator.
 * Layers (IdEstimation, DensityEstimation, ...) extend this class one concern per file, as
 * DADApy's classes do; `Data` is the last of them.
 */
export class Base {
  /** The coordinates (null when only distances were given); replaced only by removeIdenticalPoints. */
  X: Matrix | null;
  N: number;
  readonly dims: number | null;
  maxk: number;
  period: Float64Array | number | null;
  metric: Metric | 'precomputed' = 'euclidean';
  rng: Rng;
  verbose: boolean;
  /** The neighbour table (maxk + 1 columns, self first), or null until computed. */
  nn: NeighborTable | null = null;
  /** Rows whose nearest other point is at distance 0 (duplicates), found by computeDistances. */
  zeroDistanceRows: Int32Array | null = null;

  constructor(coordinates: MatrixLike | null = null, opts: DataOptions = {}) {
    checkOptionKeys(opts, DATA_KEYS, 'new Data');
    if (opts.maxk !== undefined) positiveInteger(opts.maxk, 'maxk', 'new Data');
    this.verbose = opts.verbose ?? false;
    this.rng = typeof opts.rng === 'object' && opts.rng !== null ? opts.rng : new SeededRng(opts.rng ?? 42);
    this.period = opts.period === undefined || opts.period === null ? null
      : typeof opts.period === 'number' ? opts.period : Float64Array.from(opts.period);
    if (coordinates !== null) {
      const X = asMatrix(coordinates);
      validateCoordinates(X, 2);
      this.X = X;
      this.N = X.rows;
      this.dims = X.cols;
      this.maxk = opts.maxk ?? Math.min(100, this.N - 1);
    } else {
      this.X = null;
      this.dims = null;
      this.N = 0;
      this.maxk = 0;
    }
    if (opts.distances !== undefined) {
      this.setNeighborTable(toTable(opts.distances, opts.maxk));
    } else if (coordinates === null) {
      throw new InputError('new Data() was given neither coordinates nor distances',
        'Pass coordinates (a Matrix or number[][]) or { distances: table }');
    }
  }

  /** The neighbour distances, N x (maxk + 1) row-major (column 0 is the point itself). */
  get distances(): Float64Array | null {
    return this.nn ? this.nn.distances : null;
  }
  /** The neighbour indices, N x (maxk + 1) row-major. */
  get distIndices(): Int32Array | null {
    return this.nn ? this.nn.indices : null;
  }

  /** Installs a neighbour table (from computeDistances or computed elsewhere). */
  protected setNeighborTable(t: NeighborTable): void {
    if (this.X && t.n !== this.N) {
      throw new InputError(`The neighbour table has ${t.n} rows but there are ${this.N} points`,
        'Pass a table computed on these coordinates');
    }
    this.nn = t;
    this.N = t.n;
    this.maxk = t.maxk;
    this.metric = t.metric;
    if (t.period) this.period = t.period;
    const zeros = zeroDistanceRows(t);
    this.zeroDistanceRows = zeros;
    if (zeros.length > 0) {
      this.warn(`${zeros.length} point${zeros.length === 1 ? ' has' : 's have'} a neighbour at distance 0 (duplicates; rows ${listSome(zeros)}). ` +
        'Estimators that divide by the first-neighbour distance will refuse them: use dedupe(X) to remove the copies and keep the index map.');
    }
  }

  /**
   * DADApy's compute_distances: the exact table of the maxk nearest neighbours of every point
   * (column 0 the point itself), for the given metric and periodic box.
   */
  async computeDistances(opts: ComputeDistancesOptions = {}): Promise<void> {
    checkOptionKeys(opts, DISTANCES_KEYS, 'computeDistances');
    const X = this.requireCoordinates('computeDistances');
    const maxk = opts.maxk === undefined ? this.maxk : positiveInteger(opts.maxk, 'maxk', 'computeDistances');
    const metric = parseMetric(opts.metric);
    const period = opts.period !== undefined && opts.period !== null ? opts.period : this.period;
    const nopts: NeighborOptions = {
      maxk, metric, period, signal: opts.signal, engine: opts.engine, precision: opts.precision, workers: opts.workers,
    };
    resolveNeighborOptions(X, nopts);
    const t = await computeNeighbors(X, nopts);
    this.setNeighborTable(t);
  }

  /** The table, computing it with the stored defaults first if missing (DADApy's lazy rule). */
  protected async ensureDistances(): Promise<NeighborTable> {
    if (!this.nn) await this.computeDistances();
    return this.nn as NeighborTable;
  }

  protected requireCoordinates(what: string): Matrix {
    if (!this.X) {
      throw new StateError(`${what} needs coordinates, but this Data object was built from distances only`,
        'Create it with coordinates: new Data(X)');
    }
    return this.X;
  }

  protected warn(message: string, category: WarningCategory = 'input'): void {
    warn(message, category);
  }

  /**
   * The estimates this object holds (names of the attributes set), which refer to its current
   * points: each layer adds its own. removeIdenticalPoints refuses to run under them.
   */
  protected heldEstimates(): string[] {
    return [];
  }

  /**
   * DADApy's remove_zero_dists(distances): every distance to another point (columns 1..maxk) below
   * 2.2e-16 becomes 2.2e-16, in place, and the array is returned (default: this object's table).
   * This hides duplicate points from the estimators that divide by a distance instead of removing
   * them: prefer dedupe(X) (or removeIdenticalPoints), which drops the copies and returns the map.
   */
  removeZeroDists(distances: Float64Array | number[][] | null = this.distances): Float64Array | number[][] {
    if (distances === null) {
      throw new StateError('removeZeroDists has no distances to change', 'Compute them first (await d.computeDistances()) or pass an array');
    }
    if (Array.isArray(distances)) {
      for (const row of distances) for (let j = 1; j < row.length; j++) if (row[j] < EPS64) row[j] = EPS64;
      return distances;
    }
    const w = distances === this.distances ? this.maxk + 1 : distances.length / this.N;
    if (!Number.isInteger(w) || w < 1) {
      throw new InputError(`removeZeroDists got ${distances.length} distances, not a multiple of N = ${this.N}`, 'Pass an N x (maxk + 1) table (flat or as rows)');
    }
    for (let i = 0; i < distances.length; i++) if (i % w !== 0 && distances[i] < EPS64) distances[i] = EPS64;
    if (distances === this.distances && this.nn) this.zeroDistanceRows = zeroDistanceRows(this.nn);
    return distances;
  }

  /**
   * DADApy's remove_identical_points(): keeps one copy of each distinct point, SORTED as NumPy's
   * np.unique(X, axis=0) sorts them (lexicographically), replaces the coordinates, sets
   * maxk = min(maxk, N - 1) and recomputes the distances if there were any (DADApy's defaults:
   * euclidean, the stored period). Unlike DADApy it returns the index map, so labels can follow:
   * `kept[r]` is the input row behind new row r, `inverse[i]` the new row of input row i. To keep
   * the original order use dedupe(X) and build a new Data from its rows. Refused once estimates
   * exist (they describe the old points).
   */
  async removeIdenticalPoints(): Promise<{ kept: Int32Array; inverse: Int32Array; removed: number }> {
    const X = this.requireCoordinates('removeIdenticalPoints');
    const held = this.heldEstimates();
    if (held.length > 0) {
      throw new StateError(`removeIdenticalPoints would change the points under estimates already computed (${held.join(', ')})`,
        'Call it first, right after new Data(X), or start again from new Data(dedupe(X).data)');
    }
    const { kept, inverse } = uniqueRowsSorted(X);
    const removed = X.rows - kept.length;
    if (removed === 0) return { kept, inverse, removed };
    this.warn(`${removed} identical point${removed === 1 ? ' was' : 's were'} removed: ${kept.length} distinct points remain, sorted as np.unique sorts them (the returned kept / inverse map them to the input rows)`);
    this.X = X.selectRows(kept);
    this.N = kept.length;
    this.maxk = Math.min(this.maxk, this.N - 1);
    if (this.nn) {
      this.nn = null;
      this.zeroDistanceRows = null;
      await this.computeDistances();
    }
    return { kept, inverse, removed };
  }
}

const EPS64 = 2.220446049250313e-16;

/**
 * np.unique(X, axis=0, return_index=True, return_inverse=True): the distinct rows in
 * lexicographic order (numeric comparison, -0 equal to +0, NaN last), the first input row of each,
 * and the new row of every input row.
 */
export function uniqueRowsSorted(X: Matrix): { kept: Int32Array; inverse: Int32Array } {
  const N = X.rows, D = X.cols, x = X.data;
  const cmp = (a: number, b: number): number => {
    for (let t = 0; t < D; t++) {
      const u = x[a * D + t], v = x[b * D + t];
      if (u < v) return -1;
      if (u > v) return 1;
      const un = Number.isNaN(u), vn = Number.isNaN(v);
      if (un !== vn) return un ? 1 : -1;
    }
    return 0;
  };
  const order = Array.from({ length: N }, (_, i) => i).sort((a, b) => cmp(a, b) || a - b);
  const kept: number[] = [];
  const inverse = new Int32Array(N);
  for (let s = 0; s < N; s++) {
    const i = order[s];
    if (s === 0 || cmp(order[s - 1], i) !== 0) kept.push(i);
    inverse[i] = kept.length - 1;
  }
  return { kept: Int32Array.from(kept), inverse };
}

function toTable(distances: NonNullable<DataOptions['distances']>, maxk?: number): NeighborTable {
  if (typeof (distances as NeighborTable).maxk === 'number' && (distances as NeighborTable).indices instanceof Int32Array) {
    return distances as NeighborTable;
  }
  const arr = distances as ArrayLike<unknown>;
  if (arr.length === 2 && typeof (arr[0] as ArrayLike<unknown>)?.length === 'number'
    && typeof ((arr[0] as ArrayLike<ArrayLike<number>>)[0] as ArrayLike<number>)?.length === 'number') {
    const [d, i] = distances as [ArrayLike<ArrayLike<number>>, ArrayLike<ArrayLike<number>>];
    return fromPrecomputed(d, i, { maxk });
  }
  return fromDistanceMatrix(distances as ArrayLike<ArrayLike<number>>, maxk);
}
