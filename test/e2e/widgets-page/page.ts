/**
 * A test page for the current widget protocol (2.1.0, ipywidgets 8): @jupyter-widgets/html-manager
 * (the manager nbconvert and static pages use, on @jupyter-widgets/base-manager like JupyterLab's)
 * connected to a real Jupyter server's dadalab kernel through @jupyterlab/services, with comms
 * wired as JupyterLab's manager wires them. Bundled by esbuild in the test; served by the Jupyter
 * server under /files/ (same origin, so its websocket needs no CORS).
 *
 * window.widgetPage: connect(), execute(code) -> the outputs' widget views shown in #out, and
 * renderSaved(notebook): a saved notebook's widget state drawn with no kernel at all.
 */
import * as base from '@jupyter-widgets/base';
import { HTMLManager } from '@jupyter-widgets/html-manager';
import { KernelManager, ServerConnection } from '@jupyterlab/services';
import { defineViews } from '../../../dist/widgets/frontend/views.mjs';

const VIEW = 'application/vnd.jupyter.widget-view+json';
const STATE = 'application/vnd.jupyter.widget-state+json';
const views = defineViews(base);
const loader = (name: string) => (name === 'nbextensions/dadalab/widgets' ? Promise.resolve(views) : Promise.reject(new Error(`no module ${name}`)));

class KernelManagerPage extends HTMLManager {
  kernel: any;
  constructor(kernel: any) {
    super({ loader });
    this.kernel = kernel;
    kernel.registerCommTarget('jupyter.widget', async (comm: any, msg: any) => {
      await this.handle_comm_open(new base.shims.services.Comm(comm), msg);
    });
  }
  async _create_comm(target: string, id: string, data?: any, metadata?: any, buffers?: any): Promise<any> {
    const comm = this.kernel.createComm(target, id);
    if (data || metadata) comm.open(data, metadata, buffers);
    return new base.shims.services.Comm(comm);
  }
  async _get_comm_info(): Promise<any> {
    const reply = await this.kernel.requestCommInfo({ target_name: 'jupyter.widget' });
    return reply.content.status === 'ok' ? reply.content.comms : {};
  }
}

async function show(manager: HTMLManager, modelId: string): Promise<HTMLElement> {
  const model = await manager.get_model(modelId);
  const view = await manager.create_view(model);
  const el = document.createElement('div');
  el.className = 'widget-output';
  el.setAttribute('data-model-id', modelId);
  document.getElementById('out')!.appendChild(el);
  await manager.display_view(view, el);
  return el;
}

const page: any = {
  manager: null as KernelManagerPage | null,
  kernel: null as any,
  errors: [] as string[],
  async connect(kernelName = 'dadalab'): Promise<string> {
    const settings = ServerConnection.makeSettings({ baseUrl: location.origin + '/', wsUrl: location.origin.replace(/^http/, 'ws') + '/', token: new URLSearchParams(location.search).get('token') ?? '', appendToken: true });
    const km = new KernelManager({ serverSettings: settings });
    this.kernel = await km.startNew({ name: kernelName });
    await this.kernel.info;
    this.manager = new KernelManagerPage(this.kernel);
    return this.kernel.id;
  },
  /** Runs code; shows the widget views of its outputs; resolves with the outputs' text/plain and the shown model ids. */
  async execute(code: string): Promise<{ status: string; text: string[]; models: string[]; data: any[] }> {
    const future = this.kernel.requestExecute({ code, stop_on_error: true });
    const text: string[] = [];
    const models: string[] = [];
    const data: any[] = [];
    const shown: Promise<unknown>[] = [];
    future.onIOPub = (msg: any) => {
      const t = msg.header.msg_type;
      if (t === 'stream') text.push(msg.content.text);
      if (t === 'error') text.push(`${msg.content.ename}: ${msg.content.evalue}`);
      if (t === 'display_data' || t === 'execute_result') {
        data.push(msg.content.data);
        const v = msg.content.data[VIEW];
        if (v) { models.push(v.model_id); shown.push(show(this.manager, v.model_id)); }
        else if (msg.content.data['text/plain']) text.push(msg.content.data['text/plain']);
      }
    };
    const reply = await future.done;
    await Promise.all(shown);
    return { status: reply.content.status, text, models, data };
  },
  /** A model's current state, as this frontend holds it. */
  async state(modelId: string): Promise<any> {
    const m = await this.manager.get_model(modelId);
    return m.get_state(false);
  },
  /** Changes a model as a view would (set + save_changes: the update goes to the kernel). */
  async change(modelId: string, values: Record<string, unknown>): Promise<void> {
    const m = await this.manager.get_model(modelId);
    m.set(values);
    m.save_changes();
  },
  /** A saved notebook's widgets, with no kernel: its state loaded, each widget output drawn. */
  async renderSaved(nb: any): Promise<string[]> {
    const manager = new HTMLManager({ loader });
    await manager.set_state(nb.metadata.widgets[STATE]);
    const ids: string[] = [];
    for (const cell of nb.cells) {
      for (const o of cell.outputs ?? []) {
        const v = o.data?.[VIEW];
        if (v) { ids.push(v.model_id); await show(manager, v.model_id); }
      }
    }
    this.manager = manager;
    return ids;
  },
};
window.addEventListener('error', (e) => page.errors.push(String(e.message)));
(window as any).widgetPage = page;
document.body.setAttribute('data-page-ready', 'true');
