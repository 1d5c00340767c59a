/**
 * The decision-graph explorer: density-peak clustering (Rodriguez & Laio 2014) the way it was
 * meant to be used, by looking at the decision graph and choosing the centres by hand. Drag a box
 * on the graph: the points inside become the centres (or, in cut mode, the box's lower-left corner
 * sets dens_cut and delta_cut); the kernel recomputes the clustering and the scatter recolours.
 *
 *     const ex = await decisionGraphExplorer(data);
 *     ex                 // drag on the graph
 *     ex.centers         // the chosen centres (point indices)
 *     ex.result          // the DP clustering (clusterAssignment, nClusters, ...)
 */
import { InputError } from '../../../lib/errors';
import type { MatrixLike } from '../../../lib/matrix';
import type { NeighborTable } from '../../../lib/neighbors/table';
import { dpClustering, dpClusteringFromCenters, type DecisionGraph, type DpResult } from '../../../lib/clustering/dp';
import { dpExplorerData, dpExplorerSpec, type DpExplorerInput } from '../../clustering/dpExplorer';
import { Chart } from '../../chart';
import { Dropdown, HBox, Label, ToggleButton, VBox } from '../controls';
import { VegaChart } from '../chart';
import { Explorer, planeOf, sampleIndices } from './common';

interface DataLike {
  nn: NeighborTable | null;
  X: unknown;
  logDen: Float64Array | null;
  dc: Float64Array | null;
  decGraph: DecisionGraph | null;
  computeDistances(opts?: object): Promise<unknown>;
  computeDensityPAk(opts?: object): Promise<unknown>;
  computeDecGraph(): Promise<DecisionGraph>;
}

function isDataLike(x: unknown): x is DataLike {
  return !!x && typeof x === 'object' && typeof (x as DataLike).computeDecGraph === 'function';
}

export interface DpSource {
  table: NeighborTable;
  graph: DecisionGraph;
  /** The k*-th neighbour distance of every point (for the halo); null: no halo. */
  dc?: ArrayLike<number> | null;
  coordinates?: MatrixLike;
}

export interface DecisionGraphExplorerOptions {
  /** Centres to start from (default: DP's own with cuts at the median density and the 99th percentile of delta). */
  centers?: ArrayLike<number>;
  halo?: boolean;
  coordinates?: MatrixLike;
  labels?: ArrayLike<number | string>;
  /** Points on the decision graph and the scatter (default 5000: the 500 of largest density x delta, then a spread-out sample). */
  maxPoints?: number;
  staticPoints?: number;
}

type Box = { rho?: [number, number]; delta?: [number, number] };

export class DecisionGraphExplorer extends Explorer {
  readonly root: VBox;
  readonly chart: VegaChart;
  readonly mode: Dropdown<'box' | 'cuts'>;
  readonly haloToggle: ToggleButton;
  readonly status: Label;
  lastUpdateMs = 0;
  private current: DpResult;
  private cuts: { densCut: number; deltaCut: number } | null = null;
  private readonly graphRows: number[];
  private readonly scatterRows: Int32Array;
  private readonly staticRows: Int32Array;
  private readonly plane: { x: (i: number) => number; y: (i: number) => number };

  constructor(readonly table: NeighborTable, readonly graph: DecisionGraph, readonly dc: ArrayLike<number> | null,
    plane: { x: (i: number) => number; y: (i: number) => number }, private readonly opts: DecisionGraphExplorerOptions = {}) {
    super();
    this.plane = plane;
    const n = graph.logDen.length;
    const max = opts.maxPoints ?? 5000;
    // the likely centres (largest rho x delta after scaling both to [0, 1]) are always on the graph
    const likely = topGamma(graph, Math.min(500, Math.floor(max / 10)));
    this.graphRows = Array.from(sampleIndices(n, max, likely));
    this.scatterRows = sampleIndices(n, max, likely);
    this.staticRows = sampleIndices(n, opts.staticPoints ?? 2000, likely.slice(0, 100));
    this.current = opts.centers ? this.fromCenters(Array.from(opts.centers)) : this.defaultClustering();
    const input = this.input(this.scatterRows, this.graphRows);
    this.chart = new VegaChart(dpExplorerSpec(input), { datasets: dpExplorerData(input), report: ['centres'], debounce: 150 });
    this.mode = new Dropdown<'box' | 'cuts'>({ options: [['the box holds the centres', 'box'], ["the box's corner sets the cuts", 'cuts']], value: 'box', description: 'drag:' });
    this.haloToggle = new ToggleButton({ value: opts.halo ?? false, description: 'halo', disabled: !dc, tooltip: dc ? 'Show the halo (points below their cluster\'s border density) in grey' : 'The halo needs a density with dc (computeDensityPAk)' });
    this.status = new Label(this.current.summary(), { layout: { width: '560px' } });
    this.root = new VBox([new HBox([this.mode, this.haloToggle, this.status]), this.chart]);
    this.chart.observeParam('centres', ({ new: box }) => this.onBox(box as Box));
    this.mode.observe('index', () => this.onBox(this.chart.param<Box>('centres')));
    this.haloToggle.observe('value', () => this.recompute(this.current.centers));
    this.installFallback();
  }

  /** The chosen centres (point indices, ascending). */
  get centers(): Int32Array {
    return this.current.centers;
  }

  /** The DP clustering of the chosen centres. */
  get result(): DpResult {
    return this.current;
  }

  /** Chooses the centres from TypeScript (the views follow). */
  async setCenters(centers: ArrayLike<number>): Promise<DpResult> {
    this.cuts = null;
    await this.recompute(Array.from(centers));
    return this.current;
  }

