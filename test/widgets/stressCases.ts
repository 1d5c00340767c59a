/**
 * Every chart kind in the cases that break readability: many layers (80), many points (20,000),
 * long names (40 characters), a single subset, radii that span a few hundredths. Synthetic inputs,
 * deterministic (a fixed generator), built with the same builders the results call, so that the
 * readability tests (test/widgets/readability.test.ts) and a person looking at the PNGs
 * (DADALAB_CHART_DIR=... npx vitest run test/widgets/readability) see the same charts.
 */
import { Chart, type AnySpec } from '../../widgets/chart';
import {
  curveChart, decimationChart, histogramChart, idCurveChart, idProfileChart, scaleCurveChart, scaleCurvesChart, twoNNFitChart,
} from '../../widgets/id/charts';
import {
  causalGraphChart, diiTrainingChart, greedyCurveChart, imbalancePlaneChart, overlapHistogramChart, overlapProfileChart,
} from '../../widgets/compare/charts';
import { layerCurvesChart, layerMatrixChart, layerOverviewChart, layerQuantityChart } from '../../widgets/layers/charts';
import { layerExplorerSpec } from '../../widgets/layers/explorer';
import { dendrogramSpec, topographyMatrixSpec } from '../../widgets/clustering/topography';
import { decisionGraphSpec } from '../../widgets/clustering/decisionGraph';
import { clusterScatterSpec } from '../../widgets/clustering/scatter';
import { densityHistogramSpec } from '../../widgets/density/histogram';
import { densityVsTrueSpec } from '../../widgets/density/vsTrue';
import { SeededRng } from '../../lib/stats/rng';

export const LAYERS = 80;
export const POINTS = 20_000;

/** 40-character layer names as a transformer names them: a shared prefix and suffix, the index between. */
export function hfNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `model.encoder.layers.${i}.attention.output`.padEnd(40, '_').slice(0, 40));
}

/** 40-character names that differ at their start (nothing in common to drop). */
export function distinctNames(n: number): string[] {
  const words = ['embedding', 'attention', 'feedforward', 'residual', 'layernorm', 'projection', 'pooling', 'classifier'];
  return Array.from({ length: n }, (_, i) => `${words[i % words.length]}${i}_${'representation_of_the_block'}`.padEnd(40, 'x').slice(0, 40));
}

export interface StressCase {
  name: string;
  chart: Chart;
}

const spec = (s: AnySpec, title?: string) => new Chart(s, title);

