/**
 * The standard Jupyter controls, created and observed from TypeScript: IntSlider, FloatSlider,
 * Dropdown, ToggleButton, Checkbox, Button, Label, HTML, Output, HBox, VBox, and their Layout.
 * They are the models of ipywidgets (the frontend's own views draw them), in the wire format of
 * either protocol version (protocol.ts).
 *
 *     const k = new IntSlider({ value: 10, min: 1, max: 50, description: 'k' });
 *     const z = new FloatSlider({ value: 1.65, min: 0, max: 5, step: 0.05, description: 'Z' });
 *     z.observe('value', async ({ new: v }) => { label.value = `Z = ${v}`; });
 *     new VBox([k, z, label])
 */
import { InputError } from '../../lib/errors';
import { mimeBundle } from '../bundle';
import { PROTOCOL_VERSION_2, widgetProtocol, type ProtocolVersion } from './protocol';
import { syncedProperties, Widget, type Fallback, type ModelClass } from './widget';

type Css = string | null;

export interface LayoutOptions {
  width?: Css; height?: Css; min_width?: Css; max_width?: Css; min_height?: Css; max_height?: Css;
  margin?: Css; padding?: Css; border?: Css; display?: Css; flex?: Css; flex_flow?: Css;
  align_items?: Css; justify_content?: Css; overflow?: Css; visibility?: Css;
}

/** CSS of a widget's box (ipywidgets' Layout). */
export class Layout extends Widget {
  constructor(opts: LayoutOptions = {}) {
    super({ pkg: 'base', model: 'LayoutModel', view: 'LayoutView' }, { ...opts });
  }
}

/** A style model: SliderStyle, ButtonStyle, DescriptionStyle, ... (StyleView in the base package). */
export class Style extends Widget {
  constructor(model: string, state: Record<string, unknown> = {}) {
    super({ pkg: 'controls', model, view: 'StyleView', viewPackage: 'base' }, state);
  }
}

export interface DomOptions {
  layout?: Layout | LayoutOptions;
  description?: string;
  disabled?: boolean;
  tooltip?: string;
}

function layoutOf(l: Layout | LayoutOptions | undefined): Layout {
  return l instanceof Layout ? l : new Layout(l ?? {});
}

/**
 * Style models each protocol's frontend expects with a control (ipywidgets 6 has fewer; ipywidgets 8
 * gives every described control one).
 */
function styleFor(kind: 'slider' | 'button' | 'toggle' | 'description' | 'label' | 'html' | 'checkbox', protocol: ProtocolVersion): Style | null {
  if (protocol === 1) return kind === 'slider' ? new Style('SliderStyleModel') : kind === 'button' ? new Style('ButtonStyleModel') : null;
  const models = { slider: 'SliderStyleModel', button: 'ButtonStyleModel', toggle: 'ToggleButtonStyleModel', description: 'DescriptionStyleModel',
    label: 'LabelStyleModel', html: 'HTMLStyleModel', checkbox: 'CheckboxStyleModel' } as const;
  return new Style(models[kind], kind === 'button' || kind === 'toggle' ? {} : { description_width: '' });
}

/** A control with a description, a layout and (where the protocol has one) a style. */
export class DOMWidget extends Widget {
  declare layout: Layout;
  declare description: string;
  declare disabled: boolean;

  constructor(cls: ModelClass, state: Record<string, unknown>, opts: DomOptions = {}, style: Parameters<typeof styleFor>[0] | null = null) {
    const st = style ? styleFor(style, widgetProtocol()) : null;
    super(cls, {
      layout: layoutOf(opts.layout), _dom_classes: [],
      ...(st ? { style: st } : {}),
      ...('description' in opts || cls.pkg === 'controls' ? { description: opts.description ?? '' } : {}),
      ...(opts.tooltip !== undefined ? { tooltip: opts.tooltip } : {}),
      ...state,
    });
  }

  protected override toWire(state: Record<string, unknown>): Record<string, unknown> {
    // ipywidgets 6 calls the tooltip of a description 'description_tooltip' only on some controls: keep it only on buttons
    if (this.protocol === 1 && 'tooltip' in state && !/Button/.test(this.cls.model)) {
      const { tooltip: _t, ...rest } = state;
      return rest;
    }
    return state;
  }
}
syncedProperties(DOMWidget, ['layout', 'description', 'disabled']);

