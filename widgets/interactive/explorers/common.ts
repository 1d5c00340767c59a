/**
 * What the explorers share: the root widget they show, their static rendering where no widget
 * manager runs, point sampling for the charts, 2-D coordinates.
 */
import { InputError } from '../../../lib/errors';
import { asMatrix, type MatrixLike } from '../../../lib/matrix';
import { chartBundle, MIME_BUNDLE, type MimeBundle } from '../../bundle';
import { Chart, type VegaLiteSpec } from '../../chart';
import type { Widget } from '../widget';

/**
 * The static charts choose their own samples of points and keep every row of their lookup tables
 * (a thinned table would give wrong clusters): the bundle must not thin them again.
 */
const UNTHINNED = Number.MAX_SAFE_INTEGER;

/**
 * An explorer: a layout of widgets (`root`) while a kernel runs; its static chart otherwise.
 * Displaying it (the last expression of a cell, or show()) shows the widgets, with the static
 * chart as the fallback of frontends without a widget manager.
 */
export abstract class Explorer {
  abstract readonly root: Widget;

  /** The chart shown where no kernel (or no widget manager) runs: every state precomputed where it can be. */
  abstract staticChart(): Chart;

  abstract summary(): string;

  protected installFallback(): void {
    this.root.setFallback(async () => {
      const b = await chartBundle(this.staticChart(), this.summary(), UNTHINNED);
      return { data: b.data, metadata: b.metadata };
    });
  }

  async [MIME_BUNDLE](): Promise<MimeBundle> {
    if (this.root.live) return (this.root as unknown as { [MIME_BUNDLE](): Promise<MimeBundle> })[MIME_BUNDLE]();
    return chartBundle(this.staticChart(), this.summary(), UNTHINNED);
  }

  /** Closes every widget of the explorer. */
  close(): void {
    const visit = (w: Widget): void => {
      const children = w.get<Widget[] | undefined>('children');
      if (Array.isArray(children)) for (const c of children) visit(c);
      w.close();
    };
    visit(this.root);
  }
}

/** `max` indices spread evenly over 0..n-1 (all of them when n <= max), `keep` always among them. */
export function sampleIndices(n: number, max: number, keep: Iterable<number> = []): Int32Array {
  if (n <= max) return Int32Array.from({ length: n }, (_, i) => i);
  const chosen = new Uint8Array(n);
  let count = 0;
  for (const k of keep) if (k >= 0 && k < n && !chosen[k] && count < max) { chosen[k] = 1; count++; }
  const need = max - count;
  for (let t = 0; t < need; t++) {
    let i = Math.round((t * (n - 1)) / Math.max(1, need - 1));
    while (chosen[i]) i = (i + 1) % n;
    chosen[i] = 1;
  }
  const out = new Int32Array(max);
  let j = 0;
  for (let i = 0; i < n; i++) if (chosen[i]) out[j++] = i;
  return out;
}

/** The first two columns of an N x D matrix (a zero y for one column), checked against N. */
export function planeOf(coordinates: MatrixLike, n: number, what: string): { x: (i: number) => number; y: (i: number) => number } {
  const M = asMatrix(coordinates);
  if (M.rows !== n) {
    throw new InputError(`${what}: the coordinates have ${M.rows} rows but there are ${n} points`, 'Pass one row per point (a 2-D embedding, or the data itself)');
  }
  const d = M.cols;
  return { x: (i) => M.data[i * d], y: (i) => (d > 1 ? M.data[i * d + 1] : 0) };
}

export type { VegaLiteSpec };
