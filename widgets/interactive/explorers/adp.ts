/**
 * The ADP explorer: a Z slider that re-merges the density peaks, with the dendrogram, the cluster
 * count and the scatter of the points following, and a halo toggle.
 *
 *     const ex = await adpExplorer(data, { labels });   // data: a Data with coordinates
 *     ex                                                 // the widgets
 *     ex.result.nClusters                                // after the slider moved
 *
 * Everything up to the merging (peaks, preliminary clusters, saddle points) is computed once
 * (adpTopology); a new Z re-runs the merging only (adpMerge), which is what makes the slider
 * answer in milliseconds on tens of thousands of points (bench/widgets.mjs measures it).
 * Without a kernel the explorer shows a static chart with a Z slider over precomputed merges.
 */
import { InputError } from '../../../lib/errors';
import type { MatrixLike } from '../../../lib/matrix';
import type { NeighborTable } from '../../../lib/neighbors/table';
import { adpTopology, type AdpResult, type AdpTopology } from '../../../lib/clustering/adp';
import { dendrogramLayout } from '../../clustering/topography';
import { adpExplorerData, adpExplorerSpec, type AdpExplorerInput, type AdpExplorerPoint, type AdpOutcome } from '../../clustering/adpExplorer';
import { Chart } from '../../chart';
import { FloatSlider, HBox, Label, ToggleButton, VBox } from '../controls';
import { VegaChart } from '../chart';
import { Explorer, planeOf, sampleIndices } from './common';

/** What the explorer needs: a neighbour table and a density with errors and k* (a `Data` after computeDensityPAk has them). */
export interface AdpSource {
  table: NeighborTable;
  logDen: ArrayLike<number>;
  logDenErr: ArrayLike<number>;
  kstar: ArrayLike<number>;
  /** 2-D positions of the points for the scatter (default: the data's first two coordinates). */
  coordinates?: MatrixLike;
}

interface DataLike {
  nn: NeighborTable | null;
  X: { rows: number; cols: number; data: ArrayLike<number> } | null;
  logDen: Float64Array | null;
  logDenErr: Float64Array | null;
  kstar: Int32Array | null;
  computeDistances(opts?: object): Promise<unknown>;
  computeDensityPAk(opts?: object): Promise<unknown>;
}

function isDataLike(x: unknown): x is DataLike {
  return !!x && typeof x === 'object' && typeof (x as DataLike).computeDensityPAk === 'function' && 'nn' in (x as object);
}

export interface AdpExplorerOptions {
  /** Starting Z (default 1.65, DADApy's). */
  Z?: number;
  /** Start with the halo shown (default false). */
  halo?: boolean;
  /** 2-D positions for the scatter (an embedding); default the data's first two coordinates. */
  coordinates?: MatrixLike;
  /** Class of every point, shown in the tooltips. */
  labels?: ArrayLike<number | string>;
  /** The slider's range (default [0, 5]) and step (default 0.05); the static chart precomputes every step. */
  zRange?: [number, number];
  zStep?: number;
  /** Points drawn by the widget's scatter (default 5000; a spread-out sample beyond). */
  maxPoints?: number;
  /** Points drawn by the static chart (default 2000). */
  staticPoints?: number;
}

export class AdpExplorer extends Explorer {
  readonly topology: AdpTopology;
  readonly root: VBox;
  readonly slider: FloatSlider;
  readonly haloToggle: ToggleButton;
  readonly status: Label;
  readonly chart: VegaChart;
  /** Milliseconds the kernel took to answer the last Z or halo change (merge + chart data). */
  lastUpdateMs = 0;
  private current: AdpResult;
  private readonly points: AdpExplorerPoint[];
  private readonly staticSample: AdpExplorerPoint[];
  private readonly opts: Required<Pick<AdpExplorerOptions, 'zRange' | 'zStep'>>;

