import { DadalabError } from '../errors';
import { asMatrix, validateCoordinates, type Matrix, type MatrixLike } from '../matrix';
import {
  computeNeighbors, fromDistanceMatrix, fromPrecomputed, parseMetric, resolveNeighborOptions, zeroDistanceRows,
  type Metric, type NeighborOptions, type NeighborTable,
} from '../neighbors';
import { listSome } from '../errors';
import { SeededRng, type Rng } from '../stats/rng';
import { warn } from '../runtime/warnings';
import { checkOptionKeys, optionKeys } from '../options';

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
  /** The coordinates (null when only distances were given). */
  readonly X: Matrix | null;
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
      throw new DadalabError('new Data() was given neither coordinates nor distances',
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
      throw new DadalabError(`The neighbour table has ${t.n} rows but there are ${this.N} points`,
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
    const maxk = opts.maxk ?? this.maxk;
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
      throw new DadalabError(`${what} needs coordinates, but this Data object was built from distances only`,
        'Create it with coordinates: new Data(X)');
    }
    return this.X;
  }

  protected warn(message: string): void {
    warn(message);
  }
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
