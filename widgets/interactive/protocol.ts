/**
 * The Jupyter widget messaging protocol, kernel side, in the two versions frontends speak:
 *
 * - version 1 (ipywidgets 6 / jupyter-js-widgets 2.1, Debian bookworm's classic Notebook): the
 *   comm_open data is the model's state itself; updates are `{method: 'update', state}` from the
 *   kernel and `{method: 'backbone', sync_data}` from the frontend; a view is shown with a
 *   `{method: 'display'}` comm message; every model lives in the 'jupyter-js-widgets' module. The
 *   frontend reveals itself by opening a comm to 'jupyter.widget.version' when it connects.
 * - version 2.1.0 (ipywidgets 8, JupyterLab 4, @jupyter-widgets/base 6): the comm_open data is
 *   `{state, buffer_paths}` with `metadata.version`; updates are `{method: 'update', state,
 *   buffer_paths}` both ways, echoed back as `echo_update`; views are shown by a display_data with
 *   `application/vnd.jupyter.widget-view+json` {model_id, version_major: 2}; models live in
 *   '@jupyter-widgets/base' 2.0.0, '@jupyter-widgets/controls' 2.0.0, '@jupyter-widgets/output'
 *   1.0.0; all states can be fetched at once through the 'jupyter.widget.control' comm.
 *
 * The kernel speaks 2.1 unless a version-1 frontend has announced itself. Widgets are made
 * protocol-neutral (widget.ts): only this file knows the wire formats.
 */
import type { CommManager } from '../../kernel/comm';

export type ProtocolVersion = 1 | 2;

/** The widget protocol of ipywidgets 8 (the current one). */
export const PROTOCOL_VERSION_2 = '2.1.0';
/** What a version-1 frontend (jupyter-js-widgets 2.1.4, ipywidgets 6.0) is asked to satisfy. */
export const FRONTEND_VERSION_1 = '~2.1.4';
export const WIDGET_TARGET = 'jupyter.widget';
export const VERSION_TARGET = 'jupyter.widget.version';
export const CONTROL_TARGET = 'jupyter.widget.control';
export const WIDGET_VIEW_MIME = 'application/vnd.jupyter.widget-view+json';
export const WIDGET_STATE_MIME = 'application/vnd.jupyter.widget-state+json';
/** Where the classic Notebook finds our views (requirejs, served from <jupyter data>/nbextensions/dadalab/widgets.js). */
export const DADALAB_VIEW_MODULE = 'nbextensions/dadalab/widgets';

/** Which JavaScript package a model or view class comes from (protocol-neutral). */
export type WidgetPackage = 'base' | 'controls' | 'output' | 'dadalab';

export interface ModuleRef {
  module: string;
  version: string;
}

/** The module and version of a package in a protocol version. */
export function moduleOf(pkg: WidgetPackage, protocol: ProtocolVersion): ModuleRef {
  if (pkg === 'dadalab') return { module: DADALAB_VIEW_MODULE, version: '*' };
  if (protocol === 1) return { module: 'jupyter-js-widgets', version: FRONTEND_VERSION_1 };
  switch (pkg) {
    case 'base': return { module: '@jupyter-widgets/base', version: '2.0.0' };
    case 'controls': return { module: '@jupyter-widgets/controls', version: '2.0.0' };
    default: return { module: '@jupyter-widgets/output', version: '1.0.0' };
  }
}

interface Session {
  comms: CommManager | null;
  protocol: ProtocolVersion;
  /** The version a version-1 frontend reported (null until it does). */
  frontendVersion: string | null;
  validated: boolean | null;
}

const session: Session = { comms: null, protocol: 2, frontendVersion: null, validated: null };

/** The comm manager of the kernel this process is (null outside the dadalab kernel). */
export function widgetComms(): CommManager | null {
  return session.comms;
}

/** The protocol new widgets are created with. */
export function widgetProtocol(): ProtocolVersion {
  return session.protocol;
}

/** What the frontend said about itself (version-1 frontends only). */
export function widgetFrontend(): { protocol: ProtocolVersion; frontendVersion: string | null; validated: boolean | null } {
  return { protocol: session.protocol, frontendVersion: session.frontendVersion, validated: session.validated };
}

/** For tests and embedders: choose the protocol of widgets created from now on. */
export function setWidgetProtocol(protocol: ProtocolVersion): void {
  if (protocol !== 1 && protocol !== 2) throw new RangeError(`widget protocol ${String(protocol)}: use 1 or 2`);
  session.protocol = protocol;
}

/** The registry every widget joins (model id -> widget), for the control comm and saved state. */
export interface RegisteredWidget {
  readonly modelId: string;
  /** The model's full state on the wire (with _model_name & co.). */
  wireState(): Record<string, unknown>;
  readonly modelName: string;
  modelModule(): ModuleRef;
}
export const liveWidgets = new Map<string, RegisteredWidget>();

/**
 * The nbformat widget-state metadata of the live widgets (version 2 format: what JupyterLab,
 * nbconvert and the html-manager read).
 */
export function widgetStateMetadata(): { version_major: number; version_minor: number; state: Record<string, unknown> } {
  const state: Record<string, unknown> = {};
  for (const [id, w] of liveWidgets) {
    const m = w.modelModule();
    state[id] = { model_name: w.modelName, model_module: m.module, model_module_version: m.version, state: w.wireState() };
  }
  return { version_major: 2, version_minor: 0, state };
}

/**
 * Called by the kernel (launcher.ts) once: the comm targets of the widget protocol.
 * - 'jupyter.widget.version' (version-1 frontends): switches this kernel to protocol 1, sends the
 *   frontend version range, and records the frontend's answer.
 * - 'jupyter.widget.control' (protocol 2.1): answers `request_states` with every live model.
 */
export function attachWidgetKernel(comms: CommManager): void {
  session.comms = comms;
  comms.registerTarget(VERSION_TARGET, (comm) => {
    session.protocol = 1;
    comm.onMsg((msg) => {
      session.validated = msg.data.validated === true;
      session.frontendVersion = typeof msg.data.frontend_version === 'string' ? msg.data.frontend_version : null;
    });
    comm.send({ version: FRONTEND_VERSION_1 });
  });
  comms.registerTarget(CONTROL_TARGET, (comm) => {
    session.protocol = 2;
    comm.onMsg((msg) => {
      if (msg.data.method !== 'request_states') return;
      const states: Record<string, unknown> = {};
      for (const [id, w] of liveWidgets) {
        const m = w.modelModule();
        states[id] = { model_name: w.modelName, model_module: m.module, model_module_version: m.version, state: w.wireState() };
      }
      comm.send({ method: 'update_states', states, buffer_paths: [] });
    });
  });
}

/** Sets `value` at `path` inside `obj` (the frontend's binary buffers, put back into the state). */
export function putBuffers(state: Record<string, unknown>, paths: unknown, buffers: Buffer[]): void {
  if (!Array.isArray(paths)) return;
  paths.forEach((p, i) => {
    if (!Array.isArray(p) || p.length === 0 || !buffers[i]) return;
    let node: any = state;
    for (let k = 0; k < p.length - 1; k++) {
      if (node[p[k]] === undefined || node[p[k]] === null) node[p[k]] = typeof p[k + 1] === 'number' ? [] : {};
      node = node[p[k]];
    }
    node[p[p.length - 1]] = buffers[i];
  });
}