function checkRange(what: string, min: number, max: number, value: number): void {
  if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max)) {
    throw new InputError(`${what}: min ${min} and max ${max} do not make a range`, 'Pass finite numbers with min <= max');
  }
  if (!Number.isFinite(value)) throw new InputError(`${what}: value ${value} is not a finite number`, 'Pass a number between min and max');
}

export interface SliderOptions extends DomOptions {
  value?: number;
  min?: number;
  max?: number;
  step?: number;
  /** Send values while the handle moves (default true), or only when it is released. */
  continuousUpdate?: boolean;
  orientation?: 'horizontal' | 'vertical';
  readout?: boolean;
  readoutFormat?: string;
}

function sliderState(o: SliderOptions, dflt: { min: number; max: number; step: number; format: string }, what: string, int: boolean): Record<string, unknown> {
  const min = o.min ?? dflt.min;
  const max = o.max ?? dflt.max;
  const value = Math.min(max, Math.max(min, o.value ?? min));
  checkRange(what, min, max, value);
  return {
    value: int ? Math.round(value) : value, min, max, step: o.step ?? dflt.step,
    continuous_update: o.continuousUpdate ?? true, orientation: o.orientation ?? 'horizontal',
    readout: o.readout ?? true, readout_format: o.readoutFormat ?? dflt.format, _range: false, disabled: o.disabled ?? false,
  };
}

/** A slider of integers. `value` is clamped into [min, max]. */
export class IntSlider extends DOMWidget {
  declare value: number;
  declare min: number;
  declare max: number;
  declare step: number;

  constructor(opts: SliderOptions = {}) {
    super({ pkg: 'controls', model: 'IntSliderModel', view: 'IntSliderView' },
      sliderState(opts, { min: 0, max: 100, step: 1, format: 'd' }, 'IntSlider', true), opts, 'slider');
  }

  override summary(): string {
    return `IntSlider(value=${this.value}, min=${this.min}, max=${this.max}${this.description ? `, description='${this.description}'` : ''})`;
  }
}
syncedProperties(IntSlider, ['value', 'min', 'max', 'step']);

/** A slider of real numbers. */
export class FloatSlider extends DOMWidget {
  declare value: number;
  declare min: number;
  declare max: number;
  declare step: number;

  constructor(opts: SliderOptions = {}) {
    super({ pkg: 'controls', model: 'FloatSliderModel', view: 'FloatSliderView' },
      sliderState(opts, { min: 0, max: 10, step: 0.1, format: '.2f' }, 'FloatSlider', false), opts, 'slider');
  }

  protected override toWire(state: Record<string, unknown>): Record<string, unknown> {
    // ipywidgets 6's FloatSlider has no style model (a slider_color instead)
    if (this.protocol === 1 && 'style' in state) {
      const { style: _s, ...rest } = state;
      return super.toWire(rest);
    }
    return super.toWire(state);
  }

  override summary(): string {
    return `FloatSlider(value=${this.value}, min=${this.min}, max=${this.max}${this.description ? `, description='${this.description}'` : ''})`;
  }
}
syncedProperties(FloatSlider, ['value', 'min', 'max', 'step']);

export interface DropdownOptions<T> extends DomOptions {
  /** The choices: values (shown as their text), or [label, value] pairs. */
  options: ReadonlyArray<T | readonly [string, T]>;
  /** The chosen value (default the first). */
  value?: T;
}

/**
 * A drop-down list. The frontend sees the labels; `value` is the chosen option's value, `index`
 * its position. (Version 1 frontends sync the label as `value`, version 2 the `index`.)
 */
export class Dropdown<T = unknown> extends DOMWidget {
  declare index: number | null;
  readonly labels: readonly string[];
  readonly values: readonly T[];

  constructor(opts: DropdownOptions<T>) {
    if (!opts || !Array.isArray(opts.options) || opts.options.length === 0) {
      throw new InputError('Dropdown needs a non-empty options list', "Pass new Dropdown({ options: ['a', 'b'] }) or [label, value] pairs");
    }
    const pairs = opts.options.map((o) => (Array.isArray(o) && o.length === 2 && typeof o[0] === 'string' ? [o[0], o[1]] as [string, T] : [String(o), o as T] as [string, T]));
    const labels = pairs.map((p) => p[0]);
    const dup = labels.find((l, i) => labels.indexOf(l) !== i);
    if (dup !== undefined) throw new InputError(`Dropdown options have the label '${dup}' twice`, 'Give every option a distinct label ([label, value] pairs)');
    const values = pairs.map((p) => p[1]);
    let index = 0;
    if (opts.value !== undefined) {
      index = values.findIndex((v) => v === opts.value);
      if (index < 0) throw new InputError(`Dropdown value ${String(opts.value)} is not one of the options`, `Pass one of: ${labels.join(', ')}`);
    }
    super({ pkg: 'controls', model: 'DropdownModel', view: 'DropdownView' },
      { _options_labels: labels, index, disabled: opts.disabled ?? false }, opts, 'description');
    this.labels = Object.freeze(labels);
    this.values = Object.freeze(values);
  }

