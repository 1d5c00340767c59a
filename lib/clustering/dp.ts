import { checkOptionKeys, optBoolean, optFiniteNumber, optionKeys } from '../options';
import { InputError } from '../errors';
import type { Matrix } from '../matrix';
import type { NeighborTable } from '../neighbors/table';
import { Chart } from '../../widgets/chart';
import { decisionGraphSpec } from '../../widgets/clustering/decisionGraph';

export interface DecisionGraph {
  /** Distance to the nearest point of higher log density (1.05 max(delta) for the global maxima). */
  readonly delta: Float64Array;
  /** Index of that point (0 for the global maxima, as DADApy). */
  readonly ref: Int32Array;
  readonly logDen: Float64Array;
  /** Points whose denser neighbour was not in the table and was found by a full scan. */
  readonly fullScans: number;
  summary(): string;
  /** rho (log density) against delta; pass cuts to mark the centres DP would take. */
  plot(options?: { densCut?: number; deltaCut?: number }): Chart;
}

/**
 * The Rodriguez–Laio decision graph (DADApy's compute_DecGraph): for each point the distance to the
 * nearest point of strictly higher log density, looked up first in the neighbour table (first
 * column holding a denser point) and otherwise by a Euclidean scan of all denser points (first
 * argmin). The global maxima get 1.05 times the largest delta.
 */
export function decisionGraph(nn: NeighborTable, logDen: ArrayLike<number>, X: Matrix | null): DecisionGraph {
  const N = nn.n, w = nn.maxk + 1;
  if (logDen.length !== N) {
    throw new InputError(`The decision graph needs one log density per point (${N}), got ${logDen.length}`, 'Compute the density on the same data');
  }
  const ld = Float64Array.from(logDen);
  const delta = new Float64Array(N), ref = new Int32Array(N);
  const imax: number[] = [];
  let scans = 0;
  for (let i = 0; i < N; i++) {
    let found = false;
    for (let j = 0; j < w; j++) {
      const nb = nn.indices[i * w + j];
      if (ld[nb] > ld[i]) { delta[i] = nn.distances[i * w + j]; ref[i] = nb; found = true; break; }
    }
    if (found) continue;
    let best = Infinity, bj = -1;
    for (let j = 0; j < N; j++) if (ld[j] > ld[i] && j !== i) { bj = j; break; }
    if (bj === -1) { delta[i] = -100; imax.push(i); continue; }
    if (!X) {
      throw new InputError(`Point ${i} has no denser point among its ${nn.maxk} neighbours and there are no coordinates to search the others`,
        'Create the Data object with coordinates, or compute distances with a larger maxk');
    }
    scans++;
    const D = X.cols, data = X.data;
    bj = -1;
    for (let j = 0; j < N; j++) {
      if (!(ld[j] > ld[i]) || j === i) continue;
      let s = 0;
      for (let k = 0; k < D; k++) { const t = data[i * D + k] - data[j * D + k]; s += t * t; }
      const d = Math.sqrt(s);
      if (d < best) { best = d; bj = j; }
    }
    delta[i] = best; ref[i] = bj;
  }
  let mx = -Infinity;
  for (let i = 0; i < N; i++) if (delta[i] > mx) mx = delta[i];
  for (const i of imax) delta[i] = 1.05 * mx;
  return Object.freeze({
    delta, ref, logDen: ld, fullScans: scans,
    summary: () => `Decision graph of ${N} points: ${imax.length} global maxim${imax.length === 1 ? 'um' : 'a'}, ${scans} full scans, max delta ${mx.toPrecision(4)}`,
    plot: (o: { densCut?: number; deltaCut?: number } = {}) => new Chart(decisionGraphSpec(ld, delta, o)),
  });
}

export interface DpOptions {
  densCut?: number;
  deltaCut?: number;
  halo?: boolean;
}
export const DP_KEYS = optionKeys<DpOptions>({ densCut: 1, deltaCut: 1, halo: 1 });

export interface DpResult {
  readonly clusterAssignment: Int32Array;
  /** The assignment without the halo. */
  readonly coreAssignment: Int32Array;
  /** Centres, sorted by index (DADApy's `centers`). */
  readonly centers: Int32Array;
  readonly nClusters: number;
  summary(): string;
  /** The decision graph with the centres marked; tooltips give each point's cluster (and `classes`: its true class). */
  plot(options?: { classes?: ArrayLike<number | string> }): Chart;
}

/**
 * Density Peaks clustering (Rodriguez & Laio 2014; DADApy's compute_clustering_DP): visiting the
 * points by decreasing log density, a point with logDen > densCut and delta > deltaCut opens a new
 * cluster, any other takes the cluster of its nearest denser point. Halo: per cluster the highest
 * log density among its border points (a neighbour within dc of another cluster); members below it get −1.
 */
export function dpClustering(nn: NeighborTable, graph: DecisionGraph, dc: ArrayLike<number> | null, opts: DpOptions = {}): DpResult {
  checkOptionKeys(opts, DP_KEYS, 'dpClustering');
  const densCut = optFiniteNumber(opts.densCut, 'densCut', 0, 'DP clustering');
  const deltaCut = optFiniteNumber(opts.deltaCut, 'deltaCut', 0, 'DP clustering');
  const halo = optBoolean(opts.halo, 'halo', false, 'DP clustering');
  const ld = graph.logDen, delta = graph.delta;
  const a = dpAssign(nn, graph, dc, (j) => ld[j] > densCut && delta[j] > deltaCut, halo);
  return dpResult(graph, a, `DP (dens_cut ${densCut}, delta_cut ${deltaCut})`, halo, { densCut, deltaCut });
}

