/** Library warnings in a notebook cell: a warning line on the cell's stderr, with its category. */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, requireBuilt, tempDir } from './helpers';
import { formatWarning } from '../../kernel/warnings';

requireBuilt();
const { EmbeddedKernel } = require(path.join(DIST, 'kernel', 'client.js'));

type Msg = { msg_type: string; content: any };
let kernel: any;

beforeAll(async () => {
  kernel = await EmbeddedKernel.start({ cwd: tempDir('dadalab-warn-') });
});
afterAll(async () => {
  await kernel?.shutdown();
});

describe('warnings in the kernel', () => {
  it('formats a warning as one line with its category', () => {
    expect(formatWarning({ message: 'a\n  b', category: 'numerical' })).toBe('DadalabWarning [numerical]: a b\n');
  });

  it("shows the library's warnings in the cell that raised them, on stderr, before its result", async () => {
    const code = [
      'const rngW = new SeededRng(3);',
      'const small = Array.from({ length: 40 }, () => [rngW.random(), rngW.random()]);',
      'const dw = new Data(small);',
      'const g = await dw.returnIdScalingGride({ rangeMax: 64 });',
      'g.ids.length',
    ].join('\n');
    const r: { reply: any; messages: Msg[] } = await kernel.execute(code);
    expect(r.reply.status).toBe('ok');
    const stderr = r.messages.filter((m) => m.msg_type === 'stream' && m.content.name === 'stderr').map((m) => m.content.text).join('');
    expect(stderr).toContain('DadalabWarning [input]: rangeMax = 64 but a point has at most N - 1 = 39 neighbours: Gride runs up to rank 39');
    const types = r.messages.map((m) => m.msg_type);
    expect(types.lastIndexOf('stream')).toBeLessThan(types.indexOf('execute_result'));
    // silenced by the user: nothing shown
    const q: { messages: Msg[] } = await kernel.execute('const restore = silenceWarnings();\nawait dw.returnIdScalingGride({ rangeMax: 64 });\nrestore();\n1');
    expect(q.messages.filter((m) => m.msg_type === 'stream' && /DadalabWarning/.test(m.content.text))).toEqual([]);
  });
});
