/**
 * Numeric options of the ID estimators that ran silently with nonsense (found by passing NaN,
 * Infinity, -1, 2.5 and '5' to every numeric option of the Data methods): TwoNN's nIter was
 * ignored, the decimation's nMin of NaN gave an empty curve, the Gamma prior took '5' as a string
 * (id 88) and Infinity (id NaN), Gride's d0/d1 of NaN gave NaN ids and d1 = Infinity never ended
 * the bisection, the binomial validation's kBootstrap of Infinity never ended. Each is an InputError naming the option and the value.
 */
import { describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { InputError } from '../../lib/errors';
import { silenceWarnings } from '../../lib/runtime/warnings';
import { SeededRng } from '../../lib/stats/rng';

silenceWarnings();
const rng = new SeededRng(3);
const X = Array.from({ length: 120 }, () => [rng.random(), rng.random(), rng.random()]);

async function refused(f: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  let err: unknown = null;
  try { await f(); } catch (e) { err = e; }
  expect(err, `expected an InputError matching ${pattern}`).toBeInstanceOf(InputError);
  expect((err as Error).message).toMatch(pattern);
}

describe('numeric options of the ID estimators', () => {
  it('computeId2NN: nIter must be a positive whole number, with or without a dataFraction', async () => {
    for (const nIter of [NaN, Infinity, -1, 0, 2.5, '5']) {
      await refused(() => new Data(X).computeId2NN({ nIter: nIter as number }), /nIter must be a positive whole number, got/);
      await refused(() => new Data(X).computeId2NN({ dataFraction: 0.5, nIter: nIter as number }), /nIter must be a positive whole number, got/);
    }
    const ok = await new Data(X).computeId2NN({ dataFraction: 0.5, nIter: 3 });
    expect(Number.isFinite(ok.id)).toBe(true);
  });

  it('returnIdScaling2NN: nMin must be a whole number >= 0 (or null)', async () => {
    for (const nMin of [NaN, Infinity, -1, 2.5, '5']) {
      await refused(() => new Data(X).returnIdScaling2NN({ nMin: nMin as number }), /nMin must be a whole number >= 0, got/);
    }
    expect((await new Data(X).returnIdScaling2NN({ nMin: null })).ids.length).toBeGreaterThan(0);
  });

  it('computeId2NNWprior: alpha and beta must be finite and > 0', async () => {
    for (const [name, v] of [['alpha', Infinity], ['alpha', '5'], ['alpha', 0], ['beta', NaN], ['beta', Infinity], ['beta', '5'], ['beta', -1]] as const) {
      await refused(() => new Data(X).computeId2NNWprior({ [name]: v } as never), new RegExp(`the Gamma prior: ${name} must be a positive number, got`));
    }
    const r = await new Data(X).computeId2NNWprior({ alpha: 2.5, beta: 3 });
    expect(Number.isFinite(r.id)).toBe(true);
  });

  it('Gride: d0, d1 and eps must bound a finite bisection', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ d0: NaN }, /d0 must be a finite number >= 0, got NaN/],
      [{ d0: '5' }, /d0 must be a finite number >= 0, got '5' \(a string\)/],
      [{ d0: -1 }, /d0 must be a finite number >= 0, got -1/],
      [{ d1: NaN }, /d1 must be a finite number, got NaN/],
      [{ d1: Infinity }, /d1 must be a finite number, got Infinity/],
      [{ d0: 1e9 }, /\[d0, d1\] = \[1000000000, 1000\] is empty/],
      [{ eps: 0 }, /eps must be a positive number, got 0/],
    ];
    for (const [opts, pattern] of cases) {
      await refused(() => new Data(X).returnIdScalingGride({ rangeMax: 16, ...opts }), pattern);
      await refused(() => new Data(X).returnIdsKstarGride(opts), pattern);
    }
    const r = await new Data(X).returnIdScalingGride({ rangeMax: 16, d0: 0.01, d1: 50 });
    for (const id of r.ids) expect(Number.isFinite(id)).toBe(true);
  });

  it('the binomial ID: kBootstrap must be a positive whole number (Infinity never ended)', async () => {
    for (const kBootstrap of [NaN, Infinity, 0, 2.5, '5']) {
      await refused(() => new Data(X).computeIdBinomialK({ k: 10, r: 0.5, kBootstrap: kBootstrap as number }), /kBootstrap must be a positive whole number, got/);
    }
    const r = await new Data(X).computeIdBinomialK({ k: 10, r: 0.5, kBootstrap: 3 });
    expect(r.pv).toBeGreaterThanOrEqual(0);
  });
});
