/**
 * The kernel's channels keep listening through transient receive errors (kernel/receive.ts).
 * Real ZeroMQ sockets over TCP; a receive timeout makes every idle receive end in EAGAIN, the
 * error zeromq.js can also give when a message it saw is gone by the time it reads it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadZeromq, receiveEach } from '../../kernel/receive';

const zmq = loadZeromq();
const sockets: any[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) if (!s.closed) s.close();
});

/** A connected PUSH -> PULL pair; the PULL side times out after `timeout` ms without a message. */
async function pair(timeout: number): Promise<{ push: any; pull: any }> {
  const pull = new zmq.Pull({ receiveTimeout: timeout });
  const push = new zmq.Push();
  sockets.push(pull, push);
  await pull.bind('tcp://127.0.0.1:*');
  push.connect(pull.lastEndpoint);
  return { push, pull };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('receiveEach', () => {
  it('ends a plain for-await loop on EAGAIN (why the kernel does not use one)', async () => {
    const { pull } = await pair(20);
    const loop = (async () => { for await (const _ of pull) { /* nothing arrives */ } })();
    await expect(loop).rejects.toMatchObject({ code: 'EAGAIN' });
  });

  it('retries EAGAIN and delivers every message in order, then ends when the socket closes', async () => {
    const { push, pull } = await pair(20);
    const got: string[] = [];
    let retries = 0;
    const loop = receiveEach(pull, (frames) => { got.push(frames[0].toString()); }, { onRetry: () => { retries++; } });
    for (const m of ['a', 'b', 'c']) {
      await sleep(60);
      await push.send(m);
    }
    for (let i = 0; i < 50 && got.length < 3; i++) await sleep(20);
    expect(got).toEqual(['a', 'b', 'c']);
    expect(retries).toBeGreaterThan(2);
    pull.close();
    await expect(loop).resolves.toBeUndefined();
  });

  it('hands what the handler throws to onError and goes on; without onError the loop rejects with it', async () => {
    const { push, pull } = await pair(-1);
    const got: string[] = [];
    const errors: string[] = [];
    const loop = receiveEach(pull, (frames) => {
      const m = frames[0].toString();
      if (m === 'bad') throw new Error('handler failed on bad');
      got.push(m);
    }, { onError: (e) => { errors.push((e as Error).message); return true; } });
    for (const m of ['x', 'bad', 'y']) await push.send(m);
    for (let i = 0; i < 50 && got.length < 2; i++) await sleep(20);
    expect(got).toEqual(['x', 'y']);
    expect(errors).toEqual(['handler failed on bad']);
    pull.close();
    await loop;

    const second = await pair(-1);
    const strict = receiveEach(second.pull, () => { throw new Error('no onError'); });
    await second.push.send('z');
    await expect(strict).rejects.toThrow('no onError');
  });
});
