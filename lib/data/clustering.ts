import { StateError } from '../errors';
import {
  adpClustering, decisionGraph, dpClustering,
  type AdpOptions, type AdpResult, type DecisionGraph, type DpOptions, type DpResult,
} from '../clustering';
import { DensityEstimation } from './density';
import type { KstarOptions } from '../density';
import { checkOptionKeys, optionKeys } from '../options';
import { DP_KEYS } from '../clustering/dp';
import { kstarOptionsOf } from './density';

const ADP_KEYS = optionKeys<AdpOptions>({ Z: 1, halo: 1, v2: 1, fallback: 1, borderScan: 1 });
const KPEAKS_KEYS = optionKeys<AdpOptions & KstarOptions>({ Z: 1, halo: 1, v2: 1, fallback: 1, borderScan: 1, alpha: 1, bonferroniDeloc: 1, bonferroniLoc: 1 });

/**
 * The Clustering layer of the Data facade (DADApy's Clustering): the decision graph, DP and ADP
 * (density peaks), k-peaks clustering. Attributes as DADApy's in camelCase: clusterAssignment,
 * nClusters, clusterCenters, clusterIndices, logDenBord, logDenBordErr, bordIndices, delta, ref,
 * centers (DP).
 */
export class Clustering extends DensityEstimation {
  clusterAssignment: Int32Array | null = null;
  nClusters: number | null = null;
  clusterCenters: Int32Array | null = null;
  clusterIndices: Int32Array[] | null = null;
  logDenBord: number[][] | null = null;
  logDenBordErr: number[][] | null = null;
  bordIndices: number[][] | null = null;
  delta: Float64Array | null = null;
  ref: Int32Array | null = null;
  /** DP's centres (DADApy stores them as `centers`, not `cluster_centers`). */
  centers: Int32Array | null = null;
  decGraph: DecisionGraph | null = null;
  clustering: AdpResult | DpResult | null = null;

  /**
   * DADApy's compute_clustering_ADP(Z = 1.65, halo = false, v2 = false): computes the PAk density
   * first if there is none. Every point gets a valid cluster (DADApy can leave some unassigned,
   * see AdpOptions.fallback); the result carries both the core and the halo assignment.
   */
  async computeClusteringADP(opts: AdpOptions = {}): Promise<AdpResult> {
    checkOptionKeys(opts, ADP_KEYS, 'computeClusteringADP');
    if (!this.logDen || !this.logDenErr) await this.computeDensityPAk();
    const nn = await this.ensureDistances();
    if (opts.v2) this.warn('v2: the memory-lean ADP (saddle lists instead of Nc x Nc matrices) can be two times slower', 'performance');
    const r = adpClustering(nn, this.logDen as Float64Array, this.logDenErr as Float64Array, this.kstar as Int32Array, opts);
    this.storeAdp(r);
    return r;
  }

  /**
   * DADApy's compute_clustering_ADP_pure_python: the same algorithm with its pure-Python quirks
   * (border scan one neighbour shorter, its own removed-centre fallback); ties aside, v2 is the same.
   */
  async computeClusteringADPPurePython(opts: AdpOptions = {}): Promise<AdpResult> {
    checkOptionKeys(opts, ADP_KEYS, 'computeClusteringADPPurePython');
    return this.computeClusteringADP({ borderScan: 'python', fallback: 'python', ...opts });
  }

  /**
   * k-peaks clustering: ADP on the k-peaks score (k* as the density, its spread over the
   * neighbourhood as the error), as in DADApy's k-peaks workflow.
   */
  async computeClusteringKpeaks(opts: AdpOptions & KstarOptions = {}): Promise<AdpResult> {
    checkOptionKeys(opts, KPEAKS_KEYS, 'computeClusteringKpeaks');
    await this.computeDensityKpeaks(kstarOptionsOf(opts));
    return this.computeClusteringADP({ Z: opts.Z, halo: opts.halo, v2: opts.v2, fallback: opts.fallback, borderScan: opts.borderScan });
  }

  protected override heldEstimates(): string[] {
    return [...super.heldEstimates(), ...(this.clusterAssignment ? ['clusterAssignment'] : [])];
  }

  private storeAdp(r: AdpResult): void {
    this.clusterAssignment = r.clusterAssignment;
    this.nClusters = r.nClusters;
    this.clusterCenters = r.clusterCenters;
    this.clusterIndices = r.clusterIndices;
    this.logDenBord = r.logDenBord;
    this.logDenBordErr = r.logDenBordErr;
    this.bordIndices = r.bordIndices;
    this.clustering = r;
  }

  /** DADApy's compute_DecGraph: delta and ref from the current log density. */
  async computeDecGraph(): Promise<DecisionGraph> {
    if (!this.logDen) {
      throw new StateError('The decision graph needs a density, but none has been computed', 'Compute one first, e.g. await d.computeDensityPAk()');
    }
    const nn = await this.ensureDistances();
    const g = decisionGraph(nn, this.logDen, this.X);
    if (g.fullScans > 0 && this.verbose) console.log(`Number of points for which self.delta needed call to cdist= ${g.fullScans}`);
    this.delta = g.delta;
    this.ref = g.ref;
    this.decGraph = g;
    return g;
  }

  /** DADApy's compute_clustering_DP(dens_cut = 0, delta_cut = 0, halo = false). */
  async computeClusteringDP(opts: DpOptions = {}): Promise<DpResult> {
    checkOptionKeys(opts, DP_KEYS, 'computeClusteringDP');
    if (!this.decGraph || !this.delta) {
      throw new StateError('DP clustering needs the decision graph', 'Call await d.computeDecGraph() first');
    }
    const nn = await this.ensureDistances();
    const r = dpClustering(nn, this.decGraph, this.dc, opts);
    this.clusterAssignment = r.clusterAssignment;
    this.centers = r.centers;
    this.nClusters = r.nClusters;
    this.clustering = r;
    return r;
  }
}
