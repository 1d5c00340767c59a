import { describe, expect, expectTypeOf, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as pub from '../lib/index';
import * as internal from '../lib/internal';

const root = join(__dirname, '..');

describe('the public surface (lib/index.ts) and dadalab/internal', () => {
  it('names what a user calls, not the building blocks', () => {
    const names = Object.keys(pub);
    for (const n of ['Data', 'IdDiscrete', 'FeatureWeighting', 'loadData', 'loadArrow', 'twoNN', 'densityPAk', 'adpClustering',
      'informationImbalance', 'layerProfile', 'show', 'Chart', 'SeededRng', 'checkpoint', 'silenceWarnings', 'InputError']) {
      expect(names).toContain(n);
    }
    for (const n of ['pakNewton', 'grideArgmax', 'EPS64', 'resolveNeighborOptions', 'lz4FrameEncode', 'renderSvg', 'KdTree',
      'checkOptionKeys', 'ReplayRng', 'TWONN_KEYS', 'pyFrozenset', 'fullDistanceMatrix']) {
      expect(names).not.toContain(n);
      expect(Object.keys(internal)).toContain(n);
    }
    expect(names.length).toBeLessThan(160);
    // internal is a superset: the same objects
    for (const n of names) expect((internal as Record<string, unknown>)[n]).toBe((pub as Record<string, unknown>)[n]);
  });

  it('keeps every library name the notebooks and the READMEs call (the kernel preloads the public surface)', () => {
    let text = readFileSync(join(root, 'README.md'), 'utf8') + readFileSync(join(root, 'kernel', 'README.md'), 'utf8');
    for (const f of readdirSync(join(root, 'notebooks')).filter((x) => x.endsWith('.ipynb'))) {
      const nb = JSON.parse(readFileSync(join(root, 'notebooks', f), 'utf8'));
      for (const c of nb.cells) if (c.cell_type === 'code') text += ([] as string[]).concat(c.source).join('');
    }
    // free names only (d.computeGrads() is a method of Data, not the pure computeGrads)
    const words = new Set([...text.matchAll(/(?<![.\w$])([A-Za-z_$][\w$]*)/g)].map((m) => m[1]));
    const missing = Object.keys(internal).filter((n) => words.has(n) && !(n in pub) && n.length > 3);
    expect(missing).toEqual([]);
  });

  it("charts are typed with vega-lite's TopLevelSpec (checked by npm run typecheck)", async () => {
    const c = pub.chart({ mark: 'point', data: { values: [{ a: 1 }] }, encoding: { x: { field: 'a', type: 'quantitative' } } });
    expectTypeOf(c.spec).toEqualTypeOf<TopLevelSpec>();
    expectTypeOf(pub.imbalancePlaneChart).returns.toEqualTypeOf<pub.Chart>();
    expect(c.spec.$schema).toContain('vega-lite/v5');
  });

  it('package.json exports both entries', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.exports['.'].require).toBe('./dist/lib/index.js');
    expect(pkg.exports['./internal']).toEqual({ types: './dist/lib/internal.d.ts', import: './dist/esm/internal.mjs', require: './dist/lib/internal.js' });
  });
});
