/**
 * JupyterLab 4's own widget manager in a test page: @jupyter-widgets/jupyterlab-manager's
 * KernelWidgetManager (the LabWidgetManager JupyterLab uses for a kernel; widget protocol 2.1.0,
 * @jupyter-widgets/base 6, controls 5, base-manager 1) on a kernel connection from
 * @jupyterlab/services to a real Jupyter server, with the modules registered as the extension's
 * plugins register them (base, controls, JupyterLab's own Output model/view), its WidgetRenderer
 * in a RenderMimeRegistry at the rank the plugin gives it, and one @jupyterlab/outputarea
 * OutputArea per executed cell fed by the execute future, as a notebook cell is.
 *
 * dadalab's chart view (VegaChartView) comes only from dadalab's prebuilt JupyterLab extension,
 * loaded when the page is opened with `?labext=<JSON>` the way JupyterLab 4 loads a federated
 * extension: the JSON is the extension's entry of JupyterLab's page config (`name`, `load`,
 * `extension` from its installed package.json, and the URL its labextensions folder is served
 * from); the page injects `<url>/<name>/<load>` (the remoteEntry), initialises the container with
 * the share scope (holding this page's @jupyter-widgets/base, as jupyterlab_widgets' extension
 * provides it in JupyterLab), gets `./extension`, and starts its plugins in a Lumino
 * Application (the class JupyterLab's app extends), whose plugin registry resolves their
 * `requires` tokens. The IJupyterWidgetRegistry token is provided by a plugin of this page that
 * does what jupyterlab-manager's does (every registered module goes to the kernel's widget
 * manager). Without `labext`, the page shows what a JupyterLab 4 user without the extension sees.
 *
 * window.labPage: connect(kernelId?), run(code, show?) -> { status, text, models, mimes }, state(id), hasModel(id),
 * extension (what loading the labextension gave: the plugins started, the modules registered).
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
import { Application } from '@lumino/application';
import { Widget } from '@lumino/widgets';
import basePackage from '@jupyter-widgets/base/package.json';

const params = new URLSearchParams(location.search);

/** What registerWidget received (jupyterlab-manager keeps such a list and hands it to every manager it makes). */
const registered: any[] = [];

/** The stand-in of jupyterlab-manager's managerPlugin: provides the registry token; every module goes to the manager. */
const registryPlugin = {
  id: 'lab-page:widget-registry',
  provides: base.IJupyterWidgetRegistry,
  autoStart: true,
  activate: () => ({
    registerWidget(data: any): void {
      registered.push(data);
      page.manager?.register(data);
    },
  }),
};

function loadScript(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = url;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.appendChild(s);
  });
}

/**
 * Loads a federated labextension as JupyterLab 4's page does (its bootstrap and index: script,
 * container.init(share scope), container.get(module), the module's default export as plugins).
 */
async function loadLabextension(ext: { name: string; load: string; extension: string; url: string }): Promise<any> {
  // the share scope: what JupyterLab's core and jupyterlab_widgets' extension put there; here, the
  // widget base package this page's manager runs on (webpack's share-scope entry format)
  // (`&scope=empty`: a JupyterLab without jupyterlab_widgets, to show the extension brings no base of its own)
  const shareScope: any = params.get('scope') === 'empty' ? {} : {
    '@jupyter-widgets/base': { [basePackage.version]: { get: () => Promise.resolve(() => base), from: '@jupyter-widgets/jupyterlab-manager', eager: false } },
  };
  await loadScript(`${ext.url}${ext.name}/${ext.load}`);
  const container = (window as any)._JUPYTERLAB?.[ext.name];
  if (!container) throw new Error(`${ext.load} did not define _JUPYTERLAB['${ext.name}']`);
  await container.init(shareScope);
  const mod = (await container.get(ext.extension))();
  // JupyterLab's activePlugins(): an ES module's default export, one plugin or a list
  const exported = Object.prototype.hasOwnProperty.call(mod, '__esModule') ? mod.default : mod;
  const plugins: any[] = Array.isArray(exported) ? exported : [exported];
  const host = document.createElement('div');
  host.id = 'lab-shell';
  host.style.display = 'none';
  document.body.appendChild(host);
  const app = new Application({ shell: new Widget() });
  app.registerPlugin(registryPlugin as any);
  app.registerPlugins(plugins);
  await app.start({ hostID: 'lab-shell' });
  return {
    plugins: plugins.map((p) => ({ id: p.id, activated: app.isPluginActivated(p.id), requires: (p.requires ?? []).map((t: any) => t.name) })),
    shared: Object.keys(shareScope).map((name) => ({ name, versions: Object.keys(shareScope[name]) })),
    registered: registered.map((d) => ({ name: d.name, version: d.version, lazy: typeof d.exports === 'function' })),
  };
}

const page: any = {
  kernel: null as any,
  manager: null as any,
  rendermime: null as any,
  errors: [] as string[],
  extension: null as any,
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
    // what the registry plugin was given so far (the extensions started before this kernel connected)
    for (const data of registered) manager.register(data);
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
const labext = params.get('labext');
(labext ? loadLabextension(JSON.parse(labext)) : Promise.resolve(null)).then((ext) => {
  page.extension = ext;
  document.body.setAttribute('data-page-ready', 'true');
}, (e) => {
  page.extension = { error: String(e && e.stack ? e.stack : e) };
  document.body.setAttribute('data-page-ready', 'true');
});
