import { createHash } from 'node:crypto';
import { readFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { chart, Chart } from '../../widgets/chart';
import { capSpec, packData, renderSvg, roundData, MAX_INLINE_POINTS } from '../../widgets/render';
import { chartPng, svgToPng } from '../../widgets/png';
import { chartBundle, isDisplayable, mimeBundle, show, MIME_BUNDLE, PNG_MIME, VEGALITE_MIME } from '../../widgets/bundle';
import { decode, encode, header, WireError } from '../../kernel/wire';
import { describeError, describeDiagnostics } from '../../kernel/errors';
import { DadalabError } from '../../lib/errors';
import { markdown, renderReport } from '../../kernel/report';
import { OutputCollector, type Output } from '../../kernel/notebook';
import { notebookProgressSink, progressBundle } from '../../widgets/progress';
import { kernelspecDir } from '../../kernel/kernelspec';
import { DIST, requireBuilt, tempDir } from './helpers';

const bars = () => chart({
  data: { values: [{ a: 'A', b: 28 }, { a: 'B', b: 55 }, { a: 'C', b: 43 }] },
  mark: 'bar', encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } },
}, 'three bars');

function scatter(n: number): Chart {
  const values = Array.from({ length: n }, (_, i) => ({ x: Math.cos(i), y: Math.sin(i * 1.7) }));
  return chart({ data: { values }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } }, title: 'dots' });
}

describe('rendering charts in Node', () => {
  it('renders a vega-lite v5 spec to an SVG with one mark per row', async () => {
    const svg = await renderSvg(bars().spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path[^>]*aria-roledescription="bar"/g)?.length ?? svg.match(/role-mark/g)?.length).toBeGreaterThan(0);
    expect(svg).toContain('mark-rect');
  });

  it('thins large inline data deterministically and says so in the title', () => {
    const big = scatter(20000);
    const { spec, rows, kept } = capSpec(big.spec);
    expect(rows).toBe(20000);
    expect(kept).toBe(MAX_INLINE_POINTS);
    const values = (spec.data as { values: unknown[] }).values;
    expect(values.length).toBe(MAX_INLINE_POINTS);
    expect(values[0]).toEqual((big.spec.data as { values: unknown[] }).values[0]);
    expect(values[values.length - 1]).toEqual((big.spec.data as { values: unknown[] }).values[19999]);
    expect(JSON.stringify(spec.title)).toContain('2,000 of 20,000 points shown');
    expect(capSpec(bars().spec).spec).toEqual(bars().spec);
  });

  it('packs large inline data as CSV with explicit column types, drawing the same chart', async () => {
    const values = Array.from({ length: 300 }, (_, i) => ({ x: Math.cos(i) * 1.23456789, y: Math.sin(i * 1.7), label: `c${i % 3}${i % 7 ? '' : ', "q"'}`, core: i % 2 === 0, n: i }));
    const spec = { data: { values }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' },
      color: { field: 'label', type: 'nominal' }, shape: { field: 'core', type: 'nominal' }, tooltip: [{ field: 'n' }] } };
    const packed = packData(roundData(spec));
    const data = packed.data as { values: string; format: unknown };
    expect(data.format).toEqual({ type: 'csv', parse: { x: 'number', y: 'number', label: 'string', core: 'boolean', n: 'number' } });
    expect(data.values.split('\n')[0]).toBe('x,y,label,core,n');
    expect(await renderSvg(packed)).toBe(await renderSvg(roundData(spec)));
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(roundData(spec)).length * 0.6);
    // rows that CSV cannot carry faithfully stay as they are
    for (const odd of [[{ a: 1 }, { a: null }], [{ a: 1 }, { a: '1' }], [{ a: { b: 1 } }], [{ a: 1 }, { a: 1, b: 2 }], [{ a: '' }]]) {
      const s = { data: { values: Array.from({ length: 200 }, (_, i) => odd[i % odd.length]) }, mark: 'point' };
      expect(packData(s)).toEqual(s);
    }
    expect(packData(bars().spec)).toEqual(bars().spec);
  });

  it('rounds inline numbers to 5 significant digits, integers and strings untouched', () => {
    const s = roundData({ data: { values: [{ x: 1 / 3, n: 123456789, s: '0.333333333' }] }, layer: [{ data: { values: [{ y: 2 / 3 }] } }] });
    expect(s).toEqual({ data: { values: [{ x: 0.33333, n: 123456789, s: '0.333333333' }] }, layer: [{ data: { values: [{ y: 0.66667 }] } }] });
  });

  it('draws PNGs with the shipped font, the same bytes every time, on white', async () => {
    const svg = await renderSvg(bars().spec);
    const a = await chartPng(svg);
    const b = await chartPng(svg);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.bytes.subarray(1, 4).toString()).toBe('PNG');
    // display size = the SVG's size; the image has twice the pixels
    const w = Number(/width="(\d+)"/.exec(svg)![1]);
    expect(a.width).toBe(w);
    expect(a.bytes.readUInt32BE(16)).toBe(2 * w);
    // the palette PNG is much smaller than the truecolour one
    expect(a.bytes.length).toBeLessThan(svgToPng(svg).bytes.length * 0.6);
    // text is drawn: a chart with a long title has more ink than the same chart without it
    const sharp = require('sharp');
    const ink = async (png: Buffer) => {
      const { data } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
      let n = 0;
      for (const v of data) if (v < 128) n++;
      return n;
    };
    const titled = chart({ ...bars().spec, title: 'A long title with Δ(A → B) ± 0.1' });
    expect(await ink((await chartPng(await renderSvg(titled.spec))).bytes)).toBeGreaterThan(await ink(a.bytes) + 200);
  });
});

