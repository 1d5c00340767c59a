/**
 * dadalab's JupyterLab 4 extension: registers the module of dadalab's widget views
 * (VegaChartView, widgets/frontend/views.ts) with JupyterLab's widget manager, under the name the
 * kernel gives it (`_view_module` 'nbextensions/dadalab/widgets', the classic Notebook's requirejs
 * path, so one kernel-side model serves both frontends).
 *
 * The registry token and the widget base classes come from '@jupyter-widgets/base' as shared by
 * JupyterLab's widget extension (jupyterlab_widgets): it is a singleton, not bundled
 * (package.json `sharedPackages`), so the token matches the one the manager plugin provides and
 * VegaChartView extends the manager's own DOMWidgetView. The views (with vega, vega-lite and
 * vega-embed) are a separate chunk, loaded the first time a chart is shown.
 *
 * Built by scripts/build-labextension.mjs (esbuild strips the types, @jupyterlab/builder makes the
 * federated bundle); `dadalab install` copies it to <jupyter data>/labextensions/dadalab.
 */
import * as base from '@jupyter-widgets/base';

/** The module name the kernel writes in `_view_module` (widgets/interactive/protocol.ts). */
const MODULE_NAME = 'nbextensions/dadalab/widgets';
/** Set by the build: the dadalab version (the kernel asks for any, '*'). */
declare const __DADALAB_VERSION__: string;

type Registry = { registerWidget(data: { name: string; version: string; exports: unknown }): void };

const plugin = {
  id: 'dadalab:widgets',
  description: "dadalab's widget views (the explorers' charts) for the Jupyter widget manager",
  requires: [base.IJupyterWidgetRegistry],
  autoStart: true,
  activate(_app: unknown, registry: Registry): void {
    registry.registerWidget({
      name: MODULE_NAME,
      version: __DADALAB_VERSION__,
      exports: async () => (await import('../views')).defineViews(base),
    });
  },
};

export default plugin;
