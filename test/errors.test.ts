import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Data } from '../lib/data';
import { ConvergenceError, DadalabError, InputError, MemoryLimitError, StateError } from '../lib/errors';
import { FeatureWeighting } from '../lib/compare/dii';
import { setMemoryBudget } from '../lib/runtime/memory';
import { uniformCube } from './id/helpers';

describe('errors a caller can catch by category', () => {
  it('bad input, wrong state, no convergence, not enough memory: all DadalabErrors', async () => {
    const X = uniformCube(40, 2, 1);
    expect(() => new Data([[1, 2], [1]])).toThrow(InputError);
    const d = new Data(X);
    await expect(d.computeId2NN({ muFraction: 0.5, mu_fraction: 1 } as never)).rejects.toThrow(InputError);
    await expect(d.computeDecGraph()).rejects.toThrow(StateError);
    await expect(d.returnEntropy()).rejects.toThrow(StateError);
    await expect(d.computeClusteringDP()).rejects.toThrow(StateError);
    const prev = setMemoryBudget(1000);
    try {
      expect(() => new FeatureWeighting(X).returnOptimalLambda()).toThrow(MemoryLimitError);
    } finally {
      setMemoryBudget(prev);
    }
    for (const C of [InputError, StateError, ConvergenceError, MemoryLimitError]) expect(C.prototype).toBeInstanceOf(DadalabError);
  });

  // The engine of lib/neighbors and the Arrow reader are being rewritten (issues 13, 9, 11); they adopt the categories there.
  const PENDING = ['lib/neighbors/', 'lib/io/arrow.ts', 'lib/io/arrowColumns.ts', 'lib/density/pak.ts', 'lib/clustering/adp.ts', 'lib/errors.ts'];
  it('every throw of the library names its category (no plain DadalabError outside the files pending their rewrite)', () => {
    const root = join(__dirname, '..');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(join(root, dir))) {
        const p = `${dir}/${e}`;
        if (statSync(join(root, p)).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk('lib');
    walk('widgets');
    const plain = files.filter((f) => !PENDING.some((p) => f.startsWith(p)))
      .filter((f) => /new DadalabError\(/.test(readFileSync(join(root, f), 'utf8')));
    expect(plain).toEqual([]);
  });
});
