/**
 * The widget state of a notebook run, kept from the kernel's comm messages (the runner is a
 * frontend without views): every model opened on the 'jupyter.widget' target, its updates
 * applied, closed ones dropped. Saved as nbformat's widget-state metadata
 * (`metadata.widgets["application/vnd.jupyter.widget-state+json"]`, version 2.0, as ipywidgets 7
 * and 8 write it), so a saved notebook shows the widgets' last state where no kernel runs
 * (JupyterLab, nbviewer, the html-manager).
 */
import type { IOPubMessage } from './client';

export const WIDGET_STATE_MIME = 'application/vnd.jupyter.widget-state+json';

interface Model {
  model_name: string;
  model_module: string;
  model_module_version: string;
  state: Record<string, unknown>;
}

export class WidgetStateTracker {
  private models = new Map<string, Model>();

  /** Takes any iopub message; comm messages of widget models change the state. */
  add(m: IOPubMessage): void {
    const c = m.content ?? {};
    if (m.msg_type === 'comm_open' && c.target_name === 'jupyter.widget') {
      const data = (c.data ?? {}) as Record<string, unknown>;
      // protocol 2: { state, buffer_paths }; protocol 1: the state itself
      const state = { ...((data.state && typeof data.state === 'object' ? data.state : data) as Record<string, unknown>) };
      this.models.set(String(c.comm_id), {
        model_name: String(state._model_name ?? ''),
        model_module: String(state._model_module ?? ''),
        model_module_version: String(state._model_module_version ?? ''),
        state,
      });
    } else if (m.msg_type === 'comm_msg') {
      const model = this.models.get(String(c.comm_id));
      const data = (c.data ?? {}) as { method?: string; state?: Record<string, unknown> };
      if (model && (data.method === 'update' || data.method === 'echo_update') && data.state) Object.assign(model.state, data.state);
    } else if (m.msg_type === 'comm_close') {
      this.models.delete(String(c.comm_id));
    }
  }

  get size(): number {
    return this.models.size;
  }

  /** The nbformat widget-state metadata (version 2.0), or null when no widget is open. */
  metadata(): Record<string, unknown> | null {
    if (this.models.size === 0) return null;
    const state: Record<string, unknown> = {};
    for (const [id, m] of this.models) state[id] = { ...m, state: { ...m.state } };
    return { [WIDGET_STATE_MIME]: { version_major: 2, version_minor: 0, state } };
  }
}
