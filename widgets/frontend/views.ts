/**
 * The browser side of dadalab's widgets: VegaChartView, a view of a plain DOMWidgetModel that
 * draws the model's vega-lite `spec` with vega-embed, feeds it the model's `data_<name>` rows as
 * named data sets (replaced in place when the kernel changes them), and writes the values of the
 * parameters listed in `report` back to `param_<name>` as the person drags or clicks.
 *
 * Written against the view API both widget frontends share (jupyter-js-widgets 2.1 of ipywidgets 6,
 * @jupyter-widgets/base 6 of ipywidgets 8): `render`, `this.el`, `this.model.get/set`, `touch`,
 * `listenTo`. Bundled by scripts/build-widgets.mjs (with vega, vega-lite and vega-embed, so nothing
 * loads from the network) as the classic Notebook extension nbextensions/dadalab/widgets.js (AMD)
 * and as an ES module for pages that run @jupyter-widgets/html-manager.
 * Not compiled by tsc (no DOM types there): esbuild strips the types.
 */
import embed from 'vega-embed';

type Any = any;

/** Calls fn at most every `ms` while values keep coming, and once more with the last one. */
function throttle(fn: (v: unknown) => void, ms: number): (v: unknown) => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last: unknown;
  let pending = false;
  let lastSent = 0;
  return (v: unknown) => {
    last = v;
    pending = true;
    if (timer) return;
    const wait = Math.max(0, ms - (Date.now() - lastSent));
    timer = setTimeout(function flush() {
      timer = null;
      if (!pending) return;
      pending = false;
      lastSent = Date.now();
      fn(last);
    }, wait);
  };
}

/** JSON-safe copy of a signal value (vega selections hold functions and typed arrays). */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v ?? null, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x)));
}

export function defineViews(base: Any): Record<string, Any> {
  class VegaChartView extends base.DOMWidgetView {
    vview: Any = null;
    ready: Promise<void> | null = null;
    fromKernel = new Set<string>();

    render(): void {
      this.el.classList.add('dadalab-vegachart');
      const spec = JSON.parse(JSON.stringify(this.model.get('spec') ?? {}));
      const datasets: Record<string, unknown> = {};
      for (const key of Object.keys(this.model.attributes)) {
        if (key.startsWith('data_')) datasets[key.slice(5)] = this.model.get(key) ?? [];
      }
      spec.datasets = { ...(spec.datasets ?? {}), ...datasets };
      const target = document.createElement('div');
      this.el.appendChild(target);
      this.ready = embed(target, spec, { actions: false, renderer: 'svg', mode: 'vega-lite' }).then((result: Any) => {
        this.vview = result.view;
        this.el.setAttribute('data-rendered', 'vega-embed');
        this.watchParams();
      }, (e: Error) => {
        this.el.setAttribute('data-rendered', 'failed');
        this.el.textContent = `dadalab chart: ${e && e.message ? e.message : e}`;
        console.error('dadalab chart', e);
      });
      this.listenTo(this.model, 'change', this.changed);
    }

    watchParams(): void {
      const report: string[] = this.model.get('report') ?? [];
      const ms = Number(this.model.get('debounce') ?? 60);
      for (const name of report) {
        let value: unknown;
        try {
          value = this.vview.signal(name);
        } catch {
          console.warn(`dadalab chart: the spec has no parameter '${name}'`);
          continue;
        }
        const kernelValue = this.model.get(`param_${name}`);
        if (kernelValue !== null && kernelValue !== undefined) this.pushParam(name, kernelValue);
        else if (value !== undefined) this.sendParam(name, value);
        const send = throttle((v) => this.sendParam(name, v), ms);
        this.vview.addSignalListener(name, (_n: string, v: unknown) => {
          if (this.fromKernel.has(name)) return;
          send(v);
        });
      }
    }

    sendParam(name: string, value: unknown): void {
      const v = plain(value);
      if (JSON.stringify(v) === JSON.stringify(this.model.get(`param_${name}`))) return;
      this.model.set(`param_${name}`, v);
      this.touch();
    }

    pushParam(name: string, value: unknown): void {
      try {
        this.fromKernel.add(name);
        this.vview.signal(name, value);
        this.vview.runAsync().finally(() => this.fromKernel.delete(name));
      } catch (e) {
        this.fromKernel.delete(name);
        console.warn(`dadalab chart: cannot set parameter '${name}'`, e);
      }
    }

    changed(): void {
      const changed = this.model.changedAttributes() || {};
      if (!this.ready) return;
      void this.ready.then(async () => {
        if (!this.vview) return;
        let dirty = false;
        for (const key of Object.keys(changed)) {
          if (key.startsWith('data_')) {
            this.vview.data(key.slice(5), this.model.get(key) ?? []);
            dirty = true;
          } else if (key.startsWith('param_')) {
            const name = key.slice(6);
            let current: unknown;
            try { current = plain(this.vview.signal(name)); } catch { continue; }
            if (JSON.stringify(current) !== JSON.stringify(this.model.get(key))) this.pushParam(name, this.model.get(key));
          }
        }
        if (dirty) {
          await this.vview.runAsync();
          this.el.setAttribute('data-updates', String(Number(this.el.getAttribute('data-updates') ?? 0) + 1));
        }
      });
    }

    remove(): void {
      if (this.vview) this.vview.finalize();
      return super.remove();
    }
  }
  return { VegaChartView };
}