  constructor(topology: AdpTopology, plane: { x: (i: number) => number; y: (i: number) => number }, opts: AdpExplorerOptions = {}) {
    super();
    const Z = opts.Z ?? 1.65;
    const zRange = opts.zRange ?? [0, 5];
    const zStep = opts.zStep ?? 0.05;
    if (!(zRange[0] < zRange[1]) || !(zStep > 0) || (zRange[1] - zRange[0]) / zStep > 2000) {
      throw new InputError(`ADP explorer: the Z range [${zRange}] with step ${zStep} is not a usable grid`, 'Pass zRange [lo, hi] with lo < hi and a step giving at most 2000 values');
    }
    this.opts = { zRange, zStep };
    this.topology = topology;
    const n = topology.n;
    const point = (i: number): AdpExplorerPoint => {
      const p: AdpExplorerPoint = { i, x: plane.x(i), y: plane.y(i), p: topology.label[i], logDen: topology.logDen[i] };
      if (opts.labels) p.label = opts.labels[i];
      return p;
    };
    const peaks = Array.from(topology.centers);
    this.points = Array.from(sampleIndices(n, opts.maxPoints ?? 5000, peaks), point);
    this.staticSample = Array.from(sampleIndices(n, opts.staticPoints ?? 2000, peaks), point);
    this.current = topology.merge({ Z, halo: opts.halo ?? false });
    const outcome = this.outcome(this.current);
    const live: AdpExplorerInput = { points: this.points, outcomes: [outcome], Z, halo: this.current.halo, nTotal: n };
    this.chart = new VegaChart(adpExplorerSpec(live), { datasets: adpExplorerData(live), report: ['halo'] });
    this.slider = new FloatSlider({ value: Z, min: zRange[0], max: zRange[1], step: zStep, description: 'Z', readoutFormat: '.2f', layout: { width: '360px' } });
    this.haloToggle = new ToggleButton({ value: this.current.halo, description: 'halo', tooltip: 'Show the halo points (less dense than their cluster\'s highest saddle) in grey' });
    this.status = new Label(this.statusText(), { layout: { width: '320px' } });
    this.root = new VBox([new HBox([this.slider, this.haloToggle, this.status]), this.chart]);
    this.slider.observe('value', ({ new: z }) => this.update(Number(z), this.haloToggle.value));
    this.haloToggle.observe('value', ({ new: h }) => this.update(this.slider.value, Boolean(h)));
    this.installFallback();
  }

  /** The clustering at the current Z (a full ADP result). */
  get result(): AdpResult {
    return this.current;
  }

  get Z(): number {
    return this.current.Z;
  }

  get nClusters(): number {
    return this.current.nClusters;
  }

  /** Moves the slider (and the views) to Z; resolves when the clustering is recomputed. */
  async setZ(Z: number): Promise<AdpResult> {
    if (!Number.isFinite(Z)) throw new InputError(`Z must be a finite number, got ${Z}`, 'Pass a number such as 1.65');
    if (this.slider.value === Z) await this.update(Z, this.haloToggle.value);
    else await this.slider.set({ value: Z });
    return this.current;
  }

  async setHalo(halo: boolean): Promise<AdpResult> {
    await this.haloToggle.set({ value: halo });
    return this.current;
  }

  summary(): string {
    return `ADP explorer: ${this.current.summary()}`;
  }

