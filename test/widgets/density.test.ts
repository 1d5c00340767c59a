import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import { densityHistogramSpec } from '../../widgets/density/histogram';
import { densityVsTrueSpec } from '../../widgets/density/vsTrue';
import { densityKNN } from '../../lib/density';
import { computeNeighborsSync } from '../../lib/neighbors';

describe('density charts (vega-lite v5)', () => {
  it('histogram of log densities', () => {
    const spec = densityHistogramSpec([-1, -1.5, -2.25, -0.75, -1.125], { title: 'kNN log density' });
    expect(spec).toMatchSnapshot();
    expect(() => compile(spec as never)).not.toThrow();
  });

  it('estimate against truth, both shifted to zero mean, MSE in the title', () => {
    const spec = densityVsTrueSpec([1, 2, 3], [11, 12, 14], { label: 'PAk' });
    // shifted: estimate (−1, 0, 1), truth (−4/3, −1/3, 5/3): MSE = (1/9 + 1/9 + 4/9)/3 = 2/9
    expect(spec.title).toBe('PAk vs true log density (MSE 0.222)');
    expect(spec).toMatchSnapshot();
    expect(() => compile(spec as never)).not.toThrow();
  });

  it('density results plot themselves (with or without a truth)', () => {
    const X = Array.from({ length: 40 }, (_, i) => [Math.cos(i * 0.7) * (1 + i / 40), Math.sin(i * 0.7)]);
    const r = densityKNN(computeNeighborsSync(X, { maxk: 12 }), 2, { k: 5 });
    expect(() => compile(r.plot().spec as never)).not.toThrow();
    const truth = Array.from(r.logDen, (v) => v + 0.1);
    const c = r.plot({ truth });
    expect(Number(/MSE ([^)]+)\)/.exec(c.title)![1])).toBeLessThan(1e-20);
  });
});
