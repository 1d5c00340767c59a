/**
 * Jupyter widgets from TypeScript: the standard controls (controls.ts), a vega-lite chart that
 * reports its selections (chart.ts), and the explorers built on them (explorers/). In notebooks
 * they are under `widgets.` (`new widgets.IntSlider({ ... })`), the explorers at the top level.
 */
export { Widget, liveWidgetById, type Change, type Observer, type Fallback, type ModelClass } from './widget';
export {
  Layout, Style, DOMWidget, IntSlider, FloatSlider, Dropdown, ToggleButton, Checkbox, Button, Label, HTML, Output, HBox, VBox,
  type LayoutOptions, type SliderOptions, type DropdownOptions, type ButtonOptions, type BoxOptions, type DomOptions,
} from './controls';
export { VegaChart, type VegaChartOptions, type Rows } from './chart';
export {
  attachWidgetKernel, widgetProtocol, setWidgetProtocol, widgetFrontend, widgetStateMetadata, widgetComms,
  WIDGET_VIEW_MIME, WIDGET_STATE_MIME, PROTOCOL_VERSION_2, FRONTEND_VERSION_1, type ProtocolVersion,
} from './protocol';
export { Explorer } from './explorers/common';
export { AdpExplorer, adpExplorer, type AdpExplorerOptions, type AdpSource } from './explorers/adp';
export { DecisionGraphExplorer, decisionGraphExplorer, type DecisionGraphExplorerOptions, type DpSource } from './explorers/decisionGraph';
export { LayerExplorer, layerExplorer, type LayerExplorerOptions, type LayerProfileLike } from './explorers/layers';
