export { Chart, chart, VEGA_LITE_V5, type VegaLiteSpec, type SpecFragment, type AnySpec, type Displayable } from './chart';
export { show, mimeBundle, chartBundle, isDisplayable, useTerminalProgress, MIME_BUNDLE, VEGALITE_MIME, SVG_MIME, PNG_MIME, type MimeBundle } from './bundle';
export { renderSvg, capSpec, importESM, MAX_INLINE_POINTS } from './render';
export { layerQuantityChart, layerOverviewChart, layerMatrixChart, layerCurvesChart, type LayerSeries } from './layers/charts';
export { svgToPng } from './png';
export * as widgets from './interactive';
export { attachWidgetKernel, widgetStateMetadata } from './interactive/protocol';
export { adpExplorer, decisionGraphExplorer, layerExplorer, AdpExplorer, DecisionGraphExplorer, LayerExplorer } from './interactive';