describe('display bundles', () => {
  it('a chart is one bundle: vega-lite v5 JSON, PNG and text (no SVG)', async () => {
    const b = await mimeBundle(bars());
    expect(Object.keys(b.data).sort()).toEqual([VEGALITE_MIME, PNG_MIME, 'text/plain'].sort());
    expect(b.metadata[PNG_MIME]).toEqual({ width: expect.any(Number), height: expect.any(Number) });
    expect((b.data[VEGALITE_MIME] as { $schema: string }).$schema).toContain('vega-lite/v5');
    expect(b.data['text/plain']).toBe('three bars');
  });

  it('a result with summary() and plot() shows its summary as text', async () => {
    const result = { summary: () => 'ID 6.3 ± 0.2 at r = 1.4', plot: () => bars() };
    expect(isDisplayable(result)).toBe(true);
    const b = await mimeBundle(result);
    expect(b.data['text/plain']).toBe('ID 6.3 ± 0.2 at r = 1.4');
    expect(Buffer.from(String(b.data[PNG_MIME]), 'base64').subarray(1, 4).toString()).toBe('PNG');
  });

  it('a 20000-point scatter stays small in the notebook, and its PNG draws every point', async () => {
    const b = await chartBundle(scatter(20000), 'dots');
    const size = JSON.stringify(b.data, null, 1).length;
    expect(size).toBeLessThan(150_000);
    expect(size).toBeGreaterThan(20_000);
    // the PNG is drawn from all 20000 rows, the spec from 2000: the PNG has more ink than one of the thinned spec
    const sharp = require('sharp');
    const ink = async (png: Buffer) => {
      const { data } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
      let n = 0;
      for (const v of data) if (v < 200) n++;
      return n;
    };
    const thin = await chartPng(await renderSvg(capSpec(scatter(20000).spec).spec));
    expect(await ink(Buffer.from(String(b.data[PNG_MIME]), 'base64'))).toBeGreaterThan(await ink(thin.bytes) * 1.2);
  });

  it('plain values and MIME_BUNDLE objects', async () => {
    expect(isDisplayable(42)).toBe(false);
    expect((await mimeBundle([1, 2, 3])).data).toEqual({ 'text/plain': '[ 1, 2, 3 ]' });
    const custom = { [MIME_BUNDLE]: () => ({ 'text/markdown': '**hi**' }) };
    expect((await mimeBundle(custom)).data).toEqual({ 'text/markdown': '**hi**' });
    const deno = { [Symbol.for('Jupyter.display')]: () => ({ 'text/html': '<b>hi</b>' }) };
    expect(isDisplayable(deno)).toBe(true);
    expect((await mimeBundle(deno)).data).toEqual({ 'text/html': '<b>hi</b>' });
  });

  it('a Matrix shows its shape and first rows; a big object its set fields', async () => {
    const { Matrix } = await import('../../lib/matrix');
    const m = Matrix.fromRows(Array.from({ length: 7 }, (_, i) => [i, i / 3, 2]));
    expect((await mimeBundle(m)).data['text/plain']).toBe('Matrix 7 x 3 (float64)\n  [0, 0, 2]\n  [1, 0.3333, 2]\n  [2, 0.6667, 2]\n'
      + '  [3, 1, 2]\n  [4, 1.333, 2]\n  ... 2 more rows');
    class Big { a = new Float64Array(500); b: number | null = null; c = 2.5; d = m; e = Array.from({ length: 40 }, (_, i) => ({ i })); }
    expect((await mimeBundle(new Big())).data['text/plain']).toBe('Big {\n  a: Float64Array(500)\n  c: 2.5\n  d: Matrix 7 x 3\n  e: Array(40)\n}');
  });

  it('show() outside the kernel prints the summary', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await show({ summary: () => 'a summary' });
    expect(log).toHaveBeenCalledWith('a summary');
    log.mockRestore();
  });
});

