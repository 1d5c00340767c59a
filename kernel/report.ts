/**
 * The HTML report of an executed notebook: one self-contained file that needs no network. Charts
 * are interactive with vega-embed (vega, vega-lite and vega-embed are inlined), and each chart's
 * SVG (rendered in Node by the kernel) is in the page as the fallback where scripts do not run.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { withoutSchema } from '../widgets/render';
import { sourceText, type Notebook, type Output } from './notebook';

const VEGALITE = 'application/vnd.vegalite.v5+json';
const WIDGET_STATE_MIME = 'application/vnd.jupyter.widget-state+json';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c] as string));
}

/** A UMD build shipped in an npm package (their exports maps hide build/ from require.resolve). */
export function vendorScript(pkg: string, file: string): string {
  for (const base of require.resolve.paths(pkg) ?? []) {
    const p = path.join(base, pkg, file);
    if (existsSync(p)) return readFileSync(p, 'utf8');
  }
  throw new Error(`cannot find ${pkg}/${file} in node_modules`);
}

/** The inline <script> blocks for vega, vega-lite and vega-embed (in that order). */
export function vegaScripts(): string {
  return [['vega', 'build/vega.min.js'], ['vega-lite', 'build/vega-lite.min.js'], ['vega-embed', 'build/vega-embed.min.js']]
    .map(([p, f]) => `<script>${vendorScript(p, f).replace(/<\/script/gi, '<\\/script')}</script>`).join('\n');
}

/**
 * True for a link target that cannot run script: http(s), mailto, or no scheme at all (a relative
 * path or #anchor). `javascript:`, `data:`, `vbscript:` and the rest are refused, also spelled
 * with entities, mixed case or control characters inside (browsers ignore those in a scheme).
 */
export function safeHref(escapedHref: string): boolean {
  // Entities decoded until nothing changes (also doubly escaped ones: refusing an odd but harmless link is fine).
  let decoded = escapedHref;
  for (let round = 0; round < 4; round++) {
    const next = decoded
      .replace(/&#x([0-9a-f]{1,6});?/gi, (_, h) => String.fromCodePoint(Math.min(parseInt(h, 16), 0x10ffff)))
      .replace(/&#(\d{1,7});?/g, (_, d) => String.fromCodePoint(Math.min(Number(d), 0x10ffff)))
      .replace(/&(amp|quot|lt|gt|apos|colon|tab|newline);?/gi, (m, n: string) => ({ amp: '&', quot: '"', lt: '<', gt: '>', apos: "'", colon: ':', tab: '', newline: '' } as Record<string, string>)[n.toLowerCase()] ?? m);
    if (next === decoded) break;
    decoded = next;
  }
  // eslint-disable-next-line no-control-regex
  decoded = decoded.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(decoded);
  return !scheme || ['http', 'https', 'mailto'].includes(scheme[1]);
}

function inline(s: string): string {
  return escapeHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
    // A link that could run script keeps its text, without the link.
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, href: string) => (safeHref(href) ? `<a href="${href}">${label}</a>` : label));
}

/** A small Markdown renderer: headings, paragraphs, lists, fenced code, inline code, emphasis, links. */
export function markdown(src: string): string {
  const out: string[] = [];
  const lines = src.replace(/\r\n/g, '\n').split('\n');
  let para: string[] = [];
  let list: { tag: 'ul' | 'ol'; items: string[] } | null = null;
  const flush = () => {
    if (para.length) out.push(`<p>${inline(para.join(' '))}</p>`);
    para = [];
    if (list) out.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${list.tag}>`);
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^```/.test(line)) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) code.push(lines[i]);
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) { flush(); out.push(`<h${h[1].length}>${inline(h[2])}</h${h[1].length}>`); continue; }
    const li = /^\s*([-*]|\d+\.)\s+(.*)$/.exec(line);
    if (li) {
      const tag = /\d/.test(li[1]) ? 'ol' : 'ul';
      if (para.length) { out.push(`<p>${inline(para.join(' '))}</p>`); para = []; }
      if (!list || list.tag !== tag) { if (list) flush(); list = { tag, items: [] }; }
      list.items.push(li[2]);
      continue;
    }
    if (line.trim() === '') { flush(); continue; }
    if (list && /^\s+/.test(line)) { list.items[list.items.length - 1] += ' ' + line.trim(); continue; }
    if (list) flush();
    para.push(line.trim());
  }
  flush();
  return out.join('\n');
}

function text(v: unknown): string {
  return Array.isArray(v) ? v.join('') : String(v ?? '');
}