  /** The static chart: every Z of the grid precomputed (identical outcomes shared). */
  staticChart(): Chart {
    const { zRange, zStep } = this.opts;
    const steps = Math.round((zRange[1] - zRange[0]) / zStep);
    const outcomes: AdpOutcome[] = [];
    const seen = new Map<string, number>();
    const grid: number[] = [];
    for (let s = 0; s <= steps; s++) {
      const Z = Number((zRange[0] + s * zStep).toFixed(10));
      const oc = this.outcome(this.topology.merge({ Z }));
      const key = JSON.stringify([oc.assign, oc.haloBelow.map((h) => h.toPrecision(8))]);
      let id = seen.get(key);
      if (id === undefined) { id = outcomes.length; outcomes.push(oc); seen.set(key, id); }
      grid.push(id);
    }
    const input: AdpExplorerInput = {
      points: this.staticSample, outcomes, grid: { zmin: zRange[0], zstep: zStep, outcome: grid },
      Z: this.current.Z, halo: this.current.halo, nTotal: this.topology.n,
      title: `ADP explorer (${outcomes.length} distinct clusterings for Z in [${zRange[0]}, ${zRange[1]}])`,
    };
    return new Chart(adpExplorerSpec(input, { inlineData: true }), this.summary());
  }

  private statusText(): string {
    const r = this.current;
    return `${r.nClusters} cluster${r.nClusters === 1 ? '' : 's'}, ${(100 * r.coreFraction).toFixed(1)}% core points`;
  }

  private outcome(r: AdpResult): AdpOutcome {
    const t = this.topology;
    const assign = Array.from(t.centers, (c) => r.coreAssignment[c]);
    const haloBelow = r.logDenBord.map((row) => Math.max(...row));
    const L = dendrogramLayout({ logDenBord: r.logDenBord, centerLogDen: r.centerLogDen, populations: r.clusterIndices.map((m) => m.length), fMax: t.fMax });
    const segments: AdpOutcome['segments'] = [];
    for (const m of L.merges) {
      for (const ch of [m.left, m.right]) segments.push({ x: L.x[ch], x2: L.x[ch], y: L.y[ch], y2: m.height });
      segments.push({ x: L.x[m.left], x2: L.x[m.right], y: m.height, y2: m.height });
    }
    const leaves = L.order.map((leaf) => ({ x: L.x[leaf], y: L.y[leaf], cluster: leaf, population: r.clusterIndices[leaf].length }));
    return { assign, haloBelow, nClusters: r.nClusters, coreFraction: r.coreFraction, segments, leaves };
  }

  private async update(Z: number, halo: boolean): Promise<void> {
    const t0 = performance.now();
    this.current = this.topology.merge({ Z, halo });
    const data = adpExplorerData({ points: [], outcomes: [this.outcome(this.current)], Z, halo });
    await this.chart.setData({ assign: data.assign, seg: data.seg, leaf: data.leaf, count: data.count });
    await this.chart.setParam('halo', halo);
    await this.status.set({ value: this.statusText() });
    this.lastUpdateMs = performance.now() - t0;
  }
}

/**
 * The ADP explorer of a `Data` (its neighbours and PAk density are computed if missing) or of an
 * AdpSource. See AdpExplorer.
 */
export async function adpExplorer(source: DataLike | AdpSource, opts: AdpExplorerOptions = {}): Promise<AdpExplorer> {
  let src: AdpSource;
  if (isDataLike(source)) {
    if (!source.nn) await source.computeDistances();
    if (!source.logDen || !source.logDenErr || !source.kstar) await source.computeDensityPAk();
    const coordinates = opts.coordinates ?? (source.X as unknown as MatrixLike | null);
    if (!coordinates) {
      throw new InputError('The ADP explorer draws the points, but this Data has no coordinates', 'Pass coordinates (a 2-D embedding, one row per point) in the options');
    }
    src = { table: source.nn as NeighborTable, logDen: source.logDen as Float64Array, logDenErr: source.logDenErr as Float64Array, kstar: source.kstar as Int32Array, coordinates };
  } else {
    src = source;
  }
  const coordinates = opts.coordinates ?? src.coordinates;
  if (!coordinates) throw new InputError('The ADP explorer needs 2-D coordinates for its scatter', 'Pass coordinates in the source or the options');
  const topology = adpTopology(src.table, src.logDen, src.logDenErr, src.kstar, { Z: opts.Z ?? 1.65 });
  return new AdpExplorer(topology, planeOf(coordinates, topology.n, 'adpExplorer'), opts);
}