describe('wire protocol', () => {
  it('signs, verifies and refuses a tampered message', () => {
    const msg = { identities: [Buffer.from('id')], header: header('execute_request', 's1'), parent_header: {}, metadata: {}, content: { code: '1' } };
    const frames = encode('secret', msg);
    const back = decode('secret', frames);
    expect(back.content).toEqual({ code: '1' });
    expect(back.identities[0].toString()).toBe('id');
    const tampered = frames.slice();
    tampered[tampered.length - 1] = Buffer.from(JSON.stringify({ code: '2' }));
    expect(() => decode('secret', tampered)).toThrow(WireError);
    expect(() => decode('other key', frames)).toThrow(/invalid HMAC/);
  });
});

describe('error messages', () => {
  it('a DadalabError is its message, with no stack', () => {
    const e = describeError(new DadalabError('File not found: x.npy (looked for /a/x.npy)', 'Check the path'));
    expect(e.ename).toBe('DadalabError');
    expect(e.traceback).toEqual(['DadalabError: File not found: x.npy (looked for /a/x.npy). Check the path']);
  });
  it('other errors keep no frames of node internals, tslab or the library', () => {
    const err = new TypeError('x is not a function');
    err.stack = 'TypeError: x is not a function\n    at evalmachine.<anonymous>:3:5\n    at Module._compile (node:internal/modules/cjs/loader:1554:14)\n'
      + '    at f (/p/node_modules/tslab/dist/executor.js:160:20)\n    at g (/p/dist/lib/data/base.ts:3:3)';
    const e = describeError(err);
    expect(e.traceback).toEqual(['TypeError: x is not a function', '    at cell:3:5']);
  });
  it('interrupts and type errors', () => {
    expect(describeError(new Error('Script execution was interrupted by `SIGINT`')).ename).toBe('Interrupted');
    const d = describeDiagnostics(["1:7 - Type 'number' is not assignable to type 'string'."]);
    expect(d.ename).toBe('TypeScriptError');
    expect(d.evalue).toBe("line 1, column 7: Type 'number' is not assignable to type 'string'.");
    expect(describeError('plain string').evalue).toBe('plain string');
  });
});

describe('progress sinks', () => {
  it('a terminal bar writes its label and count', async () => {
    const { terminalProgressSink } = await import('../../widgets/progress');
    let text = '';
    const stream = { isTTY: false, columns: 80, write: (s: string) => { text += s; return true; }, cursorTo() {}, clearLine() {}, moveCursor() {} };
    const bar = terminalProgressSink(stream as unknown as NodeJS.WriteStream).start('neighbours', 10);
    bar.update(5);
    bar.finish();
    expect(text).toContain('neighbours');
    expect(text).toContain('10/10');
  });
});

