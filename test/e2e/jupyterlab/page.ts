/**
 * A notebook page assembled from JupyterLab 4's own packages, the way JupyterLab's examples build
 * one: @jupyterlab/rendermime with its standard renderers, @jupyterlab/vega5-extension (the
 * vega-lite v5 renderer JupyterLab ships), and an @jupyterlab/outputarea OutputArea per code cell,
 * trusted or not as the notebook would be. Bundled for the browser by esbuild in the renderer
 * tests (test/e2e/renderers.test.ts); `window.renderNotebook(nb, trusted)` draws a notebook's outputs.
 */
import '@jupyterlab/rendermime/style/index.css';
import '@jupyterlab/outputarea/style/index.css';
import { RenderMimeRegistry, standardRendererFactories } from '@jupyterlab/rendermime';
import { OutputArea, OutputAreaModel } from '@jupyterlab/outputarea';
import vega5 from '@jupyterlab/vega5-extension';
import { Widget } from '@lumino/widgets';

const rendermime = new RenderMimeRegistry({ initialFactories: standardRendererFactories });
rendermime.addFactory(vega5.rendererFactory, vega5.rank);

interface NotebookJSON {
  cells: Array<{ cell_type: string; outputs?: unknown[] }>;
}

const areas: OutputArea[] = [];

(window as any).renderNotebook = (nb: NotebookJSON, trusted: boolean): number => {
  for (const a of areas.splice(0)) a.dispose();
  const host = document.getElementById('notebook')!;
  let n = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') continue;
    const model = new OutputAreaModel({ trusted });
    const area = new OutputArea({ model, rendermime });
    area.addClass('dadalab-cell');
    Widget.attach(area, host);
    model.fromJSON((cell.outputs ?? []) as any);
    areas.push(area);
    n++;
  }
  return n;
};
(window as any).preferredMimeType = (data: Record<string, unknown>, trusted: boolean) => rendermime.preferredMimeType(data as any, trusted ? 'any' : 'ensure');
