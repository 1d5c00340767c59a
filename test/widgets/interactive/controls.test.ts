/**
 * Widgets without a kernel (a script, this test): values, observers, the checks on bad input, and
 * the wire state each protocol version gets. The comm traffic is tested with a kernel in
 * test/kernel/widgets.test.ts and in the browsers in test/e2e.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { widgets } from '../../../widgets';

afterEach(() => widgets.setWidgetProtocol(2));

describe('standard controls, detached', () => {
  it('values can be set and observed; equal values change nothing', async () => {
    const s = new widgets.IntSlider({ value: 3, max: 10, description: 'k' });
    const seen: Array<[number, number]> = [];
    s.observe('value', ({ old, new: v }) => { seen.push([old, v]); });
    await s.set({ value: 5 });
    await s.set({ value: 5 });
    s.value = 6;
    await Promise.resolve();
    expect(seen).toEqual([[3, 5], [5, 6]]);
    expect(s.live).toBe(false);
    expect(s.summary()).toBe("IntSlider(value=6, min=0, max=10, description='k')");
  });

  it('a Dropdown maps values, labels and indices', () => {
    const d = new widgets.Dropdown({ options: [['one', 1], ['two', 2]], value: 2 });
    expect([d.index, d.value, d.label]).toEqual([1, 2, 'two']);
    d.value = 1;
    expect([d.index, d.label]).toEqual([0, 'one']);
  });

  it('bad input is refused with what to do', () => {
    expect(() => new widgets.Dropdown({ options: [] })).toThrow(/non-empty options/);
    expect(() => new widgets.Dropdown({ options: ['a', 'a'] })).toThrow(/label 'a' twice/);
    expect(() => new widgets.Dropdown({ options: ['a', 'b'], value: 'c' })).toThrow(/not one of the options/);
    expect(() => new widgets.IntSlider({ min: 5, max: 1 })).toThrow(/do not make a range/);
    expect(() => new widgets.FloatSlider({ value: Number.NaN })).toThrow(/not a finite number/);
    expect(() => new widgets.VBox([1 as never])).toThrow(/array of widgets/);
    expect(() => new widgets.VegaChart({}, { datasets: { 'bad name': [] } })).toThrow(/not a usable/);
  });
});

describe('the wire state of each protocol version', () => {
  it('2.1: @jupyter-widgets modules, a Dropdown syncs its index, references as IPY_MODEL_', () => {
    const d = new widgets.Dropdown({ options: ['a', 'b'], value: 'b' });
    const st = d.wireState();
    expect([st._model_module, st._model_module_version, st._model_name, st._view_name]).toEqual(['@jupyter-widgets/controls', '2.0.0', 'DropdownModel', 'DropdownView']);
    expect(st.index).toBe(1);
    expect(st.value).toBeUndefined();
    expect(String(st.layout)).toMatch(/^IPY_MODEL_/);
    const box = new widgets.HBox([d]).wireState();
    expect(box.children).toEqual([`IPY_MODEL_${d.modelId}`]);
    expect(box.description).toBeUndefined();
    expect(new widgets.VegaChart({ mark: 'point' }).wireState()._view_module).toBe('nbextensions/dadalab/widgets');
  });

  it('1: jupyter-js-widgets 2.1.4, a Dropdown syncs its label as value, FloatSlider has no style, Output no outputs', () => {
    widgets.setWidgetProtocol(1);
    const d = new widgets.Dropdown({ options: ['a', 'b'], value: 'b' });
    const st = d.wireState();
    expect([st._model_module, st._model_module_version]).toEqual(['jupyter-js-widgets', '~2.1.4']);
    expect(st.value).toBe('b');
    expect(st.index).toBeUndefined();
    expect(new widgets.FloatSlider({ value: 1 }).wireState().style).toBeUndefined();
    expect(String(new widgets.IntSlider({ value: 1 }).wireState().style)).toMatch(/^IPY_MODEL_/);
    expect(new widgets.Output().wireState().outputs).toBeUndefined();
    expect(() => widgets.setWidgetProtocol(3 as never)).toThrow(/use 1 or 2/);
  });
});