describe('the notebook progress display', () => {
  it('is one display per cell, updated in place, nested tasks included', () => {
    const sent: Array<{ update: boolean; data: any; id: string }> = [];
    let key = 'cell-1';
    const sink = notebookProgressSink(() => ({ key, write: (b: any, update) => sent.push({ update, data: b.data, id: b.transient.display_id }) }));
    const outer = sink.start('information imbalance', 2);
    for (let r = 0; r < 2; r++) {
      const inner = sink.start('neighbours', 100);
      inner.update(50);
      inner.finish();
      outer.update(r + 1);
    }
    outer.finish();
    expect(new Set(sent.map((m) => m.id)).size).toBe(1);
    expect(sent[0].update).toBe(false);
    expect(sent.slice(1).every((m) => m.update)).toBe(true);
    expect(sent.some((m) => /^information imbalance > neighbours: /.test(m.data['text/plain']))).toBe(true);
    expect(sent[sent.length - 1].data['text/plain']).toBe('done: neighbours x2, information imbalance');
    key = 'cell-2';
    const next = sink.start('neighbours', 10);
    next.finish();
    expect(sent[sent.length - 1].id).not.toBe(sent[0].id);
    expect(sent[sent.length - 1].data['text/plain']).toBe('neighbours: done (10/10)');
  });

  it('after an interrupt says where the computation stopped, not "done"', async () => {
    const progress = await import('../../lib/runtime/progress');
    const sent: any[] = [];
    const sink = notebookProgressSink(() => ({ key: 'cell-i', write: (b: any) => sent.push(b) }));
    const outer = sink.start('information imbalance', 10);
    const run = async () => {
      try {
        for (let r = 0; r < 10; r++) {
          const inner = sink.start('neighbours', 100);
          try {
            inner.update(40);
            if (r === 2) progress.requestCancel();
            await progress.checkpoint();
            inner.update(100);
          } finally {
            inner.finish();
          }
          outer.update(r + 1);
        }
      } finally {
        outer.finish();
      }
    };
    await expect(run()).rejects.toThrow(progress.CancelledError);
    const last = sent[sent.length - 1];
    expect(last.data['text/plain']).toBe('information imbalance: interrupted at 20% (2/10); done before: neighbours x2');
    expect(last.metadata.dadalab.progress).toMatchObject({ interrupted: true, done: 2, total: 10 });
    // a task alone
    const sent2: any[] = [];
    const sink2 = notebookProgressSink(() => ({ key: 'cell-j', write: (b: any) => sent2.push(b) }));
    const t = sink2.start('neighbours', 20000);
    t.update(4200);
    progress.requestCancel();
    await expect(progress.checkpoint()).rejects.toThrow();
    t.finish();
    expect(sent2[sent2.length - 1].data['text/plain']).toBe('neighbours: interrupted at 21% (4200/20000)');
  });
});

describe('executeCells', () => {
  it('runs code cells in order, mirrors progress to a terminal, stops at the first failure', async () => {
    const { executeCells } = await import('../../kernel/run');
    const ran: string[] = [];
    const kernel = {
      async execute(code: string, on?: (m: any) => void) {
        ran.push(code);
        const p = (done: number, finished: boolean) => progressBundle('work', done, 4, 'd1', finished, 0) as any;
        on?.({ msg_type: 'display_data', content: p(0, false), metadata: {} });
        on?.({ msg_type: 'update_display_data', content: p(4, true), metadata: {} });
        if (code === 'bad') {
          on?.({ msg_type: 'error', content: { ename: 'Error', evalue: 'bad cell', traceback: ['Error: bad cell'] }, metadata: {} });
          return { reply: { status: 'error', execution_count: ran.length }, messages: [] };
        }
        return { reply: { status: 'ok', execution_count: ran.length }, messages: [] };
      },
      async interrupt() {},
      async shutdown() {},
    };
    let text = '';
    const stream = { isTTY: false, columns: 80, write: (t: string) => { text += t; return true; }, cursorTo() {}, clearLine() {}, moveCursor() {} };
    const nb = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
      { cell_type: 'markdown' as const, source: '# t', metadata: {} },
      { cell_type: 'code' as const, source: 'good', metadata: {}, outputs: [], execution_count: null },
      { cell_type: 'code' as const, source: 'bad', metadata: {}, outputs: [], execution_count: null },
      { cell_type: 'code' as const, source: 'never', metadata: {}, outputs: [], execution_count: null },
    ] };
    const r = await executeCells(kernel, nb, { progressStream: stream as unknown as NodeJS.WriteStream });
    expect(ran).toEqual(['good', 'bad']);
    expect(r.failure).toMatchObject({ index: 2, ename: 'Error', evalue: 'bad cell' });
    expect(nb.cells[1].outputs).toEqual([expect.objectContaining({ output_type: 'display_data' })]);
    expect(nb.cells[3].execution_count).toBeNull();
    expect(text).toContain('work');
  });
});

