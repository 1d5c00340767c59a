/**
 * The layer explorer, on a layer profile (layerProfile in lib/layers): the intrinsic dimension
 * across the layers; click a layer (or choose it in the drop-down) to see its Gride scale curve,
 * its ADP clusters (split by class when there are labels) and its row of the layer x layer
 * neighbourhood overlap.
 *
 *     const profile = await layerProfile('activations.arrow');
 *     const ex = layerExplorer(profile);
 *     ex                      // click a layer
 *     ex.selected.name        // the layer chosen, its LayerResult
 */
import { InputError } from '../../../lib/errors';
import type { LayerProfileResult, LayerResult } from '../../../lib/layers/result';
import { layerExplorerData, layerExplorerSpec, type LayerExplorerInput } from '../../layers/explorer';
import { Chart } from '../../chart';
import { Dropdown, HBox, Label, VBox } from '../controls';
import { VegaChart } from '../chart';
import { Explorer } from './common';

/** The small interface the explorer reads (a LayerProfileResult has it). */
export type LayerProfileLike = Pick<LayerProfileResult, 'names' | 'layers' | 'labels' | 'settings'> & {
  overlapMatrix?: LayerProfileResult['overlapMatrix'];
};

export interface LayerExplorerOptions {
  /** The layer shown first (index or name; default the last). */
  layer?: number | string;
}

export class LayerExplorer extends Explorer {
  readonly root: VBox;
  readonly chart: VegaChart;
  readonly picker: Dropdown<number>;
  readonly status: Label;
  private readonly input: LayerExplorerInput;
  private index: number;

  constructor(readonly profile: LayerProfileLike, opts: LayerExplorerOptions = {}) {
    super();
    const names = profile.names;
    if (!names.length) throw new InputError('The layer explorer got a profile without layers', 'Profile at least one layer (layerProfile)');
    this.index = resolveLayer(names, opts.layer ?? names.length - 1);
    this.input = explorerInput(profile, this.index);
    this.chart = new VegaChart(layerExplorerSpec(this.input, { live: true }), { datasets: layerExplorerData(this.input, [this.index]), report: ['pick'] });
    this.picker = new Dropdown<number>({ options: names.map((n, l) => [n, l] as const), value: this.index, description: 'layer' });
    this.status = new Label(this.describe(), { layout: { width: '560px' } });
    this.root = new VBox([new HBox([this.picker, this.status]), this.chart]);
    this.chart.observeParam('pick', ({ new: v }) => {
      const l = pickedLayer(v);
      if (l !== null && l !== this.index) return this.select(l);
      return undefined;
    });
    this.picker.observe('index', ({ new: l }) => (typeof l === 'number' && l !== this.index ? this.select(l) : undefined));
    this.installFallback();
  }

  /** The chosen layer's index. */
  get layer(): number {
    return this.index;
  }

  /** The chosen layer's results. */
  get selected(): LayerResult {
    return this.profile.layers[this.index];
  }

  /** Chooses a layer (index or name) from TypeScript; the views follow. */
  async select(layer: number | string): Promise<LayerResult> {
    this.index = resolveLayer(this.profile.names, layer);
    const d = layerExplorerData(this.input, [this.index]);
    await this.chart.setData({ curve: d.curve, comp: d.comp, overlap: d.overlap });
    if (this.picker.index !== this.index) await this.picker.set({ index: this.index });
    await this.status.set({ value: this.describe() });
    return this.selected;
  }

  summary(): string {
    return `Layer explorer (${this.profile.names.length} layers): ${this.describe()}`;
  }

  staticChart(): Chart {
    return new Chart(layerExplorerSpec({ ...this.input, selected: this.index }, { inlineData: true }), this.summary());
  }

  private describe(): string {
    const l = this.selected;
    const parts = [`${l.name}: ID ${Number.isFinite(l.idAtScale) ? `${l.idAtScale.toFixed(2)} ± ${l.idAtScaleErr.toFixed(2)}` : '—'}`];
    if (l.clusters) parts.push(`${l.clusters.nClusters} clusters${Number.isFinite(l.clusters.ari) ? ` (ARI ${l.clusters.ari.toFixed(2)})` : ''}`);
    if (Number.isFinite(l.labelOverlap)) parts.push(`label overlap ${l.labelOverlap.toFixed(2)}`);
    return parts.join(', ');
  }
}

function resolveLayer(names: readonly string[], layer: number | string): number {
  const i = typeof layer === 'string' ? names.indexOf(layer) : layer;
  if (!Number.isInteger(i) || i < 0 || i >= names.length) {
    throw new InputError(`There is no layer ${JSON.stringify(layer)} (the profile has ${names.length}: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''})`, 'Pass a layer index or name');
  }
  return i;
}

/** The layer of a point selection's value ({ layer: [3] }, [{ layer: 3 }], 3). */
function pickedLayer(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) return v.length ? pickedLayer(v[0]) : null;
  if (v && typeof v === 'object') {
    const x = (v as Record<string, unknown>).layer ?? (v as Record<string, unknown>).values;
    return x === undefined ? null : pickedLayer(x);
  }
  return null;
}

function explorerInput(p: LayerProfileLike, selected: number): LayerExplorerInput {
  const labels = p.labels;
  const clusters = p.layers.map((l) => {
    if (!l.clusters) return null;
    const { assignment, kept } = l.clusters;
    const counts = new Map<string, number>();
    for (let r = 0; r < assignment.length; r++) {
      const cls = labels ? String(labels[kept ? kept[r] : r]) : '';
      const key = `${assignment[r]}\u0000${cls}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].map(([key, count]) => {
      const [cluster, cls] = key.split('\u0000');
      return { cluster: Number(cluster), cls, count };
    });
  });
  let overlap: LayerExplorerInput['overlap'] = null;
  if (p.overlapMatrix && p.layers.length > 1) {
    const m = p.overlapMatrix();
    overlap = { values: m.values, k: m.k };
  }
  return {
    names: p.names,
    id: p.layers.map((l) => ({ value: l.idAtScale, err: l.idAtScaleErr })),
    idTitle: `Intrinsic dimension (Gride at n2 = ${p.settings.scale}): click a layer`,
    curves: p.layers.map((l) => (l.gride ? { ranks: l.gride.ranks, ids: l.gride.ids, idsErr: l.gride.idsErr } : null)),
    clusters, overlap, selected,
  };
}

/** The layer explorer of a layer profile. */
export function layerExplorer(profile: LayerProfileLike, opts: LayerExplorerOptions = {}): LayerExplorer {
  return new LayerExplorer(profile, opts);
}
