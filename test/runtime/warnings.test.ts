import { describe, expect, it } from 'vitest';
import { collectWarnings, setWarningSink, silenceWarnings, warn } from '../../lib/runtime/warnings';
import { ensureArrayLength, ensureMemory, formatBytes, parseBytes, setMemoryBudget } from '../../lib/runtime/memory';
import { DadalabError, InputError, MemoryLimitError, isDadalabError } from '../../lib/errors';

describe('warning sink', () => {
  it('collects warnings with their category and restores the previous sink', async () => {
    const seen: string[] = [];
    const prev = setWarningSink((w) => seen.push(`outer:${w.message}`));
    const { value, warnings } = await collectWarnings(() => { warn('a'); warn('b', 'numerical'); return 7; });
    expect(value).toBe(7);
    expect(warnings).toEqual([{ message: 'a', category: 'input' }, { message: 'b', category: 'numerical' }]);
    warn('c');
    expect(seen).toEqual(['outer:c']);
    setWarningSink(prev);
  });
  it('silences chosen categories only', async () => {
    const { warnings } = await collectWarnings(() => {
      const restore = silenceWarnings(['performance']);
      warn('slow path', 'performance');
      warn('bad k');
      restore();
      warn('after');
    });
    expect(warnings.map((w) => w.message)).toEqual(['bad k', 'after']);
  });
});

describe('memory budget', () => {
  it('refuses with the figure and the alternative, as a catchable category', () => {
    const prev = setMemoryBudget(2 ** 30);
    try {
      expect(() => ensureMemory(3 * 2 ** 30, 'a 20000 x 20000 matrix', 'Use subsets')).toThrow(/3.0 GiB, more than the 1.0 GiB available\. Use subsets/);
      let caught: unknown;
      try { ensureMemory(2 ** 31, 'x', 'y'); } catch (e) { caught = e; }
      expect(caught).toBeInstanceOf(MemoryLimitError);
      expect(caught).toBeInstanceOf(DadalabError);
      expect((caught as MemoryLimitError).neededBytes).toBe(2 ** 31);
      expect(() => ensureMemory(2 ** 29, 'x', 'y')).not.toThrow();
      expect(() => ensureArrayLength(1.18e10, 'BMTI matrix', 'Use fewer points')).toThrow(/1\.18e\+10 elements/);
    } finally {
      setMemoryBudget(prev);
    }
  });
  it('parses and formats byte counts', () => {
    expect(parseBytes('8GiB')).toBe(8 * 2 ** 30);
    expect(parseBytes('512 MiB')).toBe(512 * 2 ** 20);
    expect(parseBytes('2GB')).toBe(2e9);
    expect(parseBytes('lots')).toBeNaN();
    expect(formatBytes(1536)).toBe('1.5 KiB');
  });
  it('recognises dadalab errors by shape too', () => {
    expect(isDadalabError(new InputError('p', 'f'))).toBe(true);
    expect(isDadalabError(new Error('x'))).toBe(false);
  });
});