describe('useTerminalProgress', () => {
  it('installs a terminal sink for library loops, and a Ctrl-C cancels the next checkpoint', async () => {
    const { useTerminalProgress } = await import('../../widgets/bundle');
    const progress = await import('../../lib/runtime/progress');
    let text = '';
    const stream = { isTTY: false, columns: 80, write: (s: string) => { text += s; return true; }, cursorTo() {}, clearLine() {}, moveCursor() {} };
    const restore = useTerminalProgress({ stream: stream as unknown as NodeJS.WriteStream });
    try {
      const bar = progress.startProgress('pairs', 4);
      bar.update(4);
      bar.finish();
      expect(text).toContain('pairs');
      process.emit('SIGINT');
      await expect(progress.checkpoint()).rejects.toThrow(progress.CancelledError);
    } finally {
      restore();
      progress.clearCancel();
    }
    expect(progress.setProgressSink(null)).toBeNull();
  });
});

describe('outputs and the report', () => {
  it('merges streams and applies display updates in place', () => {
    const c = new OutputCollector();
    const out: Output[] = [];
    c.add(out, { msg_type: 'stream', content: { name: 'stdout', text: 'a' }, metadata: {} });
    c.add(out, { msg_type: 'stream', content: { name: 'stdout', text: 'b' }, metadata: {} });
    c.add(out, { msg_type: 'display_data', content: progressBundle('work', 0, 10, 'p1', false, 0), metadata: {} });
    c.add(out, { msg_type: 'update_display_data', content: progressBundle('work', 10, 10, 'p1', true, 1.5), metadata: {} });
    expect(out.length).toBe(2);
    expect(out[0].text).toBe('ab');
    expect((out[1].data as Record<string, string>)['text/plain']).toBe('work: done (10/10)');
  });

  it('renders markdown and a self-contained page', async () => {
    expect(markdown('# T\n\nsome `code` and **bold**\n\n- a\n- b')).toBe('<h1>T</h1>\n<p>some <code>code</code> and <strong>bold</strong></p>\n<ul><li>a</li><li>b</li></ul>');
    const b = await mimeBundle(bars());
    const html = renderReport({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
      { cell_type: 'markdown', source: '# Report', metadata: {} },
      { cell_type: 'code', source: 'bars', metadata: {}, execution_count: 1, outputs: [{ output_type: 'execute_result', execution_count: 1, data: b.data, metadata: {} }] },
    ] });
    expect(html).toContain('<h1>Report</h1>');
    expect(html).toContain('<title>Report</title>');
    expect(html).toContain('data-chart="0"');
    expect(html).not.toMatch(/<script[^>]+src=/);
  });
});

describe('the launcher', () => {
  it('makes @types/node reachable for notebooks outside the project', () => {
    requireBuilt();
    const { ensureNodeTypes, preludeSource } = require(path.join(DIST, 'kernel', 'launcher.js'));
    const types = ensureNodeTypes();
    expect(types).not.toBeNull();
    expect(existsSync(path.join(types, 'package.json'))).toBe(true);
    const { expandShorthandProperties } = require(path.join(DIST, 'kernel', 'launcher.js'));
    expect(expandShorthandProperties('f({ a, b: 2, c }); const { d } = o; ({ e } = o); ({ g = 1 } = o)'))
      .toBe('f({ a: a, b: 2, c: c }); const { d } = o; ({ e: e } = o); ({ g = 1 } = o)');
    expect(expandShorthandProperties('`${x}` + "{ y }"')).toBe('`${x}` + "{ y }"');
    const prelude = preludeSource({ Data: 1, loadData: 2, default: 3 }, '/lib/index.js');
    expect(prelude).toBe('import * as dadalab from "/lib/index.js";\nimport { Data, loadData } from "/lib/index.js";\n');
  });
});

