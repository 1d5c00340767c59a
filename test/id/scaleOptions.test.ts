/**
 * Scales of the correlation integral, box counting and the correlation dimension: 0, negative,
 * NaN, infinite or non-numeric scales used to give NaN or a raw TypeError / RangeError. Each is
 * an InputError naming the option and the entry.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../lib/errors';
import { boxCounting, correlationDimension, correlationIntegral } from '../../lib/id/correlation';
import { Matrix } from '../../lib/matrix';
import { computeNeighborsSync } from '../../lib/neighbors';
import { SeededRng } from '../../lib/stats/rng';

const rng = new SeededRng(2);
const X = new Matrix(Float64Array.from({ length: 400 }, () => rng.random()), 200, 2);
const nn = computeNeighborsSync(X, { maxk: 199 });

function refuses(f: () => unknown, pattern: RegExp): void {
  let err: unknown = null;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(InputError);
  expect((err as Error).message).toMatch(pattern);
}

describe('scales', () => {
  const bad: [unknown, RegExp][] = [
    [[0, 0.1], /scales\[0\] must be a finite number > 0, got 0/],
    [[0.1, -1], /scales\[1\] must be a finite number > 0, got -1/],
    [[NaN], /scales\[0\] must be a finite number > 0, got NaN/],
    [[0.1, Infinity], /scales\[1\] must be a finite number > 0, got Infinity/],
    [[0.1, '0.2'], /scales\[1\] must be a finite number > 0, got '0.2' \(a string\)/],
    [[], /scales is empty/],
    ['0.1', /scales must be a list of positive numbers/],
    [undefined, /scales must be a list of positive numbers, got undefined/],
  ];
  for (const [scales, pattern] of bad) {
    it(`correlationIntegral and boxCounting refuse ${JSON.stringify(scales)}`, () => {
      refuses(() => correlationIntegral(nn, scales as number[]), pattern);
      refuses(() => boxCounting(X, [0, 1], scales as number[]), pattern);
    });
  }

  it('boxCounting checks the box and nOffsets', () => {
    refuses(() => boxCounting(X, [1, 0], [0.1]), /boxBoundaries \[1, 0\] is empty/);
    refuses(() => boxCounting(X, [0, NaN], [0.1]), /boxBoundaries\[1\] must be a finite number, got NaN/);
    refuses(() => boxCounting(X, [0, 1], [0.1], 1.5), /nOffsets must be a whole number >= 0, got 1.5/);
  });

  it('valid scales give finite dimensions near 2 on a uniform square', () => {
    const ci = correlationIntegral(nn, [0.05, 0.1, 0.2]);
    expect(ci.ids.every((v) => v > 1.5 && v < 2.5)).toBe(true);
    const bc = boxCounting(X, [0, 1], [0.5, 0.25]);
    expect(bc.counts.length).toBeGreaterThan(0);
  });

  it('correlationDimension refuses bad rMin, rMax and nScales', () => {
    refuses(() => correlationDimension(X, { rMin: 0, rMax: 0.1 }), /rMin must be a positive number, got 0/);
    refuses(() => correlationDimension(X, { rMin: 0.01, rMax: Infinity }), /rMax must be a positive number, got Infinity/);
    refuses(() => correlationDimension(X, { nScales: 1 }), /nScales must be a whole number >= 2/);
  });
});
