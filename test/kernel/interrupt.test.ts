/**
 * Interrupts at awkward moments. An interrupt sent the instant a cell shows it runs used to land
 * in the windows Node opens around every breakOnSigint run (kernel/sigint.ts): the kernel died of
 * the SIGINT, or the signal was dropped and the cell ran on. These tests send signals in exactly
 * those moments, many times over.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, executeStarted, progressShown, requireBuilt, tempDir, within } from './helpers';

type Msg = { msg_type: string; content: any };
type Result = { reply: any; messages: Msg[] };
let kernel: any;

beforeAll(async () => {
  requireBuilt();
  const { EmbeddedKernel } = require(path.join(DIST, 'kernel', 'client.js'));
  kernel = await EmbeddedKernel.start({ cwd: tempDir('dadalab-interrupt-') });
});
afterAll(async () => {
  await kernel?.shutdown();
});

const errorOf = (r: Result) => r.messages.find((m) => m.msg_type === 'error')?.content;
describe('interrupts at awkward moments', () => {
  it('an interrupt sent the moment a cell starts stops it, every time, and the kernel lives on', async () => {
    for (let round = 0; round < 12; round++) {
      const { started, done } = executeStarted<Result>(kernel,
        `const bar${round} = startProgress('round ${round}', 1e9);\nlet n${round} = 0;\nfor (;;) { bar${round}.update(++n${round}); await checkpoint(); }`, progressShown);
      await started;
      await kernel.interrupt();
      const r = await within(done, 5000, `round ${round}`);
      expect(r.reply.status, `round ${round}`).toBe('error');
      expect(errorOf(r).ename, `round ${round}`).toBe('Interrupted');
    }
    const after = await kernel.execute('"alive"');
    expect(after.reply.status).toBe('ok');
  });

  it('signals raining on short cells: each cell ends ok or Interrupted, the kernel never dies', async () => {
    let stop = false;
    const rain = (async () => {
      while (!stop) {
        await kernel.interrupt();
        await new Promise((r) => setTimeout(r, 2 + Math.floor(Math.random() * 12)));
      }
    })();
    const outcomes: string[] = [];
    try {
      for (let i = 0; i < 40; i++) {
        const r: Result = await within(kernel.execute(`const short${i} = ${i} * 2;\nshort${i}`), 10_000, `cell ${i}`);
        outcomes.push(r.reply.status === 'ok' ? 'ok' : errorOf(r)?.ename ?? r.reply.status);
      }
    } finally {
      stop = true;
      await rain;
    }
    expect(outcomes.filter((o) => o !== 'ok' && o !== 'Interrupted')).toEqual([]);
    await new Promise((r) => setTimeout(r, 200)); // the last signal is taken while idle
    const after = await kernel.execute('await checkpoint();\n"still here"');
    expect(after.reply.status).toBe('ok');
  });

  it('an interrupt while idle does not stop the next cell', async () => {
    await kernel.interrupt();
    await new Promise((r) => setTimeout(r, 300));
    const r: Result = await within(kernel.execute('for (let i = 0; i < 5; i++) await checkpoint();\n"ran"'), 10_000, 'next cell');
    expect(r.reply.status).toBe('ok');
  });

  it('an endless synchronous loop stops on an interrupt sent as it is received, compiled or running', async () => {
    // A spinning cell cannot send anything, so what is waited for is its execute_input: the kernel has it.
    for (const wait of [0, 5, 30, 300]) {
      const { started, done } = executeStarted<Result>(kernel, `let spins${wait} = 0;\nwhile (true) { spins${wait}++; }`, (m) => m.msg_type === 'execute_input');
      await started;
      await new Promise((r) => setTimeout(r, wait));
      await kernel.interrupt();
      const r = await within(done, 5000, `interrupt after ${wait} ms`);
      expect(errorOf(r).ename).toBe('Interrupted');
    }
  });
});
