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

  /** The models (id -> model name, module, state), as tracked so far. */
  modelsById(): ReadonlyMap<string, Model> {
    return this.models;
  }

  /** Leaves a model out of the saved state. */
  drop(id: string): void {
    this.models.delete(id);
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

const WIDGET_VIEW_MIME = 'application/vnd.jupyter.widget-view+json';
const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';
/** The view module of dadalab's own widget views (only frontends with dadalab's extension have it). */
export const DADALAB_VIEW_MODULE = 'nbextensions/dadalab/widgets';

interface OutputLike { data?: Record<string, unknown> }

/**
 * Makes a saved notebook readable where dadalab's widget views are not installed (JupyterLab and
 * nbviewer without our extension, nbconvert's default template, code-hosting sites): an output
 * whose widget needs one of our views (the explorers' charts) and carries a static rendering keeps
 * only that rendering (vega-lite with its parameters, a PNG, text), and the models only such
 * outputs used leave the saved state. Standard controls keep their view and state. Returns how
 * many outputs were changed.
 */
export function portableWidgetOutputs(outputs: OutputLike[], tracker: WidgetStateTracker): number {
  const models = tracker.modelsById();
  const refs = (id: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(id) || !models.has(id)) return seen;
    seen.add(id);
    const visit = (v: unknown): void => {
      if (typeof v === 'string' && v.startsWith('IPY_MODEL_')) refs(v.slice(10), seen);
      else if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object') Object.values(v).forEach(visit);
    };
    visit(models.get(id)!.state);
    return seen;
  };
  const needsOurs = (id: string): boolean => [...refs(id)].some((m) => models.get(m)!.state._view_module === DADALAB_VIEW_MODULE);
  const stripped = new Set<string>();
  const kept = new Set<string>();
  let changed = 0;
  for (const o of outputs) {
    const view = o.data?.[WIDGET_VIEW_MIME] as { model_id?: string } | undefined;
    if (!view?.model_id) continue;
    if (o.data![VEGALITE_MIME] && needsOurs(view.model_id)) {
      delete o.data![WIDGET_VIEW_MIME];
      for (const m of refs(view.model_id)) stripped.add(m);
      changed++;
    } else {
      for (const m of refs(view.model_id)) kept.add(m);
    }
  }
  for (const m of stripped) if (!kept.has(m)) tracker.drop(m);
  return changed;
}
