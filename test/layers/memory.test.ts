/**
 * A file is profiled one layer at a time: the peak memory of profiling a 10-layer file is about that
 * of a 1-layer file with the same layers, not that plus the other nine layers (measured as the peak
 * RSS of child processes running the built package: VmHWM, since a child's maxRSS starts at its
 * parent's RSS, the test worker's, and would hide the difference).
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveLayers } from '../../lib/layers';
import { Matrix } from '../../lib/matrix';
import { SeededRng } from '../../lib/stats/rng';
import { DIST, requireBuilt, spawnAsync } from '../kernel/helpers';
import { tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function peakRssMiB(file: string): Promise<number> {
  const code = `const lib = require(${JSON.stringify(path.join(DIST, 'lib', 'index.js'))});
lib.layerProfile(${JSON.stringify(file)}, { steps: ['id'] }).then(async (p) => {
  if (p.layers.some((l) => !(l.id2nn && l.id2nn.id > 0))) throw new Error('no ID');
  await lib.shutdownNeighborPool();
  console.log(Number(/^VmHWM:\\s*(\\d+)/m.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) / 1024);
});`;
  const r = await spawnAsync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim().split('\n').pop());
}

describe('layerProfile reads a file one layer at a time', () => {
  it('ten layers of 24 MiB cost about what one does in peak memory', async () => {
    requireBuilt();
    const N = 3000, D = 2048, L = 10;
    const rng = new SeededRng(1);
    const layers = Array.from({ length: L }, () => {
      const X = new Float32Array(N * D);
      for (let i = 0; i < X.length; i++) X[i] = rng.random();
      return new Matrix(X, N, D);
    });
    const ten = tmp.file('ten.arrow'), one = tmp.file('one.arrow');
    await saveLayers(ten, layers, { batchRows: 500 });
    await saveLayers(one, layers.slice(0, 1), { batchRows: 500 });
    const tenMiB = statSync(ten).size / 2 ** 20;
    expect(tenMiB).toBeGreaterThan(230);
    const rssOne = await peakRssMiB(one);
    const rssTen = await peakRssMiB(ten);
    // holding the file (or every layer) would add the nine other layers (~210 MiB); one layer at a time
    // adds the small per-layer state plus the garbage collector's slack (a few freed layers, measured ~75 MiB)
    expect(rssTen - rssOne).toBeLessThan(0.45 * tenMiB);
  }, 600_000);
});