  /** Sets the density and delta cuts (DADApy's compute_clustering_DP(dens_cut, delta_cut)). */
  async setCuts(densCut: number, deltaCut: number): Promise<DpResult> {
    if (!Number.isFinite(densCut) || !Number.isFinite(deltaCut)) throw new InputError(`The cuts must be finite numbers (got ${densCut}, ${deltaCut})`, 'Pass two numbers');
    this.cuts = { densCut, deltaCut };
    this.current = dpClustering(this.table, this.graph, this.dc, { densCut, deltaCut, halo: this.haloToggle.value });
    await this.push();
    return this.current;
  }

  summary(): string {
    return `Decision graph explorer: ${this.current.summary()}`;
  }

  staticChart(): Chart {
    const rows = this.staticRows;
    return new Chart(dpExplorerSpec(this.input(rows, Array.from(rows)), { inlineData: true }), this.summary());
  }

  private defaultClustering(): DpResult {
    const ld = Array.from(this.graph.logDen).sort((a, b) => a - b);
    const dl = Array.from(this.graph.delta).sort((a, b) => a - b);
    const densCut = ld[Math.floor(ld.length / 2)];
    const deltaCut = dl[Math.min(dl.length - 1, Math.floor(dl.length * 0.99))];
    this.cuts = { densCut, deltaCut };
    return dpClustering(this.table, this.graph, this.dc, { densCut, deltaCut, halo: this.opts.halo ?? false });
  }

  private fromCenters(centers: number[]): DpResult {
    return dpClusteringFromCenters(this.table, this.graph, this.dc, centers, { halo: this.haloToggle?.value ?? this.opts.halo ?? false });
  }

  private async onBox(box: Box | null): Promise<void> {
    if (!box || !box.rho || !box.delta) return;
    const [r0, r1] = [Math.min(...box.rho), Math.max(...box.rho)];
    const [d0, d1] = [Math.min(...box.delta), Math.max(...box.delta)];
    if (this.mode.value === 'cuts') {
      await this.setCuts(r0, d0);
      return;
    }
    const inside: number[] = [];
    const { logDen, delta } = this.graph;
    for (let i = 0; i < logDen.length; i++) if (logDen[i] >= r0 && logDen[i] <= r1 && delta[i] >= d0 && delta[i] <= d1) inside.push(i);
    this.cuts = null;
    await this.recompute(inside);
  }

  private async recompute(centers: ArrayLike<number>): Promise<void> {
    const t0 = performance.now();
    this.current = this.cuts
      ? dpClustering(this.table, this.graph, this.dc, { ...this.cuts, halo: this.haloToggle.value })
      : this.fromCenters(Array.from(centers));
    await this.push();
    this.lastUpdateMs = performance.now() - t0;
  }

  private async push(): Promise<void> {
    const d = dpExplorerData(this.input(this.scatterRows, []));
    await this.chart.setData({ chosen: d.chosen, labels: d.labels, cuts: d.cuts });
    const added = (this.current as { addedCenters?: Int32Array }).addedCenters;
    await this.status.set({ value: `${this.current.summary()}${added && added.length ? ` (point ${added[0]}, the densest, is always a centre)` : ''}` });
  }

  private input(rows: ArrayLike<number>, graphRows: number[]): DpExplorerInput {
    const { logDen, delta } = this.graph;
    const lab = this.current.clusterAssignment;
    const labels = this.opts.labels;
    return {
      graph: graphRows.map((i) => ({ i, rho: logDen[i], delta: delta[i] })),
      points: Array.from(rows, (i, j) => ({ j, i, x: this.plane.x(i), y: this.plane.y(i), logDen: logDen[i], ...(labels ? { label: labels[i] } : {}) })),
      centers: Array.from(this.current.centers),
      labels: Array.from(rows, (i) => lab[i]),
      cuts: this.cuts,
      nTotal: logDen.length,
    };
  }
}

/** The m points of largest gamma = rho' x delta' (both scaled to [0, 1]): the likely centres. */
function topGamma(g: DecisionGraph, m: number): number[] {
  const n = g.logDen.length;
  let lo = Infinity, hi = -Infinity, dmax = 0;
  for (let i = 0; i < n; i++) { lo = Math.min(lo, g.logDen[i]); hi = Math.max(hi, g.logDen[i]); dmax = Math.max(dmax, g.delta[i]); }
  const gamma = (i: number) => ((g.logDen[i] - lo) / (hi - lo || 1)) * (g.delta[i] / (dmax || 1));
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => gamma(b) - gamma(a) || a - b);
  return idx.slice(0, m);
}

/** The decision-graph explorer of a `Data` (neighbours, PAk density and the graph computed if missing) or of a DpSource. */
export async function decisionGraphExplorer(source: DataLike | DpSource, opts: DecisionGraphExplorerOptions = {}): Promise<DecisionGraphExplorer> {
  let src: DpSource;
  if (isDataLike(source)) {
    if (!source.nn) await source.computeDistances();
    if (!source.logDen) await source.computeDensityPAk();
    const graph = source.decGraph ?? await source.computeDecGraph();
    const coordinates = opts.coordinates ?? (source.X as MatrixLike | null);
    if (!coordinates) {
      throw new InputError('The decision-graph explorer draws the points, but this Data has no coordinates', 'Pass coordinates (a 2-D embedding, one row per point) in the options');
    }
    src = { table: source.nn as NeighborTable, graph, dc: source.dc, coordinates };
  } else {
    src = source;
  }
  const coordinates = opts.coordinates ?? src.coordinates;
  if (!coordinates) throw new InputError('The decision-graph explorer needs 2-D coordinates for its scatter', 'Pass coordinates in the source or the options');
  return new DecisionGraphExplorer(src.table, src.graph, src.dc ?? null, planeOf(coordinates, src.graph.logDen.length, 'decisionGraphExplorer'), opts);
}
