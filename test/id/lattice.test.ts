/**
 * TwoNN on equally spaced points gives an absurd ID (r2/r1 = 1 reads as a huge dimension): dadalab
 * says so, with what to do instead (issue 12, the exercises sheet's lattice question). Random
 * samples of the same shapes raise no warning.
 */
import { describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { collectWarnings } from '../../lib/runtime/warnings';
import { SeededRng } from '../../lib/stats/rng';

// the closed curve of notebooks/exercises.ipynb (a circle embedded in 10 coordinates)
const curve = (t: number) => Array.from({ length: 10 }, (_, j) => Math.cos(t + j) * (j % 2 ? 1 : 0.5) + Math.sin(t - j) * 0.3);

describe('TwoNN warns on lattice data', () => {
  it('a square grid: tied first neighbours, the fraction named', async () => {
    const grid: number[][] = [];
    for (let i = 0; i < 30; i++) for (let j = 0; j < 30; j++) grid.push([i, j]);
    const { warnings } = await collectWarnings(() => new Data(grid).computeId2NN());
    expect(warnings.length).toBe(1);
    expect(warnings[0].category).toBe('numerical');
    expect(warnings[0].message).toMatch(/^\d+% of the points have their first two neighbours at the same distance \(r2\/r1 = 1\), so the ID .* is not meaningful\. .*IdDiscrete/);
  });

  it('an equally spaced curve in 10 dimensions: an ID far above the coordinates', async () => {
    const lattice = Array.from({ length: 1000 }, (_, i) => curve((2 * Math.PI * i) / 1000));
    const { value, warnings } = await collectWarnings(() => new Data(lattice).computeId2NN());
    expect(value.id).toBeGreaterThan(100);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^The TwoNN ID \d+ is far above the number of coordinates \(10\)/)]);
  });

  it('random samples of the same curve and square: no warning, a sensible ID', async () => {
    const rng = new SeededRng(3);
    const onCurve = Array.from({ length: 1000 }, () => curve(2 * Math.PI * rng.random()));
    const a = await collectWarnings(() => new Data(onCurve).computeId2NN());
    expect(a.warnings).toEqual([]);
    expect(Math.abs(a.value.id - 1)).toBeLessThan(0.2);
    const square = Array.from({ length: 900 }, () => [30 * rng.random(), 30 * rng.random()]);
    const b = await collectWarnings(() => new Data(square).computeId2NN());
    expect(b.warnings).toEqual([]);
    expect(Math.abs(b.value.id - 2)).toBeLessThan(0.3);
  });
});