/** Strips ANSI colour codes from tracebacks. */
function plain(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

/** An <img> of an output's PNG, at the display size its metadata gives (high-density PNGs). */
function pngImg(o: Output, cls = ''): string {
  const data = (o.data ?? {}) as Record<string, unknown>;
  const meta = ((o.metadata ?? {}) as Record<string, { width?: number; height?: number }>)['image/png'] ?? {};
  const size = `${meta.width ? ` width="${meta.width}"` : ''}${meta.height ? ` height="${meta.height}"` : ''}`;
  return `<img${cls ? ` class="${cls}"` : ''}${size} alt="${escapeHtml(text(data['text/plain'] ?? 'chart'))}" src="data:image/png;base64,${text(data['image/png']).replace(/\s/g, '')}">`;
}

function outputHtml(o: Output, charts: unknown[]): string {
  if (o.output_type === 'stream') {
    return `<pre class="stream ${o.name === 'stderr' ? 'stderr' : ''}">${escapeHtml(text(o.text))}</pre>`;
  }
  if (o.output_type === 'error') {
    return `<pre class="error">${escapeHtml(plain((o.traceback as string[] | undefined)?.join('\n') || `${o.ename}: ${o.evalue}`))}</pre>`;
  }
  const data = (o.data ?? {}) as Record<string, unknown>;
  if (data[VEGALITE]) {
    const i = charts.length;
    charts.push(withoutSchema(data[VEGALITE] as Record<string, unknown>));
    // The static fallback where scripts do not run: the PNG (or the SVG of notebooks run before 0.2).
    const fallback = data['image/png'] ? pngImg(o, 'dadalab-chart') : data['image/svg+xml'] ? text(data['image/svg+xml']) : '';
    const caption = data['text/plain'] ? `<div class="summary">${escapeHtml(text(data['text/plain']))}</div>` : '';
    return `<div class="chart" id="chart-${i}" data-chart="${i}">${fallback}</div>${caption}`;
  }
  if (data['image/svg+xml']) return `<div class="svg">${text(data['image/svg+xml'])}</div>`;
  if (data['image/png']) return pngImg(o);
  if (data['text/html']) return `<div class="html">${text(data['text/html'])}</div>`;
  if (data['text/markdown']) return `<div class="md">${markdown(text(data['text/markdown']))}</div>`;
  if (data['text/plain']) return `<pre class="result">${escapeHtml(text(data['text/plain']))}</pre>`;
  return '';
}

const CSS = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
h1, h2, h3 { line-height: 1.2; }
pre { background: #f6f8fa; padding: .6em .8em; overflow-x: auto; border-radius: 4px; margin: .3em 0; font-size: 13px; }
.cell { margin: 1.2em 0; }
.code { display: flex; gap: .6em; }
.prompt { color: #888; font: 12px monospace; min-width: 4.5em; padding-top: .7em; text-align: right; }
.code pre { flex: 1; border-left: 3px solid #4c78a8; }
.outputs { margin-left: 5.1em; }
pre.stream, pre.result { background: none; padding: .2em 0; }
pre.stderr { color: #a65e00; }
pre.error { background: #fdecea; color: #8a1c1c; }
.chart { margin: .4em 0; overflow-x: auto; }
.summary { color: #555; font-size: 13px; }
footer { margin-top: 3em; color: #888; font-size: 12px; border-top: 1px solid #ddd; padding-top: .5em; }
`;

export interface ReportOptions {
  title?: string;
  /** A line at the bottom (what was run, when, by which version). */
  footer?: string;
}

export function renderReport(nb: Notebook, opts: ReportOptions = {}): string {
  const charts: unknown[] = [];
  const body: string[] = [];
  for (const cell of nb.cells) {
    const src = sourceText(cell);
    if (cell.cell_type === 'markdown') { body.push(`<div class="cell md">${markdown(src)}</div>`); continue; }
    if (cell.cell_type !== 'code') continue;
    const count = cell.execution_count ?? ' ';
    const outs = (cell.outputs ?? []).map((o) => outputHtml(o, charts)).join('\n');
    body.push(`<div class="cell"><div class="code"><div class="prompt">In [${count}]:</div><pre>${escapeHtml(src)}</pre></div>`
      + `<div class="outputs">${outs}</div></div>`);
  }
  const firstHeading = nb.cells.filter((c) => c.cell_type === 'markdown').map((c) => /^#\s+(.+)$/m.exec(sourceText(c))?.[1]).find(Boolean);
  const title = escapeHtml(firstHeading ?? opts.title ?? 'dadalab report');
  const specs = JSON.stringify(charts).replace(/</g, '\\u003c');
  // the widgets' last state, kept as nbconvert keeps it (the explorers draw their charts from their outputs)
  const widgetState = (nb.metadata?.widgets as Record<string, unknown> | undefined)?.[WIDGET_STATE_MIME];
  const stateScript = widgetState ? `<script type="${WIDGET_STATE_MIME}">${JSON.stringify(widgetState).replace(/</g, '\\u003c')}</script>\n` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${CSS}</style>
</head><body>
${body.join('\n')}
${opts.footer ? `<footer>${escapeHtml(opts.footer)}</footer>` : ''}
${stateScript}
${vegaScripts()}
<script>
(function () {
  var specs = ${specs};
  var done = 0;
  document.querySelectorAll('.chart[data-chart]').forEach(function (el) {
    var spec = specs[Number(el.getAttribute('data-chart'))];
    if (typeof vegaEmbed !== 'function') return;
    el.innerHTML = '';
    vegaEmbed(el, spec, { renderer: 'svg', actions: false, mode: 'vega-lite' }).then(function () {
      el.setAttribute('data-rendered', 'vega-embed');
      if (++done === specs.length) document.body.setAttribute('data-charts-ready', 'true');
    }, function (e) { el.setAttribute('data-rendered', 'failed'); console.error('chart ' + el.id + ': ' + e); });
  });
  if (specs.length === 0) document.body.setAttribute('data-charts-ready', 'true');
})();
</script>
</body></html>
`;
}
