/**
 * Interactions shared by the charts (vega-lite v5 parameters, so they work wherever vega-embed
 * draws the chart: JupyterLab, the HTML report, the widgets; no kernel needed).
 */
import type { SpecFragment } from './chart';

/**
 * Zoom with the wheel and pan by dragging, bound to the view's scales (double-click resets).
 * With `shiftPan`, panning needs the shift key, so a plain drag stays free for a brush.
 */
export function zoomPan(opts: { name?: string; shiftPan?: boolean } = {}): SpecFragment {
  const select: Record<string, unknown> = { type: 'interval', bind: 'scales' };
  if (opts.shiftPan) {
    select.translate = '[pointerdown[event.shiftKey], window:pointerup] > window:pointermove!';
    select.zoom = 'wheel![event.shiftKey]';
  }
  return { name: opts.name ?? 'zoom', select };
}
