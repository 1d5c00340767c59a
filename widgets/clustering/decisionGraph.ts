import type { SpecFragment } from '../chart';
import { zoomPan } from '../interactions';

const r6 = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

/**
 * The decision graph (vega-lite v5): log density (rho) against delta, one point per data point.
 * An interval selection ('centres') can be dragged over the top-right corner to pick the centres;
 * points above both cuts (when given) are marked as centres. Tooltips: the point's index, log
 * density and delta, and its cluster (-1: halo) and class when given; wheel zooms, shift-drag pans.
 */
export function decisionGraphSpec(logDen: ArrayLike<number>, delta: ArrayLike<number>,
  opts: { densCut?: number; deltaCut?: number; centers?: ArrayLike<number>; title?: string;
    /** Cluster of each point (a clustering's assignment, −1 for the halo). */
    clusters?: ArrayLike<number>;
    /** True class of each point. */
    classes?: ArrayLike<number | string> } = {}): SpecFragment {
  const isC = new Set<number>(opts.centers ? Array.from(opts.centers) : []);
  const values: Record<string, number | string | boolean | null>[] = [];
  for (let i = 0; i < logDen.length; i++) {
    const centre = opts.centers ? isC.has(i)
      : opts.densCut !== undefined && opts.deltaCut !== undefined && logDen[i] > opts.densCut && delta[i] > opts.deltaCut;
    const row: Record<string, number | string | boolean | null> = { i, rho: r6(logDen[i]), delta: r6(delta[i]), centre };
    if (opts.clusters) row.cluster = opts.clusters[i] < 0 ? 'halo' : String(opts.clusters[i]);
    if (opts.classes) row.label = opts.classes[i] as number | string;
    values.push(row);
  }
  const tooltip: SpecFragment[] = [{ field: 'i', type: 'quantitative', title: 'point' }, { field: 'rho', type: 'quantitative', title: 'log density (rho)' }, { field: 'delta', type: 'quantitative' }];
  if (opts.clusters) tooltip.push({ field: 'cluster', type: 'nominal' });
  if (opts.classes) tooltip.push({ field: 'label', type: 'nominal' });
  const layers: SpecFragment[] = [{
    // drag: the centres' box; shift-drag pans, shift-wheel zooms
    params: [{ name: 'centres', select: { type: 'interval', encodings: ['x', 'y'] } }, zoomPan({ shiftPan: true })],
    mark: { type: 'point', filled: true, size: 18 },
    encoding: {
      x: { field: 'rho', type: 'quantitative', title: 'log density (rho)', scale: { zero: false } },
      y: { field: 'delta', type: 'quantitative', title: 'delta' },
      color: {
        condition: { param: 'centres', empty: false, value: '#d62728' },
        field: 'centre', type: 'nominal', scale: { domain: [false, true], range: ['#4c78a8', '#d62728'] }, title: 'centre',
      },
      size: { condition: { test: 'datum.centre', value: 80 }, value: 18 },
      tooltip,
    },
  }];
  if (opts.densCut !== undefined) layers.push({ mark: { type: 'rule', strokeDash: [4, 4], color: 'grey' }, encoding: { x: { datum: opts.densCut } } });
  if (opts.deltaCut !== undefined) layers.push({ mark: { type: 'rule', strokeDash: [4, 4], color: 'grey' }, encoding: { y: { datum: opts.deltaCut } } });
  return { title: opts.title ?? 'Decision graph', width: 380, height: 280, data: { values }, layer: layers };
}
