import type { SpecFragment } from '../chart';

/** Rounds for compact, stable JSON in specs. */
export function r6(x: number): number | null {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : null;
}

/** A histogram of per-point log densities (vega-lite v5). */
export function densityHistogramSpec(logDen: ArrayLike<number>, opts: { title?: string; xTitle?: string; maxbins?: number } = {}): SpecFragment {
  const values: { v: number | null }[] = [];
  for (let i = 0; i < logDen.length; i++) values.push({ v: r6(logDen[i]) });
  return {
    title: opts.title ?? 'log density',
    width: 360, height: 220,
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'v', type: 'quantitative', bin: { maxbins: opts.maxbins ?? 40 }, title: opts.xTitle ?? 'log density' },
      y: { aggregate: 'count', type: 'quantitative', title: 'points' },
    },
  };
}
