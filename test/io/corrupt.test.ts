/**
 * Damaged and truncated Arrow files end with an error that says so, within a bounded time: never
 * a hang (apache-arrow's reader loops for ever on some damaged headers) and never a heap
 * out-of-memory abort. Each damaged copy is read in a child process with a time limit, through
 * loadArrow and through the column-at-a-time reader.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveArrow } from '../../lib/io/arrow';
import { Matrix } from '../../lib/matrix';
import { DIST, requireBuilt, spawnAsync } from '../kernel/helpers';
import { tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function outcome(file: string): Promise<{ status: number | null; out: string }> {
  const code = `const lib = require(${JSON.stringify(path.join(DIST, 'lib', 'index.js'))});
const res = [];
for (const f of [() => lib.loadArrow(${JSON.stringify(file)}), () => { const r = lib.openArrowColumns(${JSON.stringify(file)}); try { r.readColumn(0); } finally { r.close(); } }]) {
  try { f(); res.push('ok'); } catch (e) { res.push((e && e.name) + ': ' + (e && e.message)); }
}
console.log(JSON.stringify(res));`;
  const r = await spawnAsync(process.execPath, ['--max-old-space-size=512', '-e', code], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('damaged Arrow files', () => {
  it('flipped header and footer bytes, and truncations: an InputError, no hang, no crash', async () => {
    requireBuilt();
    const X = new Matrix(Float32Array.from({ length: 40 * 6 }, (_, i) => (i % 17) / 3), 40, 6);
    const good = tmp.file('good.arrow');
    saveArrow(good, X, { labels: Int32Array.from({ length: 40 }, (_, i) => i % 3), batchRows: 10 });
    const bytes = require('node:fs').readFileSync(good) as Buffer;
    const damaged: [string, Buffer][] = [];
    for (const [what, at] of [['header', 8], ['footer', bytes.length - 10 - 40]] as const) {
      const b = Buffer.from(bytes);
      for (let i = 0; i < 32; i++) b[at + i] ^= 0xa5;
      damaged.push([what, b]);
    }
    for (const frac of [0.3, 0.7, 0.95]) damaged.push([`cut at ${frac}`, bytes.subarray(0, Math.floor(bytes.length * frac))]);
    for (const [what, b] of damaged) {
      const f = tmp.file(`${what.replace(/\W/g, '_')}.arrow`);
      writeFileSync(f, b);
      const r = await outcome(f);
      expect(r.status, `${what}: ${r.out}`).toBe(0); // finished (not killed by the time limit, not aborted)
      const res = JSON.parse(r.out.trim().split('\n').pop()!) as string[];
      for (const x of res) expect(x, what).toMatch(/^InputError: .*(damaged|truncated)/);
    }
  }, 300_000);
});
