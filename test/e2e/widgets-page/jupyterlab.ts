/**
 * JupyterLab 4's own widget manager in a test page: @jupyter-widgets/jupyterlab-manager's
 * KernelWidgetManager (the LabWidgetManager JupyterLab uses for a kernel; widget protocol 2.1.0,
 * @jupyter-widgets/base 6, controls 5, base-manager 1) on a kernel connection from
 * @jupyterlab/services to a real Jupyter server, with the modules registered as the extension's
 * plugins register them (base, controls, JupyterLab's own Output model/view), its WidgetRenderer
 * in a RenderMimeRegistry at the rank the plugin gives it, and one @jupyterlab/outputarea
 * OutputArea per executed cell fed by the execute future, as a notebook cell is.
 *
 * dadalab's chart view (VegaChartView) is registered only when the page is opened with
 * `?dadalab=1`: JupyterLab itself has no dadalab extension, so without it the page shows what a
 * JupyterLab 4 user sees.
 *
 * window.labPage: connect(kernelId?), run(code, show?) -> { status, text, models, mimes }, state(id), hasModel(id).
 * Bundled by esbuild in test/e2e/jupyterlab-widgets.test.ts; served by the Jupyter server under /files/.
 */
import '@jupyter-widgets/base/css/index.css';
import '@jupyter-widgets/controls/css/widgets-base.css';
import '@jupyterlab/rendermime/style/index.css';
import '@jupyterlab/outputarea/style/index.css';
import * as base from '@jupyter-widgets/base';
import * as controls from '@jupyter-widgets/controls';
import { JUPYTER_CONTROLS_VERSION } from '@jupyter-widgets/controls/lib/version';
import { KernelWidgetManager, WIDGET_VIEW_MIMETYPE } from '@jupyter-widgets/jupyterlab-manager/lib/manager';
import { OutputModel, OutputView, OUTPUT_WIDGET_VERSION } from '@jupyter-widgets/jupyterlab-manager/lib/output';
import { WidgetRenderer } from '@jupyter-widgets/jupyterlab-manager/lib/renderer';
import { KernelManager, ServerConnection } from '@jupyterlab/services';
import { RenderMimeRegistry, standardRendererFactories } from '@jupyterlab/rendermime';
import { OutputArea, OutputAreaModel } from '@jupyterlab/outputarea';
import { Widget } from '@lumino/widgets';
import { defineViews } from '../../../dist/widgets/frontend/views.mjs';

const params = new URLSearchParams(location.search);

const page: any = {
  kernel: null as any,
  manager: null as any,
  rendermime: null as any,
  errors: [] as string[],
  /** Starts a dadalab kernel (or connects to a running one) and builds JupyterLab's manager on it. */
  async connect(kernelId?: string): Promise<string> {
    const settings = ServerConnection.makeSettings({
      baseUrl: `${location.origin}/`, wsUrl: `${location.origin.replace(/^http/, 'ws')}/`, token: params.get('token') ?? '', appendToken: true,
    });
    const km = new KernelManager({ serverSettings: settings });
    await km.ready;
    this.kernel = kernelId ? km.connectTo({ model: { id: kernelId, name: 'dadalab' } }) : await km.startNew({ name: 'dadalab' });
    await this.kernel.info;
    this.rendermime = new RenderMimeRegistry({ initialFactories: standardRendererFactories });
    const manager = new KernelWidgetManager(this.kernel, this.rendermime);
    // what baseWidgetsPlugin, controlWidgetsPlugin and outputWidgetPlugin register
    manager.register({
      name: '@jupyter-widgets/base', version: base.JUPYTER_WIDGETS_VERSION,
      exports: {
        WidgetModel: base.WidgetModel, WidgetView: base.WidgetView, DOMWidgetView: base.DOMWidgetView, DOMWidgetModel: base.DOMWidgetModel,
        LayoutModel: base.LayoutModel, LayoutView: base.LayoutView, StyleModel: base.StyleModel, StyleView: base.StyleView, ErrorWidgetView: base.ErrorWidgetView,
      } as any,
    });
    manager.register({ name: '@jupyter-widgets/controls', version: JUPYTER_CONTROLS_VERSION, exports: controls as any });
    manager.register({ name: '@jupyter-widgets/output', version: OUTPUT_WIDGET_VERSION, exports: { OutputModel, OutputView } as any });
    if (params.get('dadalab') === '1') manager.register({ name: 'nbextensions/dadalab/widgets', version: '0.1.0', exports: defineViews(base) as any });
    // registerWidgetHandler: the widget view renderer, bound to this manager, at rank -10
    this.rendermime.addFactory({ safe: false, mimeTypes: [WIDGET_VIEW_MIMETYPE], createRenderer: (options: any) => new WidgetRenderer(options, manager) }, -10);
    this.manager = manager;
    // the manager restores the kernel's widgets (control comm) when it is built
    await new Promise<void>((resolve) => {
      if (manager.restoredStatus) resolve();
      else manager.restored.connect(() => resolve());
    });
    return this.kernel.id;
  },
  /**
   * Runs code as a notebook cell: an OutputArea takes the execute future; resolves with the
   * outputs' text and the widget models shown. `show` false: the area stays off the page (a
   * check that should not add a cell).
   */
  async run(code: string, show = true): Promise<{ status: string; text: string[]; models: string[]; mimes: string[] }> {
    const model = new OutputAreaModel({ trusted: true });
    const area = new OutputArea({ model, rendermime: this.rendermime });
    area.addClass('lab-cell');
    if (show) Widget.attach(area, document.getElementById('notebook')!);
    const future = this.kernel.requestExecute({ code, stop_on_error: true });
    area.future = future;
    const reply = await future.done;
    const outputs = model.toJSON() as any[];
    const text: string[] = [];
    const models: string[] = [];
    const mimes: string[] = [];
    for (const o of outputs) {
      if (o.output_type === 'stream') text.push(o.text);
      else if (o.output_type === 'error') text.push(`${o.ename}: ${o.evalue}`);
      else if (o.data) {
        const mime = this.rendermime.preferredMimeType(o.data, 'any');
        mimes.push(mime);
        if (o.data[WIDGET_VIEW_MIMETYPE]) models.push(o.data[WIDGET_VIEW_MIMETYPE].model_id);
        else if (o.data['text/plain']) text.push(o.data['text/plain']);
      }
    }
    return { status: reply.content.status, text, models, mimes };
  },
  /** A model's state as this frontend holds it. */
  async state(modelId: string): Promise<any> {
    const m = await this.manager.get_model(modelId);
    return m.get_state(false);
  },
  hasModel(modelId: string): boolean {
    return this.manager.has_model(modelId);
  },
};
window.addEventListener('error', (e) => page.errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => page.errors.push(String((e as PromiseRejectionEvent).reason)));
(window as any).labPage = page;
document.body.setAttribute('data-page-ready', 'true');