  get value(): T | undefined {
    const i = this.index;
    return i === null || i === undefined ? undefined : this.values[i];
  }

  set value(v: T | undefined) {
    const i = this.values.findIndex((x) => x === v);
    if (i < 0) throw new InputError(`Dropdown value ${String(v)} is not one of the options`, `Pass one of: ${this.labels.join(', ')}`);
    void this.set({ index: i });
  }

  get label(): string | undefined {
    const i = this.index;
    return i === null || i === undefined ? undefined : this.labels[i];
  }

  protected override toWire(state: Record<string, unknown>): Record<string, unknown> {
    const s = super.toWire(state);
    if (this.protocol === 2 || !('index' in s)) return s;
    const { index, ...rest } = s;
    return { ...rest, value: index === null ? null : (this.labels ?? (state._options_labels as string[]) ?? [])[index as number] ?? null };
  }

  protected override fromWire(state: Record<string, unknown>): Record<string, unknown> {
    if (this.protocol === 2 || !('value' in state)) return state;
    const { value, ...rest } = state;
    const i = this.labels.indexOf(String(value));
    return { ...rest, index: i < 0 ? null : i };
  }

  override summary(): string {
    return `Dropdown(value=${JSON.stringify(this.label ?? null)}, options=${JSON.stringify(this.labels)})`;
  }
}
syncedProperties(Dropdown, ['index']);

export interface ButtonOptions extends DomOptions {
  buttonStyle?: '' | 'primary' | 'success' | 'info' | 'warning' | 'danger';
  icon?: string;
}

/** A toggle (on/off) button. */
export class ToggleButton extends DOMWidget {
  declare value: boolean;

  constructor(opts: ButtonOptions & { value?: boolean } = {}) {
    super({ pkg: 'controls', model: 'ToggleButtonModel', view: 'ToggleButtonView' },
      { value: opts.value ?? false, button_style: opts.buttonStyle ?? '', icon: opts.icon ?? '', tooltip: opts.tooltip ?? '', disabled: opts.disabled ?? false },
      opts, 'toggle');
  }

  override summary(): string {
    return `ToggleButton(value=${this.value}, description='${this.description}')`;
  }
}
syncedProperties(ToggleButton, ['value']);

/** A check box. */
export class Checkbox extends DOMWidget {
  declare value: boolean;

  constructor(opts: DomOptions & { value?: boolean; indent?: boolean } = {}) {
    super({ pkg: 'controls', model: 'CheckboxModel', view: 'CheckboxView' },
      { value: opts.value ?? false, disabled: opts.disabled ?? false, ...(opts.indent === undefined ? {} : { indent: opts.indent }) }, opts, 'checkbox');
  }
}
syncedProperties(Checkbox, ['value']);

/** A push button: `onClick(handler)`. */
export class Button extends DOMWidget {
  constructor(opts: ButtonOptions = {}) {
    super({ pkg: 'controls', model: 'ButtonModel', view: 'ButtonView' },
      { button_style: opts.buttonStyle ?? '', icon: opts.icon ?? '', tooltip: opts.tooltip ?? '', disabled: opts.disabled ?? false }, opts, 'button');
  }

  /** Calls `handler` on every click in the frontend (awaited before the kernel reports idle). */
  onClick(handler: (button: Button) => void | Promise<void>): () => void {
    return this.onCustom(async (content) => {
      if ((content as { event?: string } | null)?.event === 'click') await handler(this);
    });
  }

  override summary(): string {
    return `Button(description='${this.description}')`;
  }
}

/** A line of text. */
export class Label extends DOMWidget {
  declare value: string;

  constructor(value = '', opts: DomOptions = {}) {
    super({ pkg: 'controls', model: 'LabelModel', view: 'LabelView' }, { value, placeholder: '' }, opts, 'label');
  }

