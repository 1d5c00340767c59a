/**
 * JupyterLab 4's own widget manager in a test page: @jupyter-widgets/jupyterlab-manager 5's plugins
 * (managerPlugin, which provides the IJupyterWidgetRegistry token; baseWidgetsPlugin and
 * outputWidgetPlugin, which register the base and Output modules) started by a Lumino Application
 * (the class JupyterLab's app extends; its plugin registry resolves `requires` tokens) with
 * @jupyterlab/rendermime's registry, and, per kernel, its KernelWidgetManager made by the plugin's
 * own console handler (`registerConsoleWidgetManager`: a manager for the kernel, every module of
 * the registry registered in it, its WidgetRenderer put in the rendermime registry). The kernel
 * connection comes from @jupyterlab/services on a real Jupyter server; one @jupyterlab/outputarea
 * OutputArea per executed cell is fed by the execute future, as a notebook cell is.
 * Stand-ins, where the page has no JupyterLab application: the console panel given to the handler
 * is the five fields it reads (session context, rendermime, disposed, no cells); the controls
 * module is registered eagerly by a page plugin (controlWidgetsPlugin loads it with webpack's
 * require.ensure, which the esbuild bundle has not).
 *
 * dadalab's chart view (VegaChartView) comes only from dadalab's prebuilt JupyterLab extension,
 * loaded when the page is opened with `?labext=<JSON>` the way JupyterLab 4 loads a federated
 * extension: the JSON is the extension's entry of JupyterLab's page config (`name`, `load`,
 * `extension` from its installed package.json, and the URL its labextensions folder is served
 * from); the page injects `<url>/<name>/<load>` (the remoteEntry), initialises the container with
 * the share scope (holding this page's @jupyter-widgets/base, as jupyterlab_widgets' extension
 * provides it in JupyterLab), gets `./extension`, and registers its plugins in the same Lumino
 * Application before it starts. Without `labext`, the page shows what a JupyterLab 4 user without
 * the extension sees.
 *
 * window.labPage: connect(kernelId?), run(code, show?) -> { status, text, models, mimes }, state(id), hasModel(id),
 * extension (what loading the labextension gave: its plugins and whether they started).
 * Bundled by esbuild in test/e2e/jupyterlab-widgets.test.ts; served by the Jupyter server under /files/.
 */
import '@jupyter-widgets/base/css/index.css';
import '@jupyter-widgets/controls/css/widgets-base.css';
import '@jupyterlab/rendermime/style/index.css';
import '@jupyterlab/outputarea/style/index.css';
import * as base from '@jupyter-widgets/base';
import * as controls from '@jupyter-widgets/controls';
import { JUPYTER_CONTROLS_VERSION } from '@jupyter-widgets/controls/lib/version';
import { WIDGET_VIEW_MIMETYPE } from '@jupyter-widgets/jupyterlab-manager/lib/manager';
import { baseWidgetsPlugin, managerPlugin, outputWidgetPlugin, registerConsoleWidgetManager } from '@jupyter-widgets/jupyterlab-manager/lib/plugin';
import { KernelManager, ServerConnection } from '@jupyterlab/services';
import { IRenderMimeRegistry, RenderMimeRegistry, standardRendererFactories } from '@jupyterlab/rendermime';
import { OutputArea, OutputAreaModel } from '@jupyterlab/outputarea';
import { Application } from '@lumino/application';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import basePackage from '@jupyter-widgets/base/package.json';

const params = new URLSearchParams(location.search);

const rendermime = new RenderMimeRegistry({ initialFactories: standardRendererFactories });

/** JupyterLab's rendermime plugin: the app's rendermime registry. */
const rendermimePlugin = { id: 'lab-page:rendermime', provides: IRenderMimeRegistry, autoStart: true, activate: () => rendermime };

