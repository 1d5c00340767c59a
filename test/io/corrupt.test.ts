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
import { openArrowColumns } from '../../lib/io/arrowColumns';
import { setWarningSink } from '../../lib/runtime/warnings';
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

  // The class, not two examples: 32 bytes flipped at every 4th offset of a file, and of a stream,
  // read both ways in one child with a time limit. Every outcome is a value or a DadalabError
  // (apache-arrow's own TypeError "... is not safe to convert to a number" leaked from the
  // column reader before), never a hang or an abort.
  it('32 bytes flipped anywhere, in a file or a stream: a value or a DadalabError, never a raw error', async () => {
    requireBuilt();
    const code = `const lib = require(${JSON.stringify(path.join(DIST, 'lib', 'index.js'))});
const fs = require('fs');
lib.setWarningSink(() => {});
const X = new lib.Matrix(Float32Array.from({ length: 40 * 6 }, (_, i) => (i % 17) / 3), 40, 6);
const raw = [];
let cases = 0;
for (const ext of ['arrow', 'arrows']) {
  const good = ${JSON.stringify(tmp.dir)} + '/fuzz-good.' + ext;
  lib.saveArrow(good, X, { labels: Int32Array.from({ length: 40 }, (_, i) => i % 3), batchRows: 10 });
  const bytes = fs.readFileSync(good);
  const bad = ${JSON.stringify(tmp.dir)} + '/fuzz-bad.' + ext;
  for (let at = 0; at < bytes.length; at += 4) {
    const b = Buffer.from(bytes);
    for (let i = 0; i < 32 && at + i < b.length; i++) b[at + i] ^= 0xa5;
    fs.writeFileSync(bad, b);
    for (const read of [() => lib.loadData(bad), () => { const r = lib.openArrowColumns(bad); try { r.readColumn(0); r.readLabels(1); } finally { r.close(); } }]) {
      cases++;
      try { read(); } catch (e) { if (!(e instanceof lib.DadalabError)) raw.push(ext + ' @' + at + ' ' + e.name + ': ' + e.message); }
    }
  }
}
console.log(JSON.stringify({ cases, raw: raw.slice(0, 5) }));`;
    const r = await spawnAsync(process.execPath, ['--max-old-space-size=512', '-e', code], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(res.cases).toBeGreaterThan(2000);
    expect(res.raw).toEqual([]);
  }, 200_000);

  it('the column reader on a stream cut short: "truncated" inside a message, a warning at a message boundary', () => {
    const X = new Matrix(Float32Array.from({ length: 40 * 6 }, (_, i) => i / 7), 40, 6);
    const good = tmp.file('cut-good.arrows');
    saveArrow(good, X, { batchRows: 10 });
    const bytes = require('node:fs').readFileSync(good) as Buffer;
    const warned = (f: () => number): { value: number; warnings: string[] } => {
      const warnings: string[] = [];
      const prev = setWarningSink((w) => { warnings.push(w.message); });
      try { return { value: f(), warnings }; } finally { setWarningSink(prev); }
    };
    const read = (n: number) => {
      const f = tmp.file(`cut-${n}.arrows`);
      writeFileSync(f, bytes.subarray(0, n));
      const r = openArrowColumns(f);
      try { return r.readColumn(0).rows; } finally { r.close(); }
    };
    // The end of the first record batch: the cut ends exactly there, then 3 bytes into the next prefix.
    let boundary = -1;
    for (let n = 200; n < bytes.length && boundary < 0; n++) {
      try {
        const { warnings } = warned(() => read(n));
        if (warnings.length) boundary = n;
      } catch { /* inside a message */ }
    }
    expect(boundary).toBeGreaterThan(0);
    const { value, warnings } = warned(() => read(boundary));
    expect(warnings.join()).toMatch(/ends without the end-of-stream marker: .* may be truncated/);
    expect(value).toBeLessThan(40);
    expect(() => read(boundary + 3)).toThrow(/is truncated: it ends 3 bytes into the message/);
  });
});
