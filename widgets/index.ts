export { Chart, chart, VEGA_LITE_V5, type VegaLiteSpec, type Displayable } from './chart';