  override summary(): string {
    return this.value;
  }
}
syncedProperties(Label, ['value']);

/** A piece of HTML (the frontend sanitises it as it does every output). */
export class HTML extends DOMWidget {
  declare value: string;

  constructor(value = '', opts: DomOptions = {}) {
    super({ pkg: 'controls', model: 'HTMLModel', view: 'HTMLView' }, { value, placeholder: '' }, opts, 'html');
  }
}
syncedProperties(HTML, ['value']);

export interface BoxOptions {
  layout?: Layout | LayoutOptions;
  boxStyle?: '' | 'success' | 'info' | 'warning' | 'danger';
}

class Box extends DOMWidget {
  declare children: Widget[];

  constructor(model: 'HBox' | 'VBox', children: Widget[], opts: BoxOptions = {}) {
    if (!Array.isArray(children) || children.some((c) => !(c instanceof Widget))) {
      throw new InputError(`${model} takes an array of widgets`, `Pass new ${model}([slider, button, ...])`);
    }
    super({ pkg: 'controls', model: `${model}Model`, view: `${model}View` }, { children: [...children], box_style: opts.boxStyle ?? '' }, { layout: opts.layout });
  }

  protected override toWire(state: Record<string, unknown>): Record<string, unknown> {
    // boxes have no description
    const { description: _d, ...rest } = super.toWire(state);
    return rest;
  }
}
syncedProperties(Box, ['children']);

/** Widgets side by side. */
export class HBox extends Box {
  constructor(children: Widget[], opts: BoxOptions = {}) {
    super('HBox', children, opts);
  }
}

/** Widgets one under the other. */
export class VBox extends Box {
  constructor(children: Widget[], opts: BoxOptions = {}) {
    super('VBox', children, opts);
  }
}

interface KernelPublish {
  publish?(type: string, content: unknown): void;
  currentMessageId?(): string | null;
}

function kernelPublish(): KernelPublish | undefined {
  return (globalThis as { __dadalab_kernel__?: KernelPublish }).__dadalab_kernel__;
}

/**
 * An output area inside a widget layout: `await out.append(value)` shows a value (text, a result,
 * a chart) in it, `out.clear()` empties it. Version 2 frontends get the outputs as the model's
 * state (and keep them in saved notebooks); version 1 frontends capture the outputs the kernel
 * sends while the model's msg_id names the message being handled.
 */
export class Output extends DOMWidget {
  declare outputs: Record<string, unknown>[];

  constructor(opts: { layout?: Layout | LayoutOptions } = {}) {
    super({ pkg: 'output', model: 'OutputModel', view: 'OutputView' }, { outputs: [], msg_id: '' }, { layout: opts.layout });
  }

  /** Shows values (each as the kernel would show it at the end of a cell) below the earlier ones. */
  async append(...values: unknown[]): Promise<void> {
    const added: Record<string, unknown>[] = [];
    for (const v of values) {
      if (typeof v === 'string') added.push({ output_type: 'stream', name: 'stdout', text: v.endsWith('\n') ? v : `${v}\n` });
      else {
        const b = await mimeBundle(v);
        added.push({ output_type: 'display_data', data: b.data, metadata: b.metadata });
      }
    }
    if (this.protocol === 1) this.capture(added);
    await this.set({ outputs: [...this.outputs, ...added] });
  }

  /** Empties the output area. */
  async clear(): Promise<void> {
    if (this.protocol === 1) kernelPublish()?.publish?.('clear_output', { wait: false });
    await this.set({ outputs: [] });
  }

  private capture(outputs: Record<string, unknown>[]): void {
    const k = kernelPublish();
    const id = k?.currentMessageId?.();
    if (!k?.publish || !id || !this.live) return;
    void this.set({ msg_id: id });
    for (const o of outputs) {
      if (o.output_type === 'stream') k.publish('stream', { name: o.name, text: o.text });
      else k.publish('display_data', { data: o.data, metadata: o.metadata, transient: {} });
    }
    void this.set({ msg_id: '' });
  }

  protected override toWire(state: Record<string, unknown>): Record<string, unknown> {
    const { description: _d, ...rest } = super.toWire(state);
    if (this.protocol === 1) {
      const { outputs: _o, ...v1 } = rest;
      return v1;
    }
    return rest;
  }

  protected override async fallback(): Promise<Fallback | null> {
    return null;
  }
}
syncedProperties(Output, ['outputs']);

export { PROTOCOL_VERSION_2 };
