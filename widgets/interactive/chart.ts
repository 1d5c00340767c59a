/**
 * A vega-lite chart as a widget: the frontend draws it with vega-embed (our view, shipped as the
 * classic Notebook extension nbextensions/dadalab/widgets.js, see widgets/frontend/), the kernel
 * replaces its named data sets (only the changed ones travel) and reads back the values of its
 * parameters and selections as the person drags, clicks or slides.
 *
 *     const c = new VegaChart(spec, { datasets: { points: rows }, report: ['brush'] });
 *     c.observeParam('brush', ({ new: extent }) => ...);
 *     await c.setData({ points: recoloured });
 *
 * The spec reads each data set by name (`data: { name: 'points' }`); state keys are `data_<name>`
 * (rows) and `param_<name>` (a reported parameter's value).
 */
import { InputError } from '../../lib/errors';
import type { AnySpec } from '../chart';
import { DOMWidget, type LayoutOptions, Layout } from './controls';
import type { Change } from './widget';

export type Rows = Array<Record<string, unknown>>;

export interface VegaChartOptions {
  /** The named data sets the spec reads (`data: { name }`). */
  datasets?: Record<string, Rows>;
  /** Parameters (and selections) whose values the view sends back: `param_<name>` in the state. */
  report?: string[];
  /** Milliseconds the view waits after the last change of a reported parameter before sending it (default 60). */
  debounce?: number;
  layout?: Layout | LayoutOptions;
}

const NAME = /^[A-Za-z_][\w]*$/;

export class VegaChart extends DOMWidget {
  readonly reported: readonly string[];

  constructor(spec: AnySpec, opts: VegaChartOptions = {}) {
    const datasets = opts.datasets ?? {};
    const report = opts.report ?? [];
    for (const n of [...Object.keys(datasets), ...report]) {
      if (!NAME.test(n)) throw new InputError(`VegaChart: '${n}' is not a usable data set or parameter name`, 'Use letters, digits and _ (not starting with a digit)');
    }
    const { $schema: _s, ...bare } = spec as { $schema?: unknown };
    const state: Record<string, unknown> = { spec: bare, report, debounce: opts.debounce ?? 60 };
    for (const [n, rows] of Object.entries(datasets)) state[`data_${n}`] = rows;
    for (const n of report) state[`param_${n}`] = null;
    super({ pkg: 'base', model: 'DOMWidgetModel', view: 'VegaChartView', viewPackage: 'dadalab' }, state, { layout: opts.layout });
    this.reported = Object.freeze([...report]);
  }

  /** The spec (without its data sets). */
  get spec(): AnySpec {
    return this.get('spec');
  }

  /** The rows of a data set. */
  data(name: string): Rows {
    return this.get<Rows>(`data_${name}`) ?? [];
  }

  /** Replaces data sets; only these travel to the frontend. */
  async setData(datasets: Record<string, Rows>): Promise<void> {
    const values: Record<string, unknown> = {};
    for (const [n, rows] of Object.entries(datasets)) {
      if (!NAME.test(n)) throw new InputError(`VegaChart: '${n}' is not a usable data set name`, 'Use letters, digits and _');
      values[`data_${n}`] = rows;
    }
    await this.set(values);
  }

  /** The last value the view reported for a parameter (null before any). */
  param<T = unknown>(name: string): T | null {
    return this.get<T>(`param_${name}`) ?? null;
  }

  /** Sets a parameter in the views (and here). */
  async setParam(name: string, value: unknown): Promise<void> {
    await this.set({ [`param_${name}`]: value });
  }

  /** Calls `handler` when the view reports a new value of the parameter. */
  observeParam(name: string, handler: (change: Change<any>) => unknown): () => void {
    return this.observe(`param_${name}`, handler);
  }

  override summary(): string {
    const t = (this.spec as { title?: unknown }).title;
    return `VegaChart(${typeof t === 'string' ? JSON.stringify(t) : ''})`;
  }

  protected override toWire(state: Record<string, unknown>): Record<string, unknown> {
    const { description: _d, ...rest } = super.toWire(state);
    return rest;
  }
}