/** What controlWidgetsPlugin registers (eagerly here). */
const controlsPlugin = {
  id: 'lab-page:controls',
  requires: [base.IJupyterWidgetRegistry],
  autoStart: true,
  activate: (_app: unknown, registry: base.IJupyterWidgetRegistry) => {
    registry.registerWidget({ name: '@jupyter-widgets/controls', version: JUPYTER_CONTROLS_VERSION, exports: controls as any });
  },
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
 * A federated labextension's plugins, loaded as JupyterLab 4's page does (its bootstrap and index:
 * script, container.init(share scope), container.get(module), the module's default export).
 */
async function federatedPlugins(ext: { name: string; load: string; extension: string; url: string }): Promise<any[]> {
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
  return Array.isArray(exported) ? exported : [exported];
}

/** The page's JupyterLab: its plugins, the extension's, started. */
async function startApp(): Promise<any> {
  const labext = params.get('labext');
  let plugins: any[] = [];
  let error: string | undefined;
  try {
    if (labext) plugins = await federatedPlugins(JSON.parse(labext));
  } catch (e: any) {
    error = String(e && e.stack ? e.stack : e);
  }
  const host = document.createElement('div');
  host.id = 'lab-shell';
  host.style.display = 'none';
  document.body.appendChild(host);
  const app = new Application({ shell: new Widget() });
  app.registerPlugins([rendermimePlugin, managerPlugin, baseWidgetsPlugin, outputWidgetPlugin, controlsPlugin] as any[]);
  app.registerPlugins(plugins);
  await app.start({ hostID: 'lab-shell' });
  return {
    error,
    core: [managerPlugin, baseWidgetsPlugin, outputWidgetPlugin].map((p) => app.isPluginActivated(p.id)),
    plugins: plugins.map((p) => ({ id: p.id, activated: app.isPluginActivated(p.id), requires: (p.requires ?? []).map((t: any) => t.name) })),
  };
}

const page: any = {
  kernel: null as any,
  manager: null as any,
  rendermime,
  errors: [] as string[],
  extension: null as any,
  /** Starts a dadalab kernel (or connects to a running one); jupyterlab-manager's console handler builds its manager. */
  async connect(kernelId?: string): Promise<string> {
    const settings = ServerConnection.makeSettings({
      baseUrl: `${location.origin}/`, wsUrl: `${location.origin.replace(/^http/, 'ws')}/`, token: params.get('token') ?? '', appendToken: true,
    });
    const km = new KernelManager({ serverSettings: settings });
    await km.ready;
    this.kernel = kernelId ? km.connectTo({ model: { id: kernelId, name: 'dadalab' } }) : await km.startNew({ name: 'dadalab' });
    await this.kernel.info;
    // a console panel as registerWidgetHandler reads it
    const owner = {};
    const panel = {
      console: {
        sessionContext: { ready: Promise.resolve(), session: { kernel: this.kernel }, kernelChanged: new Signal(owner) },
        rendermime,
        disposed: new Signal(owner),
        cells: [],
      },
    };
    await registerConsoleWidgetManager(panel as any, [][Symbol.iterator]());
    // the manager it made, as the renderer it put in the rendermime registry holds it
    const renderer: any = rendermime.createRenderer(WIDGET_VIEW_MIMETYPE);
    const manager = await renderer._manager.promise;
    renderer.dispose();
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
  /** The modules the manager can load classes from (name -> versions). */
  modules(): Record<string, string[]> {
    const cache = this.manager._registry._cache;
    return Object.fromEntries(Object.keys(cache).map((k) => [k, Object.keys(cache[k])]));
  },
};
window.addEventListener('error', (e) => page.errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => page.errors.push(String((e as PromiseRejectionEvent).reason)));
(window as any).labPage = page;
startApp().then((ext) => {
  page.extension = ext;
  document.body.setAttribute('data-page-ready', 'true');
}, (e) => {
  page.extension = { error: String(e && e.stack ? e.stack : e) };
  document.body.setAttribute('data-page-ready', 'true');
});
