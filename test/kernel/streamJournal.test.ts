/** The kernel's stream journal (kernel/streamJournal.ts): written by the kernel, read back by the runner when it dies. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST, requireBuilt, tempDir } from './helpers';

requireBuilt();
const { StreamJournal, undeliveredStream } = require(path.join(DIST, 'kernel', 'streamJournal.js'));

describe('the stream journal', () => {
  it('gives back what did not arrive: the chunks after the delivered prefix, split mid-chunk, of that request only', () => {
    const file = path.join(tempDir('dadalab-journal-'), 'streams.jsonl');
    const j = new StreamJournal(file);
    j.record('old', { name: 'stdout', text: 'an earlier cell\n' });
    j.startRequest();
    j.record('a', { name: 'stdout', text: 'one\n' });
    j.record('comm', { name: 'stdout', text: 'from a comm handler\n' });
    j.record('a', { name: 'stdout', text: 'two\n' });
    j.record('a', { name: 'stderr', text: 'warn\n' });
    j.record('a', { name: 'stdout', text: 'three\n' });
    j.record('a', { name: 'stdout', text: 'four\n' });
    j.close();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('an earlier cell');
    expect(undeliveredStream(text, 'a', 0)).toEqual([
      { name: 'stdout', text: 'one\ntwo\n' }, { name: 'stderr', text: 'warn\n' }, { name: 'stdout', text: 'three\nfour\n' },
    ]);
    // 'one\ntwo\n' and 'wa' arrived on iopub.
    expect(undeliveredStream(text, 'a', 10)).toEqual([{ name: 'stderr', text: 'rn\n' }, { name: 'stdout', text: 'three\nfour\n' }]);
    expect(undeliveredStream(text, 'a', 24)).toEqual([]);
    expect(undeliveredStream(text, 'nobody', 0)).toEqual([]);
  });

  it('skips a line torn by the kill', () => {
    const whole = JSON.stringify({ p: 'a', n: 'stdout', t: 'kept\n' });
    expect(undeliveredStream(`${whole}\n{"p":"a","n":"stdout","t":"cut of`, 'a', 0)).toEqual([{ name: 'stdout', text: 'kept\n' }]);
  });
});
