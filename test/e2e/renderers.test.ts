/**
 * Every chart of every shipped notebook, executed by `dadalab run`, is visible in each place a
 * reader opens a notebook: JupyterLab 4's own renderers (rendermime + the vega5 extension, untrusted
 * and trusted), Debian's classic Notebook 6.4 (untrusted and trusted), `jupyter nbconvert --to html`
 * with the default template, and a sanitising renderer like those of code-hosting sites (no scripts,
 * no inline SVG). One Chromium, many pages. "Visible" means drawn with ink (non-white pixels)
 * at a real size, one per chart output, and (in JupyterLab) drawn by vega, not a fallback.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, describeWith, missingChromium, missingNbconvert, tempDir, spawnAsync } from '../kernel/helpers';
import { executedNotebook, SHIPPED } from '../kernel/executed';
import { buildJupyterLabPage } from './jupyterlab/build';

const VL = 'application/vnd.vegalite.v5+json';

function missingClassicNotebook(): string | null {
  const r = spawnSync('jupyter', ['notebook', '--version'], { encoding: 'utf8', timeout: 30_000 });
  return !r.error && r.status === 0 && /^6\./.test(r.stdout.trim()) ? null : 'the classic Notebook 6 is not installed (apt-get install jupyter-notebook)';
}

interface Executed {
  name: string;
  file: string;
  nb: { cells: Array<{ cell_type: string; outputs?: Array<{ data?: Record<string, unknown> }> }> };
  charts: number;
}

/** Per image: natural width, displayed width and count of non-white pixels (drawn on white). */
const INK_OF_IMAGES = `async (imgs) => Promise.all(imgs.map(async (img) => {
  if (!img.complete) await new Promise((r) => { img.onload = r; img.onerror = r; });
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d');
  g.fillStyle = '#fff'; g.fillRect(0, 0, c.width, c.height);
  g.drawImage(img, 0, 0);
  const px = g.getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200) ink++;
  const r = img.getBoundingClientRect();
  return { natural: img.naturalWidth, shown: r.width, ink, visible: r.width > 0 && r.height > 0 && getComputedStyle(img).visibility !== 'hidden' };
}))`;

function expectVisible(images: Array<{ natural: number; shown: number; ink: number; visible: boolean }>, charts: number, where: string): void {
  expect(images.length, `${where}: images`).toBe(charts);
  images.forEach((im, i) => {
    expect(im.visible, `${where}: chart ${i + 1} visible`).toBe(true);
    expect(im.natural, `${where}: chart ${i + 1} width`).toBeGreaterThan(100);
    expect(im.shown, `${where}: chart ${i + 1} shown width`).toBeGreaterThan(100);
    expect(im.ink, `${where}: chart ${i + 1} ink`).toBeGreaterThan(2000);
  });
}