describe('kernelspec install', () => {
  it('writes kernel.json with absolute paths under --prefix, and removes it', () => {
    requireBuilt();
    const { installKernelspec, uninstallKernelspec } = require(path.join(DIST, 'kernel', 'kernelspec.js'));
    const prefix = tempDir('dadalab-prefix-');
    const dir = installKernelspec({ prefix });
    expect(dir).toBe(path.join(prefix, 'share', 'jupyter', 'kernels', 'dadalab'));
    const spec = JSON.parse(readFileSync(path.join(dir, 'kernel.json'), 'utf8'));
    expect(spec.display_name).toBe('dadalab (TypeScript)');
    expect(spec.argv[0]).toBe(process.execPath);
    expect(path.isAbsolute(spec.argv[1])).toBe(true);
    expect(spec.argv.slice(2)).toEqual(['--config-path', '{connection_file}']);
    expect(uninstallKernelspec({ prefix })).toBe(dir);
    expect(existsSync(dir)).toBe(false);
    // no empty folders left behind (install made share/jupyter/kernels and nbconvert/templates)
    expect(readdirSync(prefix)).toEqual([]);
    expect(uninstallKernelspec({ prefix })).toBeNull();
    // folders holding something else stay
    installKernelspec({ prefix });
    mkdirSync(path.join(prefix, 'share', 'jupyter', 'kernels', 'python3'), { recursive: true });
    uninstallKernelspec({ prefix });
    expect(readdirSync(path.join(prefix, 'share', 'jupyter', 'kernels'))).toEqual(['python3']);
    expect(existsSync(path.join(prefix, 'share', 'jupyter', 'nbconvert'))).toBe(false);
  });
  it('installs the prebuilt JupyterLab extension in labextensions/dadalab; a reinstall drops stale chunks; uninstall removes it', () => {
    requireBuilt();
    const { installKernelspec, uninstallKernelspec, labextensionDir, PACKAGED_JUPYTER_PATH } = require(path.join(DIST, 'kernel', 'kernelspec.js'));
    const built = path.join(PACKAGED_JUPYTER_PATH, 'labextensions', 'dadalab');
    const prefix = tempDir('dadalab-prefix-');
    installKernelspec({ prefix });
    const dir = labextensionDir({ prefix });
    expect(dir).toBe(path.join(prefix, 'share', 'jupyter', 'labextensions', 'dadalab'));
    // JupyterLab's federated-extension layout: package.json naming the remoteEntry it loads, static/
    const meta = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(meta.name).toBe('dadalab');
    expect(meta.jupyterlab.extension).toBe(true);
    expect(meta.jupyterlab._build.extension).toBe('./extension');
    expect(existsSync(path.join(dir, meta.jupyterlab._build.load))).toBe(true);
    expect(meta.jupyterlab.outputDir).toBeUndefined();
    expect(JSON.parse(readFileSync(path.join(dir, 'install.json'), 'utf8')).packageName).toBe('dadalab');
    // every built file, byte for byte
    for (const f of readdirSync(path.join(built, 'static'))) {
      expect(readFileSync(path.join(dir, 'static', f)).equals(readFileSync(path.join(built, 'static', f)))).toBe(true);
    }
    // a chunk of an earlier build (recorded in the manifest as written) goes on reinstall; a file of the user's stays
    const manifestFile = path.join(prefix, 'share', 'jupyter', 'kernels', 'dadalab', 'dadalab-install.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    const stale = path.join(dir, 'static', 'remoteEntry.0123456789abcdef0123.js');
    writeFileSync(stale, 'old');
    manifest.files[stale] = createHash('sha256').update('old').digest('hex');
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const mine = path.join(dir, 'static', 'notes.txt');
    writeFileSync(mine, 'mine');
    installKernelspec({ prefix });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(mine)).toBe(true);
    const kept: string[] = [];
    uninstallKernelspec({ prefix }, kept);
    expect(kept).toContain(mine);
    expect(readdirSync(path.join(dir, 'static'))).toEqual(['notes.txt']);
    rmSync(mine);
    // reinstalled and uninstalled: no file left (folders the first install made and the second found stay, empty)
    installKernelspec({ prefix });
    uninstallKernelspec({ prefix });
    expect(readdirSync(prefix, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())).toEqual([]);
  });
  it('refuses --user with --prefix', () => {
    expect(() => kernelspecDir({ user: true, prefix: '/tmp/x' })).toThrow(/both --user and --prefix/);
  });
});
