/**
 * A Jupyter widget model owned by the kernel: state that the frontend's views show and change,
 * kept in sync over a comm (the widget protocol of protocol.ts, either version). The state here
 * is protocol-neutral; a subclass maps it to the wire where versions differ (toWire/fromWire).
 *
 *     const s = new IntSlider({ value: 3, max: 10, description: 'k' });
 *     s.observe('value', ({ new: k }) => console.log(k));
 *     s          // as the last expression of a cell: the slider
 *     s.value = 5;
 *
 * Outside the dadalab kernel (a script, a test) a widget works without a frontend: setting and
 * observing values still work, and it displays as its text.
 */
import type { Comm, CommEnvelope } from '../../kernel/comm';
import { MIME_BUNDLE } from '../bundle';
import {
  liveWidgets, moduleOf, putBuffers, widgetComms, widgetProtocol, PROTOCOL_VERSION_2, WIDGET_TARGET, WIDGET_VIEW_MIME,
  type ModuleRef, type ProtocolVersion, type RegisteredWidget, type WidgetPackage,
} from './protocol';

export interface ModelClass {
  /** Package of the model class (the view's, unless `viewPackage` says otherwise). */
  pkg: WidgetPackage;
  model: string;
  /** The view class, or null for models without a view (Layout has one; styles have StyleView). */
  view: string | null;
  viewPackage?: WidgetPackage;
}

export interface Change<T = unknown> {
  name: string;
  old: T;
  new: T;
  owner: Widget;
  /** True when the change came from the frontend (a person moved the slider). */
  fromFrontend: boolean;
}

export type Observer = (change: Change<any>) => unknown;
export type CustomHandler = (content: unknown, buffers: Buffer[]) => void | Promise<void>;

/** Extra MIME data shown where no widget manager runs (a static rendering of the widget). */
export interface Fallback {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

const REF = 'IPY_MODEL_';

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Widget || b instanceof Widget) return false;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Widgets inside a value (references) become 'IPY_MODEL_<id>' strings on the wire. */
function serialise(value: unknown): unknown {
  if (value instanceof Widget) return REF + value.modelId;
  if (Array.isArray(value)) return value.map(serialise);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, serialise(v)]));
  }
  return value;
}

function deserialise(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith(REF)) return liveWidgetById(value.slice(REF.length)) ?? value;
  if (Array.isArray(value)) return value.map(deserialise);
  return value;
}

const byId = new Map<string, Widget>();
/** The live widget with this model id. */
export function liveWidgetById(id: string): Widget | undefined {
  return byId.get(id);
}

let detachedCount = 0;

export class Widget implements RegisteredWidget {
  readonly modelId: string;
  /** The protocol this widget speaks (fixed when it is created). */
  readonly protocol: ProtocolVersion;
  protected readonly cls: ModelClass;
  private readonly state: Record<string, unknown>;
  private readonly observers = new Map<string, Set<Observer>>();
  private readonly customHandlers = new Set<CustomHandler>();
  private comm: Comm | null = null;
  private isClosed = false;
  /** Values being applied from the frontend: not sent back while unchanged (2.1 echoes them instead). */
  private applying: Map<string, unknown> | null = null;

  constructor(cls: ModelClass, state: Record<string, unknown>) {
    this.cls = cls;
    this.protocol = widgetProtocol();
    this.state = { ...state };
    const comms = widgetComms();
    if (comms) {
      this.comm = comms.open(WIDGET_TARGET, this.openData(), this.protocol === 2 ? { version: PROTOCOL_VERSION_2 } : {});
      this.modelId = this.comm.commId;
      this.comm.onMsg((m) => this.received(m));
      this.comm.onClose(() => this.forget());
    } else {
      this.modelId = `detached-${++detachedCount}`;
    }
    byId.set(this.modelId, this);
    liveWidgets.set(this.modelId, this);
  }

  get modelName(): string {
    return this.cls.model;
  }

