/**
 * A chart is a vega-lite v5 spec (JupyterLab renders v5, not v6) plus a one-line text summary.
 * Spec builders in widgets/ are plain JSON functions with no dependencies, so results in lib/
 * can build their own charts (`result.plot()`); rendering (vega, SVG, PNG) lives in the kernel.
 */
import type { TopLevelSpec } from 'vega-lite';

export const VEGA_LITE_V5 = 'https://vega.github.io/schema/vega-lite/v5.json';

/**
 * A chart's spec, as vega-lite types it (TopLevelSpec; a type-only import: nothing of vega-lite is
 * loaded at run time). Every chart the library builds is compiled by vega-lite in the tests
 * (test/widgets), which is what backs this type.
 */
export type VegaLiteSpec = TopLevelSpec;

/** A spec, or a part of one, under construction: plain JSON (what the builders assemble). */
export type SpecFragment = { [key: string]: unknown };

/** What the chart constructor and the spec helpers take: a typed spec or plain JSON. */
export type AnySpec = TopLevelSpec | SpecFragment;

/** What the kernel displays: a text summary, and a chart when there is one. */
export interface Displayable {
  summary(): string;
  plot?(options?: Record<string, unknown>): Chart;
}

export class Chart implements Displayable {
  readonly spec: VegaLiteSpec;
  readonly title: string;

  constructor(spec: AnySpec, title = '') {
    this.spec = Object.freeze({ $schema: VEGA_LITE_V5, ...spec }) as TopLevelSpec;
    this.title = title || String((spec as { title?: unknown }).title ?? 'chart');
    Object.freeze(this);
  }

  summary(): string {
    return this.title;
  }

  plot(): Chart {
    return this;
  }

  toJSON(): VegaLiteSpec {
    return this.spec;
  }
}

/** Builds a chart from a vega-lite spec (the $schema is added). */
export function chart(spec: AnySpec, title?: string): Chart {
  return new Chart(spec, title);
}
