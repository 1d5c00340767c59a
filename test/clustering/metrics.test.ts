import { describe, expect, it } from 'vitest';
import {
  adjustedMutualInformation, adjustedRandIndex, clusterScores, completeness, contingency, coreFraction, homogeneity,
  normalizedMutualInformation,
} from '../../lib/clustering/metrics';

describe('cluster-quality measures', () => {
  it('ARI: sklearn documentation examples and a hand computation', () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 1])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0])).toBe(1);
    // sum C(n_ij,2) = 1, sum C(a,2) = 1, sum C(b,2) = 2, C(4,2) = 6: (1 - 1/3) / (3/2 - 1/3) = 4/7
    expect(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(4 / 7, 14);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(4 / 7, 14);
    expect(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 14);
  });

  it('NMI, homogeneity, completeness: sklearn documentation examples', () => {
    expect(normalizedMutualInformation([0, 0, 1, 1], [1, 1, 0, 0])).toBeCloseTo(1, 14);
    expect(normalizedMutualInformation([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    // the v-measure (= NMI with the arithmetic mean) of these is 0.8
    expect(normalizedMutualInformation([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(0.8, 14);
    expect(homogeneity([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(1, 14);
    expect(homogeneity([0, 0, 1, 1], [0, 1, 2, 3])).toBeCloseTo(1, 14);
    expect(homogeneity([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(0, 14);
    expect(homogeneity([0, 0, 1, 1], [0, 0, 0, 0])).toBeCloseTo(0, 14);
    expect(completeness([0, 0, 1, 1], [0, 0, 0, 0])).toBeCloseTo(1, 14);
    expect(completeness([0, 1, 2, 3], [0, 0, 1, 1])).toBeCloseTo(1, 14);
    expect(completeness([0, 0, 0, 0], [0, 1, 2, 3])).toBeCloseTo(0, 14);
  });

  it('AMI: sklearn examples and an independent computation (Vinh et al. formula in Python/scipy)', () => {
    expect(adjustedMutualInformation([0, 0, 1, 1], [0, 0, 1, 1])).toBeCloseTo(1, 12);
    expect(adjustedMutualInformation([0, 0, 1, 1], [1, 1, 0, 0])).toBeCloseTo(1, 12);
    expect(adjustedMutualInformation([0, 0, 0, 0], [0, 1, 2, 3])).toBeCloseTo(0, 12);
    const t = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2], p = [0, 0, 1, 1, 1, 2, 2, 2, 0, 0];
    expect(adjustedMutualInformation(t, p)).toBeCloseTo(0.17152423540072853, 12);
    expect(adjustedRandIndex(t, p)).toBeCloseTo(0.09090909090909088, 14);
    expect(normalizedMutualInformation(t, p)).toBeCloseTo(0.3946483716358942, 14);
    const s = clusterScores(t, p);
    expect(s.homogeneity).toBeCloseTo(0.3946483716358942, 14);
    expect(s.summary()).toMatch(/^ARI 0\.091, AMI 0\.172/);
  });

  it('halo and noise can be left out; core fraction', () => {
    expect(coreFraction([0, -1, 1, -1])).toBe(0.5);
    const c = contingency([0, 0, 1, 1, 1], [0, 0, 1, 1, -1], { ignorePredicted: -1 });
    expect(c.n).toBe(4);
    expect(adjustedRandIndex([0, 0, 1, 1, 1], [0, 0, 1, 1, -1], { ignorePredicted: -1 })).toBe(1);
    expect(adjustedRandIndex([-1, 0, 1, 1], [5, 0, 1, 1], { ignoreTrue: -1 })).toBe(1);
  });

  it('refuses labelings of different lengths', () => {
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(/different lengths/);
  });
});