/**
 * DP with centres chosen by hand (on the decision graph): the same assignment by decreasing
 * density, each centre opening its own cluster. The densest point has no denser point to follow,
 * so it is always a centre: it is added when missing (`addedCenters` says so).
 */
export function dpClusteringFromCenters(nn: NeighborTable, graph: DecisionGraph, dc: ArrayLike<number> | null,
  centers: ArrayLike<number>, opts: { halo?: boolean } = {}): DpResult & { readonly addedCenters: Int32Array } {
  checkOptionKeys(opts, ['halo'], 'dpClusteringFromCenters');
  const N = graph.logDen.length;
  const chosen = new Uint8Array(N);
  for (let t = 0; t < centers.length; t++) {
    const c = centers[t];
    if (!Number.isInteger(c) || c < 0 || c >= N) {
      throw new InputError(`Centre ${c} is not a point index (0 to ${N - 1})`, 'Pass indices of points of this data set');
    }
    chosen[c] = 1;
  }
  const ld = graph.logDen;
  let top = 0;
  for (let i = 1; i < N; i++) if (ld[i] > ld[top]) top = i;
  const added: number[] = [];
  if (!chosen[top]) { chosen[top] = 1; added.push(top); }
  const a = dpAssign(nn, graph, dc, (j) => chosen[j] === 1, opts.halo ?? false);
  const r = dpResult(graph, a, `DP (${a.centers.length} centres chosen${added.length ? ', the densest point added' : ''})`, opts.halo ?? false, {});
  return Object.freeze({ ...r, addedCenters: Int32Array.from(added) });
}

interface DpAssignment { lab: Int32Array; out: Int32Array; centers: Int32Array; nClusters: number }

/** Visits the points by decreasing log density: a centre opens a cluster, any other point joins its denser neighbour's. */
function dpAssign(nn: NeighborTable, graph: DecisionGraph, dc: ArrayLike<number> | null, isCentre: (j: number) => boolean, halo: boolean): DpAssignment {
  const N = nn.n, w = nn.maxk + 1;
  const ld = graph.logDen, ref = graph.ref;
  const order = new Int32Array(N);
  for (let i = 0; i < N; i++) order[i] = i;
  order.sort((a, b) => (ld[b] - ld[a]) || (a - b));
  const lab = new Int32Array(N);
  const isCenter = new Uint8Array(N);
  let nc = -1;
  for (let t = 0; t < N; t++) {
    const j = order[t];
    if (isCentre(j)) { nc++; lab[j] = nc; isCenter[j] = 1; } else lab[j] = lab[ref[j]];
  }
  const centers: number[] = [];
  for (let i = 0; i < N; i++) if (isCenter[i]) centers.push(i);
  let out = lab;
  if (halo) {
    if (!dc || dc.length !== N) {
      throw new InputError('The DP halo needs dc (the k*-th neighbour distance of every point) from a density method', 'Compute a density first (computeDensityPAk())');
    }
    let mn = Infinity;
    for (let i = 0; i < N; i++) if (ld[i] < mn) mn = ld[i];
    const cutoff = new Float64Array(nc + 1).fill(mn - 1);
    const seen = new Uint8Array(nc + 1);
    for (let i = 0; i < N; i++) {
      let bord = false;
      for (let j = 0; j < w; j++) {
        if (nn.distances[i * w + j] <= dc[i] && lab[nn.indices[i * w + j]] !== lab[i]) { bord = true; break; }
      }
      if (bord) {
        const c = lab[i];
        if (!seen[c] || ld[i] > cutoff[c]) { cutoff[c] = ld[i]; seen[c] = 1; }
      }
    }
    out = Int32Array.from(lab);
    for (let i = 0; i < N; i++) if (ld[i] < cutoff[lab[i]]) out[i] = -1;
  }
  return { lab, out, centers: Int32Array.from(centers), nClusters: nc + 1 };
}

function dpResult(graph: DecisionGraph, a: DpAssignment, what: string, halo: boolean, cuts: { densCut?: number; deltaCut?: number }): DpResult {
  const { nClusters } = a;
  const C = a.centers;
  return Object.freeze({
    clusterAssignment: a.out, coreAssignment: a.lab, centers: C, nClusters,
    summary: () => `${what}: ${nClusters} cluster${nClusters === 1 ? '' : 's'}`
      + (halo ? `, ${Array.from(a.out).filter((v) => v === -1).length} halo points` : ''),
    plot: (o: { classes?: ArrayLike<number | string> } = {}) => {
      if (o.classes && o.classes.length !== a.out.length) {
        throw new InputError(`plot: classes has ${o.classes.length} entries for ${a.out.length} points`, 'Pass one class per point');
      }
      return new Chart(decisionGraphSpec(graph.logDen, graph.delta, { ...cuts, centers: C, clusters: a.out, classes: o.classes }));
    },
  });
}