  modelModule(): ModuleRef {
    return moduleOf(this.cls.pkg, this.protocol);
  }

  /** True when a frontend can show this widget (it runs in the dadalab kernel). */
  get live(): boolean {
    return this.comm !== null && !this.isClosed;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** A value of the state. */
  get<T = unknown>(name: string): T {
    return this.state[name] as T;
  }

  /**
   * Changes values: observers run (awaited), then the changed values go to the frontend in one
   * update. Values equal to the current ones change nothing.
   */
  async set(values: Record<string, unknown>): Promise<void> {
    const changes: Change[] = [];
    for (const [name, value] of Object.entries(values)) {
      const old = this.state[name];
      if (same(old, value)) continue;
      this.state[name] = value;
      changes.push({ name, old, new: value, owner: this, fromFrontend: false });
    }
    if (changes.length === 0) return;
    this.sendState(changes.map((c) => c.name));
    for (const c of changes) await this.notify(c);
  }

  /**
   * Calls `handler` on each change of the named values ('*': every value); returns a function
   * that stops it. Handlers may be async: a frontend change is answered after they finish.
   */
  observe(names: string | string[], handler: Observer): () => void {
    for (const n of Array.isArray(names) ? names : [names]) {
      if (!this.observers.has(n)) this.observers.set(n, new Set());
      (this.observers.get(n) as Set<Observer>).add(handler);
    }
    return () => { for (const n of Array.isArray(names) ? names : [names]) this.observers.get(n)?.delete(handler); };
  }

  /** Custom messages from the frontend's view (a button click, a chart selection). */
  onCustom(handler: CustomHandler): () => void {
    this.customHandlers.add(handler);
    return () => { this.customHandlers.delete(handler); };
  }

  /** A custom message to the frontend's views. */
  sendCustom(content: unknown): void {
    this.comm?.send({ method: 'custom', content });
  }

  /** Closes the widget: its views disappear, it stops syncing. */
  close(): void {
    if (this.isClosed) return;
    this.comm?.close();
    this.forget();
  }

  /** The state as the frontend reads it (references as 'IPY_MODEL_<id>', _model_* names included). */
  wireState(): Record<string, unknown> {
    const model = this.modelModule();
    const view = moduleOf(this.cls.viewPackage ?? this.cls.pkg, this.protocol);
    const head: Record<string, unknown> = {
      _model_module: model.module, _model_module_version: model.version, _model_name: this.cls.model,
      _view_module: this.cls.view ? view.module : null, _view_module_version: this.cls.view ? view.version : '', _view_name: this.cls.view,
    };
    if (this.protocol === 1) head.msg_throttle = 1;
    else head._view_count = null;
    return { ...head, ...(serialise(this.toWire({ ...this.state }, null)) as Record<string, unknown>) };
  }

  /** Protocol-specific wire names or encodings of some state (default: the same). `keys` null: all. */
  protected toWire(state: Record<string, unknown>, _keys: string[] | null): Record<string, unknown> {
    return state;
  }

  /** The inverse of toWire for values coming from the frontend. */
  protected fromWire(state: Record<string, unknown>): Record<string, unknown> {
    return state;
  }

  /** The widget's text in a display bundle (and where no frontend runs). */
  summary(): string {
    return `${this.cls.model.replace(/Model$/, '')}()`;
  }

  private fallbackFn: (() => Promise<Fallback | null>) | null = null;

  /** A static rendering for frontends without a widget manager (none unless setFallback gave one). */
  protected async fallback(): Promise<Fallback | null> {
    return this.fallbackFn ? this.fallbackFn() : null;
  }

  /**
   * What frontends without a widget manager show instead of this widget (MIME data next to the
   * widget view in its display bundle: a vega-lite chart with its PNG, say).
   */
  setFallback(fn: (() => Promise<Fallback | null>) | null): void {
    this.fallbackFn = fn;
  }

  /** What the kernel shows for the widget: its view, and the fallback where views cannot be shown. */
  async [MIME_BUNDLE](): Promise<{ data: Record<string, unknown>; metadata: Record<string, unknown> }> {
    if (!this.live || !this.cls.view) return { data: { 'text/plain': this.summary() }, metadata: {} };
    if (this.protocol === 1) {
      // ipywidgets 6: the view is shown by a comm message; the display_data only records it in the notebook
      this.comm?.send({ method: 'display' });
      return { data: { [WIDGET_VIEW_MIME]: { model_id: this.modelId } }, metadata: {} };
    }
    const fb = await this.fallback();
    return {
      data: { 'text/plain': this.summary(), ...(fb?.data ?? {}), [WIDGET_VIEW_MIME]: { model_id: this.modelId, version_major: 2, version_minor: 0 } },
      metadata: { ...(fb?.metadata ?? {}) },
    };
  }

  private openData(): Record<string, unknown> {
    const state = this.wireState();
    return this.protocol === 1 ? state : { state, buffer_paths: [] };
  }

  private sendState(keys: string[]): void {
    if (!this.live) return;
    const pending = this.applying;
    const send = pending ? keys.filter((k) => !pending.has(k) || !same(pending.get(k), this.state[k])) : keys;
    if (send.length === 0) return;
    const part: Record<string, unknown> = {};
    for (const k of send) part[k] = this.state[k];
    const state = serialise(this.toWire(part, send)) as Record<string, unknown>;
    if (Object.keys(state).length === 0) return;
    this.comm?.send(this.protocol === 1 ? { method: 'update', state, buffers: [] } : { method: 'update', state, buffer_paths: [] });
  }

  private async notify(c: Change): Promise<void> {
    for (const h of [...(this.observers.get(c.name) ?? []), ...(this.observers.get('*') ?? [])]) await h(c);
  }

  private async received(msg: CommEnvelope): Promise<void> {
    const data = msg.data as Record<string, any>;
    switch (data.method) {
      case 'update':
      case 'backbone': {
        const wire = { ...((data.method === 'backbone' ? data.sync_data : data.state) ?? {}) } as Record<string, unknown>;
        putBuffers(wire, data.method === 'backbone' ? (data.buffer_keys ?? []).map((k: string) => [k]) : data.buffer_paths, msg.buffers);
        if (this.protocol === 2 && Object.keys(wire).length) {
          this.comm?.send({ method: 'echo_update', state: wire, buffer_paths: [] });
        }
        await this.applyFromFrontend(this.fromWire(wire));
        break;
      }
      case 'request_state':
        this.comm?.send(this.protocol === 1
          ? { method: 'update', state: this.wireState(), buffers: [] }
          : { method: 'update', state: this.wireState(), buffer_paths: [] });
        break;
      case 'custom':
        for (const h of [...this.customHandlers]) await h(data.content, msg.buffers);
        break;
      default:
        break;
    }
  }

  private async applyFromFrontend(values: Record<string, unknown>): Promise<void> {
    const changes: Change[] = [];
    for (const [name, raw] of Object.entries(values)) {
      if (name.startsWith('_')) continue;
      const value = deserialise(raw);
      const old = this.state[name];
      if (same(old, value)) continue;
      this.state[name] = value;
      changes.push({ name, old, new: value, owner: this, fromFrontend: true });
    }
    this.applying = new Map(changes.map((c) => [c.name, c.new]));
    try {
      for (const c of changes) await this.notify(c);
    } finally {
      this.applying = null;
    }
  }

  private forget(): void {
    this.isClosed = true;
    byId.delete(this.modelId);
    liveWidgets.delete(this.modelId);
  }
}

/** Defines `get`/`set` accessors for state values on a widget class (set sends the update). */
export function syncedProperties(target: { prototype: Widget }, names: string[]): void {
  for (const name of names) {
    Object.defineProperty(target.prototype, name, {
      configurable: true,
      enumerable: false,
      get(this: Widget) { return this.get(name); },
      set(this: Widget, v: unknown) { void this.set({ [name]: v }); },
    });
  }
}