describeWith('every chart of every shipped notebook in every renderer', [missingChromium(), missingNbconvert(), missingClassicNotebook()], () => {
  let browser: any;
  let dir: string;
  const executed: Executed[] = [];

  beforeAll(async () => {
    dir = tempDir('dadalab-renderers-');
    // reverse order: the notebook tests start from the other end, so the two files share the runs
    for (const name of [...SHIPPED].reverse()) {
      const r = await executedNotebook(name);
      if (!r.ok) throw new Error(`${name} failed to run: ${r.failure?.ename}: ${r.failure?.evalue}`);
      const nb = JSON.parse(readFileSync(r.out, 'utf8'));
      const charts = nb.cells.flatMap((c: Executed['nb']['cells'][number]) => c.outputs ?? []).filter((o: { data?: Record<string, unknown> }) => o.data?.[VL]).length;
      executed.push({ name, file: r.out, nb, charts });
    }
    executed.sort((a, b) => a.name.localeCompare(b.name));
    const { chromium } = require('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function newPage(): Promise<{ page: any; errors: string[]; external: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    const external: string[] = [];
    page.on('pageerror', (e: Error) => errors.push(String(e)));
    page.on('request', (req: any) => { if (/^https?:/.test(req.url()) && !/^http:\/\/127\.0\.0\.1[:/]/.test(req.url())) external.push(req.url()); });
    return { page, errors, external };
  }

  it('the shipped notebooks have charts', () => {
    expect(executed.map((e) => e.name)).toEqual(SHIPPED);
    for (const e of executed) expect(e.charts, e.name).toBeGreaterThan(0);
  });

  it('JupyterLab 4 (rendermime, vega5-extension, outputarea): vega draws every chart, untrusted and trusted', async () => {
    const html = await buildJupyterLabPage(path.join(dir, 'jupyterlab'));
    const { page, errors, external } = await newPage();
    await page.goto(`file://${html}`);
    for (const e of executed) {
      for (const trusted of [false, true]) {
        const where = `JupyterLab, ${trusted ? 'trusted' : 'untrusted'}, ${e.name}`;
        // the bundle's preferred MIME type is vega-lite in both cases (vega is a "safe" renderer)
        for (const o of e.nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.[VL])) {
          expect(await page.evaluate(([d, t]: [unknown, boolean]) => (window as any).preferredMimeType(d, t), [o.data, trusted]), where).toBe(VL);
        }
        await page.evaluate(([nb, t]: [unknown, boolean]) => (window as any).renderNotebook(nb, t), [e.nb, trusted]);
        await page.waitForFunction((n: number) => {
          const els = [...document.querySelectorAll('.jp-RenderedVegaCommon5')];
          return els.length === n && els.every((el) => el.querySelector('canvas, svg.marks'));
        }, e.charts, { timeout: 60_000 });
        const drawn = await page.$$eval('.jp-RenderedVegaCommon5', (els: Element[]) => els.map((el) => {
          const c = el.querySelector('canvas') as HTMLCanvasElement | null;
          const r = el.getBoundingClientRect();
          let ink = 0;
          if (c) {
            const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200)) ink++;
          } else {
            ink = el.querySelectorAll('g.role-mark > *').length * 1000;
          }
          return { w: r.width, h: r.height, ink };
        }));
        expect(drawn.length, where).toBe(e.charts);
        drawn.forEach((d: { w: number; h: number; ink: number }, i: number) => {
          expect(d.w, `${where}: chart ${i + 1} width`).toBeGreaterThan(100);
          expect(d.h, `${where}: chart ${i + 1} height`).toBeGreaterThan(100);
          expect(d.ink, `${where}: chart ${i + 1} ink`).toBeGreaterThan(2000);
        });
        // no chart fell back to its PNG: vega drew them all
        expect(await page.$$eval('.jp-RenderedImage', (els: Element[]) => els.length), where).toBe(0);
      }
    }
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  }, 300_000);

  it('the classic Notebook 6.4 shows every chart (its PNG), untrusted and trusted', async () => {
    const root = path.join(dir, 'classic');
    const nbDir = path.join(root, 'notebooks');
    mkdirSync(nbDir, { recursive: true });
    for (const e of executed) copyFileSync(e.file, path.join(nbDir, e.name));
    // its own Jupyter folders, and no dadalab kernelspec: opening a notebook starts no kernel
    const env = { ...process.env, JUPYTER_DATA_DIR: path.join(root, 'data'), JUPYTER_CONFIG_DIR: path.join(root, 'config'),
      JUPYTER_RUNTIME_DIR: path.join(root, 'runtime'), JUPYTER_PATH: '' };
    const { freePort } = require('../../dist/kernel/client.js');
    const port = await freePort();
    const token = 'dadalab-classic-test';
    let server: ChildProcess | null = spawn('jupyter', ['notebook', '--no-browser', '--allow-root', '--ip=127.0.0.1', `--port=${port}`,
      '--port-retries=0', `--NotebookApp.token=${token}`, `--notebook-dir=${nbDir}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    server.stderr!.on('data', (d) => { log += d; });
    try {
      const t0 = Date.now();
      for (;;) {
        try { if ((await fetch(`http://127.0.0.1:${port}/api/status?token=${token}`)).ok) break; } catch { /* not up yet */ }
        if (server.exitCode !== null || Date.now() - t0 > 60_000) throw new Error(`the classic notebook server did not start:\n${log}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const check = async (trusted: boolean) => {
        for (const e of executed) {
          const where = `classic Notebook, ${trusted ? 'trusted' : 'untrusted'}, ${e.name}`;
          const { page, errors, external } = await newPage();
          await page.goto(`http://127.0.0.1:${port}/notebooks/${e.name}?token=${token}`);
          await page.waitForFunction((n: number) => document.querySelectorAll('.output_area img').length >= n, e.charts, { timeout: 60_000 });
          expect(await page.$eval('#notification_trusted', (el: Element) => el.textContent?.trim()), where).toBe(trusted ? 'Trusted' : 'Not Trusted');
          expectVisible(await page.$$eval('.output_area img', new Function(`return ${INK_OF_IMAGES}`)()), e.charts, where);
          expect(errors, where).toEqual([]);
          expect(external, where).toEqual([]);
          await page.close();
        }
      };
      await check(false);
      // `jupyter trust` (nbformat's TrustNotebookApp; Debian ships its command in jupyter-nbformat)
      const trust = await spawnAsync('/usr/bin/python3', ['-m', 'nbformat.sign', ...executed.map((e) => path.join(nbDir, e.name))], { env, encoding: 'utf8', timeout: 60_000 });
      expect(trust.status, trust.stderr).toBe(0);
      await check(true);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => { if (server!.exitCode !== null) r(null); else server!.once('exit', r); });
      server = null;
    }
  }, 600_000);

  it('jupyter nbconvert --to html (default template) shows every chart, offline', async () => {
    const out = path.join(dir, 'nbconvert');
    const r = await spawnAsync('jupyter', ['nbconvert', '--to', 'html', '--output-dir', out, ...executed.map((e) => e.file)], { encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    for (const e of executed) {
      const where = `nbconvert default template, ${e.name}`;
      const { page, errors, external } = await newPage();
      // the default template loads require.js and MathJax from a CDN: no network here, so block them
      await page.route(/^https?:/, (route: any) => route.abort());
      await page.goto(`file://${path.join(out, e.name.replace(/\.ipynb$/, '.html'))}`);
      expectVisible(await page.$$eval('.jp-OutputArea-output img', new Function(`return ${INK_OF_IMAGES}`)()), e.charts, where);
      expect(errors.filter((x) => !/require|MathJax|Failed to fetch/i.test(x)), where).toEqual([]);
      // (and a notebook with saved widget state loads nbconvert's widget manager from unpkg: blocked too)
      expect(external.every((u) => /cdnjs|mathjax|requirejs|unpkg\.com\/@jupyter-widgets\/html-manager/i.test(u)), where).toBe(true);
      await page.close();
    }
  }, 300_000);

  it('a sanitising renderer (no scripts, no SVG, as code-hosting sites do) shows every chart as its PNG', async () => {
    const sanitize = require('sanitize-html');
    const out = path.join(dir, 'sanitised');
    mkdirSync(out, { recursive: true });
    const r = await spawnAsync('jupyter', ['nbconvert', '--to', 'html', '--template', 'classic', '--output-dir', out, ...executed.map((e) => e.file)], { encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    for (const e of executed) {
      const where = `sanitised, ${e.name}`;
      const raw = readFileSync(path.join(out, e.name.replace(/\.ipynb$/, '.html')), 'utf8');
      // an allowlist like GitHub's html-pipeline: text markup, tables, images; never script, style, svg, iframe
      const clean: string = sanitize(raw, {
        allowedTags: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'div', 'span', 'pre', 'code', 'b', 'i', 'strong', 'em', 'a', 'ul', 'ol', 'li',
          'table', 'thead', 'tbody', 'tr', 'td', 'th', 'img', 'br', 'hr', 'blockquote', 'sub', 'sup'],
        allowedAttributes: { a: ['href'], img: ['src', 'width', 'height', 'alt'] },
        allowedSchemesByTag: { img: ['data', 'https'] },
        allowedSchemes: ['https'],
      });
      expect(clean).not.toMatch(/<(script|svg|style|iframe)\b/i);
      const file = path.join(out, e.name.replace(/\.ipynb$/, '.clean.html'));
      writeFileSync(file, `<!DOCTYPE html><meta charset="utf-8">${clean}`);
      const { page, errors, external } = await newPage();
      await page.goto(`file://${file}`);
      expectVisible(await page.$$eval('img', new Function(`return ${INK_OF_IMAGES}`)()), e.charts, where);
      expect(errors, where).toEqual([]);
      expect(external, where).toEqual([]);
      await page.close();
    }
  }, 300_000);

  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });
});
