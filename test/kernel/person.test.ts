/**
 * The kernel as a person meets it (embedded client, one kernel): tracebacks with the cell's own
 * line numbers, Shift-Tab inside a call showing the function's options with their defaults, and a
 * progress display that says where an interrupt stopped the computation.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, requireBuilt, tempDir } from './helpers';

requireBuilt();
const { EmbeddedKernel } = require(path.join(DIST, 'kernel', 'client.js'));

type Msg = { msg_type: string; content: any };
let kernel: any;

beforeAll(async () => {
  kernel = await EmbeddedKernel.start({ cwd: tempDir('dadalab-person-') });
});
afterAll(async () => {
  await kernel?.shutdown();
});

const run = (code: string): Promise<{ reply: any; messages: Msg[] }> => kernel.execute(code);
const errorOf = (r: { messages: Msg[] }) => r.messages.find((m) => m.msg_type === 'error')!.content;

describe('tracebacks', () => {
  it('give the cell\'s own line for a null access on line 4 of a 4-line cell', async () => {
    const r = await run("interface Point { x: number }\nconst pts: Point[] = [];\nconst empty: any = null;\nconst n = empty.length;");
    const e = errorOf(r);
    expect(e.ename).toBe('TypeError');
    expect(e.traceback.join('\n')).toMatch(new RegExp(`Cell In\\[${r.reply.execution_count}\\], line 4\\b`));
  });

  it('name the cell and line of a function defined in an earlier cell, and keep template strings intact', async () => {
    const def = await run("const banner = `a\nb`;\n\nfunction explode(v: any) {\n  // comment /* with a star */\n  return v.field.deeper;\n}");
    const call = await run("banner.length;\nexplode({});");
    const tb = errorOf(call).traceback.join('\n');
    expect(tb).toMatch(new RegExp(`explode \\(Cell In\\[${def.reply.execution_count}\\], line 6\\)`));
    expect(tb).toMatch(new RegExp(`Cell In\\[${call.reply.execution_count}\\], line 2`));
    const text = await run('banner');
    expect(text.messages.find((m) => m.msg_type === 'execute_result')!.content.data['text/plain']).toBe("'a\\nb'");
  });

  it('type errors still point at the right column', async () => {
    const r = await run('const ok = 1;\nconst nPoints: string = new Data([[0, 0], [1, 0], [0, 1]]).N;');
    expect(errorOf(r).evalue).toMatch(/^line 2, column 7: Type 'number' is not assignable to type 'string'/);
  });
});

describe('Shift-Tab inside a call', () => {
  it('after `(` shows the method\'s signature and its options with defaults', async () => {
    await run('const d = new Data([[0, 0], [1, 0.1], [0.2, 1], [1.1, 1], [2, 2.1], [3, 1]]);');
    const code = 'd.computeId2NN(';
    const reply = await kernel.call('inspect_request', { code, cursor_pos: code.length, detail_level: 0 });
    expect(reply.found).toBe(true);
    const text = reply.data['text/plain'];
    expect(text).toMatch(/computeId2NN\(opts\?: ComputeId2NNOptions\)/);
    expect(text).toContain('Options (opts), with their defaults:');
    expect(text).toMatch(/muFraction = 0\.9: number/);
    expect(text).toMatch(/algorithm = 'base'/);
  });

  it('inside `({ })`, also after other options, and for a plain function', async () => {
    const code = 'const c = await d.computeClusteringADP({ halo: true,  });';
    const reply = await kernel.call('inspect_request', { code, cursor_pos: code.indexOf('true,') + 6 });
    expect(reply.data['text/plain']).toMatch(/Z = 1\.65: number/);
    const fn = 'twoNN(d.neighborTable, { ';
    const r2 = await kernel.call('inspect_request', { code: fn, cursor_pos: fn.length });
    expect(r2.found).toBe(true);
    expect(r2.data['text/plain']).toMatch(/twoNN\(nn[\s\S]*muFraction = 0\.9/);
  });

  it('on a name, the name\'s own documentation', async () => {
    const code = 'd.computeId2NN';
    const reply = await kernel.call('inspect_request', { code, cursor_pos: 5 });
    expect(reply.data['text/plain']).toMatch(/computeId2NN/);
  });
});

describe('interrupting a long computation', () => {
  it('the progress display says where it stopped, not "done"', async () => {
    // interrupt once the display shows the search under way, past its first block (not after a fixed
    // delay: on a loaded machine the data are not built yet, on a fast one the search is already done)
    let interrupted: Promise<void> | null = null;
    const r = await kernel.execute(`const big = Array.from({ length: 60000 }, (_, i) => Array.from({ length: 24 }, (_, j) => Math.sin(i * (j + 1) * 0.001)));
const bigData = new Data(big);
await bigData.computeDistances({ maxk: 50 });`, (m: Msg) => {
      const text = m.content?.data?.['text/plain'];
      const pct = typeof text === 'string' ? /^neighbours: (\d+)%/.exec(text) : null;
      if (!interrupted && pct && Number(pct[1]) >= 1 && Number(pct[1]) < 80) interrupted = kernel.interrupt();
    });
    expect(interrupted, 'no progress display between 1% and 80% was seen before the search ended').not.toBeNull();
    await interrupted;
    expect(r.reply.status).toBe('error');
    const displays = r.messages.filter((m: Msg) => m.msg_type === 'display_data' || m.msg_type === 'update_display_data');
    const last = displays[displays.length - 1].content;
    expect(last.data['text/plain']).toMatch(/^neighbours: interrupted at \d+% \(\d+\/60000\)$/);
    expect(last.metadata.dadalab.progress.interrupted).toBe(true);
  });
});