/** The stress cases, by chart kind. */
export function stressCases(): StressCase[] {
  const rng = new SeededRng(7);
  // Box-Muller on the project's generator
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.random())) * Math.cos(2 * Math.PI * rng.random());
  const cases: StressCase[] = [];
  const add = (name: string, chart: Chart) => cases.push({ name, chart });

  // intrinsic dimension
  const ranks = Array.from({ length: 13 }, (_, i) => 2 ** (i + 1));
  const radii = ranks.map((k) => 0.031 * (k / 2) ** 0.45);
  add('gride-scale-curve', scaleCurveChart({ ids: ranks.map((_, i) => 2 + 0.05 * i), idsErr: ranks.map((k) => 1 / Math.sqrt(k)), radii, ranks }));
  add('gride-scale-curve-by-rank', scaleCurveChart({ ids: ranks.map((_, i) => 2 + 0.05 * i), idsErr: ranks.map((k) => 1 / Math.sqrt(k)), radii, ranks, x: 'rank' }));
  add('gride-narrow-radii', scaleCurveChart({ ids: [2.1, 2.05, 2.0, 1.98], idsErr: [0.3, 0.2, 0.1, 0.05], radii: [0.041, 0.046, 0.052, 0.058], ranks: [2, 4, 8, 16] }));
  add('gride-one-scale', scaleCurveChart({ ids: [2.1], idsErr: [0.2], radii: [0.12], ranks: [2] }));
  const mus = Array.from({ length: POINTS }, () => 1 + Math.abs(gauss()) ** 2 * 0.7);
  add('twonn-fit-20000', twoNNFitChart({ mus, id: 2.02, muFraction: 0.9 }));
  const sizes = Array.from({ length: 15 }, (_, i) => Math.floor(POINTS / 2 ** i));
  add('twonn-decimation', decimationChart({ ids: sizes.map(() => 2 + gauss() * 0.05), idsErr: sizes.map((s) => 2 / Math.sqrt(s)), radii: sizes.map((s) => 1 / Math.sqrt(s)), sizes }));
  add('twonn-decimation-by-size', decimationChart({ ids: sizes.map(() => 2), idsErr: sizes.map(() => 0.1), radii: sizes.map((s) => 1 / Math.sqrt(s)), sizes, x: 'size' }));
  const wide = Array.from({ length: 30 }, (_, i) => 1e-3 * 10 ** (i / 5));
  add('id-curve-log-6-decades', idCurveChart({ x: wide, ids: wide.map((_, i) => 2 + Math.sin(i / 4)), idsErr: wide.map(() => 0.1), xTitle: 'radius', log: true }));
  add('id-curve-linear', idCurveChart({ x: Array.from({ length: 200 }, (_, i) => i + 1), ids: Array.from({ length: 200 }, (_, i) => 5 / (1 + i / 20) + 2), xTitle: 'k' }));
  add('curve-posterior', curveChart({ x: Array.from({ length: 400 }, (_, i) => 1 + i / 100), y: Array.from({ length: 400 }, (_, i) => Math.exp(-(((i - 150) / 30) ** 2))), xTitle: 'd', yTitle: 'posterior', mark: 2.5 }));
  add('histogram-local-id-20000', histogramChart(Array.from({ length: POINTS }, () => 3 + gauss()), { xTitle: 'local ID', bins: 20 }));
  const names = hfNames(LAYERS);
  const idOf = (l: number) => 4 + 10 * Math.sin((Math.PI * l) / LAYERS);
  add('id-profile-80-layers', idProfileChart({ names, ids: names.map((_, l) => idOf(l)), idsErr: names.map(() => 0.4) }));
  add('id-profile-80-distinct-names', idProfileChart({ names: distinctNames(LAYERS), ids: names.map((_, l) => idOf(l)), idsErr: names.map(() => 0.4) }));
  const curves = names.map((name, l) => ({ name, ids: ranks.map((_, i) => idOf(l) * (1 - 0.02 * i)), idsErr: ranks.map((k) => 1 / Math.sqrt(k)), radii: radii.map((r) => r * (1 + l / 10)), ranks }));
  add('scale-curves-80-layers', scaleCurvesChart({ series: curves }));
  add('scale-curves-80-layers-by-rank', scaleCurvesChart({ series: curves, x: 'rank' }));

  // comparisons
  const plane = (n: number, labels: string[]) => imbalancePlaneChart({
    aToB: labels.map((_, i) => Math.min(1, 0.08 + 0.6 * (i / n) + 0.02 * gauss())),
    bToA: labels.map((_, i) => Math.min(1, 0.12 + 0.5 * (i / n) ** 0.5 + 0.02 * gauss())),
    labels, nameA: 'layer', nameB: 'previous layer',
  });
  add('imbalance-plane-80-layers', plane(LAYERS, names));
  add('imbalance-plane-80-distinct-names', plane(LAYERS, distinctNames(LAYERS)));
  add('imbalance-plane-12-crowded', imbalancePlaneChart({ aToB: Array.from({ length: 12 }, (_, i) => 0.1 + 0.002 * i), bToA: Array.from({ length: 12 }, (_, i) => 0.3 + 0.003 * (i % 3)), labels: distinctNames(12) }));
  add('imbalance-plane-corners', imbalancePlaneChart({ aToB: [0.01, 0.02, 1.0, 0.99, 0.5], bToA: [0.02, 1.05, 0.01, 1.0, 0.5], labels: ['origin', 'top left corner point', 'bottom right corner', 'independent pair', 'middle'], nameA: 'a representation with a long name', nameB: 'another representation with a long name' }));
  add('imbalance-plane-one-subset', imbalancePlaneChart({ aToB: [0.42], bToA: [0.61], labels: ['X vs Y'], nameA: 'X', nameB: 'Y' }));
  const feats = 30;
  add('greedy-30-features', greedyCurveChart({
    tuples: Array.from({ length: feats }, (_, i) => Array.from({ length: i + 1 }, (_, j) => (j * 7) % 97)),
    imbalances: Array.from({ length: feats }, (_, i) => [0.6 / (i + 1), 0.8 / (i + 1)]),
  }));
  add('overlap-profile-80-layers', overlapProfileChart({ overlaps: names.map((_, l) => l / LAYERS), labels: names }));
  add('overlap-profile-80-distinct-names', overlapProfileChart({ overlaps: names.map((_, l) => l / LAYERS), labels: distinctNames(LAYERS) }));
  add('overlap-histogram-20000', overlapHistogramChart({ overlaps: Array.from({ length: POINTS }, () => Math.round(Math.min(1, Math.max(0, 0.6 + 0.2 * gauss())) * 100) / 100), k: 100 }));
  const D = 40, epochs = 200;
  add('dii-training-40-features', diiTrainingChart({
    weights: Array.from({ length: epochs + 1 }, (_, e) => Array.from({ length: D }, (_, f) => Math.exp(-e * f / 2000))),
    imbalances: Array.from({ length: epochs + 1 }, (_, e) => 0.2 + 0.5 * Math.exp(-e / 30)),
    featureNames: distinctNames(D),
  }));
  const nodes = 20;
  add('causal-graph-20-long-names', causalGraphChart({
    adjacency: Array.from({ length: nodes }, (_, s) => Array.from({ length: nodes }, (_, t) => (t === (s + 1) % nodes || t === (s + 5) % nodes ? 1 : 0))),
    names: distinctNames(nodes),
  }));

  // layers
  const series = [{ name: 'ID (Gride, n2 = 8)', values: names.map((_, l) => idOf(l)), errors: names.map(() => 0.4) }, { name: 'ID (TwoNN)', values: names.map((_, l) => idOf(l) + 1) }];
  add('layer-quantity-80', layerQuantityChart({ names, series, title: 'Intrinsic dimension across layers', yTitle: 'ID' }));
  add('layer-quantity-80-distinct-names', layerQuantityChart({ names: distinctNames(LAYERS), series, title: 'Intrinsic dimension across layers', yTitle: 'ID' }));
  add('layer-overview-80', layerOverviewChart({ names, title: 'Layer profile', panels: [
    { title: 'intrinsic dimension', series, yTitle: 'ID' },
    { title: 'neighbourhood overlap', series: [{ name: 'with the labels', values: names.map((_, l) => l / LAYERS) }], yTitle: 'χ', domain: [0, 1] },
  ] }));
  const L = LAYERS;
  const matrix = Float64Array.from({ length: L * L }, (_, k) => Math.exp(-Math.abs(Math.floor(k / L) - (k % L)) / 10));
  add('layer-matrix-80', layerMatrixChart({ names, values: matrix, title: 'Neighbourhood overlap between layers', legend: 'overlap χ', domain: [0, 1] }));
  add('layer-matrix-80-distinct-names', layerMatrixChart({ names: distinctNames(L), values: matrix, title: 'Neighbourhood overlap between layers', legend: 'overlap χ', domain: [0, 1] }));
  add('layer-curves-80', layerCurvesChart({ names, title: 'Scale curves, one panel per layer', curves: curves.map((c) => ({ ids: c.ids, idsErr: c.idsErr, ranks: c.ranks })) }));
  add('layer-explorer-80', spec(layerExplorerSpec({
    names, id: names.map((_, l) => ({ value: idOf(l), err: 0.3 })), idTitle: 'ID (Gride, n2 = 8)',
    curves: curves.map((c) => ({ ranks: c.ranks, ids: c.ids, idsErr: c.idsErr })),
    clusters: names.map((_, l) => Array.from({ length: 1 + (l % 6) }, (_, c) => ({ cluster: c, cls: String(c % 3), count: 100 + 10 * c }))),
    overlap: { values: matrix, k: 10 }, selected: LAYERS - 1,
  }, { inlineData: true })));

  // density and clustering on 20,000 points
  const centres = Array.from({ length: 30 }, (_, c) => [10 * Math.cos(c), 10 * Math.sin(c * 1.3)]);
  const cluster = Array.from({ length: POINTS }, (_, i) => i % 30);
  const xy = cluster.map((c) => [centres[c][0] + gauss(), centres[c][1] + gauss()]);
  const logDen = xy.map(([x, y], i) => -0.5 * ((x - centres[cluster[i]][0]) ** 2 + (y - centres[cluster[i]][1]) ** 2) - 2);
  const delta = logDen.map((_, i) => (i < 30 ? 5 + i / 10 : Math.abs(gauss()) * 0.3));
  add('density-histogram-20000', spec(densityHistogramSpec(logDen, { title: 'PAk log density' })));
  add('density-vs-true-20000', spec(densityVsTrueSpec(logDen.map((v) => v + 0.3 * gauss()), logDen, { label: 'PAk' })));
  add('decision-graph-20000', spec(decisionGraphSpec(logDen, delta, { densCut: -3, deltaCut: 2 })));
  add('cluster-scatter-20000-30-clusters', spec(clusterScatterSpec(xy, cluster.map((c, i) => (i % 17 === 0 ? -1 : c)), { centers: Array.from({ length: 30 }, (_, c) => c) })));
  const K = 40;
  const topo = {
    logDenBord: Array.from({ length: K }, (_, a) => Array.from({ length: K }, (_, b) => (a === b ? -100 : -3 - Math.abs(a - b) * 0.2 - ((a * b) % 7) * 0.05))),
    centerLogDen: Array.from({ length: K }, (_, c) => -1 - (c % 9) * 0.15),
    populations: Array.from({ length: K }, (_, c) => 50 + 37 * c),
  };
  add('adp-dendrogram-40-clusters', spec(dendrogramSpec(topo)));
  add('adp-matrix-40-clusters', spec(topographyMatrixSpec(topo)));
  return cases;
}
