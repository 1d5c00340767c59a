import { describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { InputError } from '../../lib/errors';
import { uniformCube } from '../id/helpers';

/** Every method on Data's prototype chain (public and protected: TypeScript's visibility is not visible here). */
function methodsOf(obj: object): string[] {
  const names = new Set<string>();
  for (let p = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, n);
      if (n !== 'constructor' && d && typeof d.value === 'function') names.add(n);
    }
  }
  return [...names].sort();
}

// Methods that take no options object (or take a positional value first, tested apart), and the
// protected helpers. A new public method with options must check its keys, or be listed here with the reason.
const NO_OPTIONS = new Set([
  'computeDecGraph', 'returnEntropy', 'computeNeighIndices', 'computeNeighDists', 'computeNeighVectorDiffs',
  'returnSparseDistanceGraph', 'resetKstar', 'setKstar', 'setId', 'returnInterpolatedDensityKNN',
  'returnInterpolatedDensityKstarNN', 'returnInterpolatedDensityPAk', 'returnInformationImbalace',
  'removeZeroDists', 'removeIdenticalPoints',
  // protected helpers
  'setNeighborTable', 'ensureDistances', 'requireCoordinates', 'warn', 'periodArray', 'kstarNow', 'startKstarIterations',
  'ensureId', 'currentId', 'resetGraph', 'ensureKstar', 'store', 'crossTable', 'storeAdp', 'cmpContext', 'cmpMetric',
  'cmpPeriodArray', 'allDplets', 'cmpNnIndices', 'featureWeighting', 'target', 'withTarget', 'heldEstimates',
]);

describe('unknown option keys on Data', () => {
  const X = uniformCube(40, 3, 1);

  it('every method with options refuses a key it does not take, naming the method and the key', async () => {
    const d = new Data(X, { maxk: 10 });
    const checked: string[] = [];
    for (const m of methodsOf(d)) {
      if (NO_OPTIONS.has(m)) continue;
      const call = () => (d as unknown as Record<string, (o: object) => unknown>)[m]({ notAnOption: 1 });
      let err: unknown = null;
      try {
        await call();
      } catch (e) {
        err = e;
      }
      expect(err, `${m} accepted an unknown option`).toBeInstanceOf(InputError);
      expect((err as Error).message).toContain(`${m} has no option 'notAnOption'`);
      checked.push(m);
    }
    expect(checked.length).toBeGreaterThan(40);
  });

  it("maps a DADApy user's spelling to ours", async () => {
    const d = new Data(X, { maxk: 10 });
    await expect(d.computeId2NN({ mu_fraction: 0.5 } as never)).rejects.toThrow(/computeId2NN has no option 'mu_fraction' \(did you mean 'muFraction'\?\)/);
    await expect(d.computeIdBinomialK({ K: 3, r: 0.5 } as never)).rejects.toThrow(/'K' \(did you mean 'k'\?\)/);
    await expect(d.computeClusteringADP({ z: 1.65 } as never)).rejects.toThrow(/'z' \(did you mean 'Z'\?\)/);
    await expect(d.returnIdScalingGride({ range_max: 8 } as never)).rejects.toThrow(/did you mean 'rangeMax'/);
    expect(() => new Data(X, { rng_seed: 3 } as never)).toThrow(/new Data has no option 'rng_seed' \(did you mean 'rng'\?\)/);
    // nothing was computed with the defaults
    expect(d.intrinsicDim).toBeNull();
  });

  it('refuses the DADApy options that would do nothing here, saying why', async () => {
    const d = new Data(X, { maxk: 10 });
    await expect(d.computeIdBinomialK({ k: 5, r: 0.5, plotMv: true })).rejects.toThrow(/plotMv = true is not supported/);
    await expect(d.computeIdBinomialK({ k: 5, r: 0.5, plotPosterior: true })).rejects.toThrow(/call \.plot\(\) on the result/);
    await expect(d.computeIdBinomialK({ k: 5, r: 0.5, plotMv: false, plotPosterior: false })).resolves.toBeDefined();
    await expect(d.computeDensityBMTI({ solver: 'sp_cg' })).rejects.toThrow(/solver = "sp_cg" is not an option of dadalab/);
    await expect(d.returnDataOverlap({ coordinates: X, useCython: false })).rejects.toThrow(/drop useCython/);
  });

  it('checks the keys given next to a positional argument', async () => {
    const d = new Data(X, { maxk: 10 });
    await expect(d.returnInterpolatedDensityKNN(X, { kk: 3 } as never)).rejects.toThrow(/returnInterpolatedDensityKNN has no option 'kk' \(did you mean 'k'\?\)/);
    await expect(d.returnInterpolatedDensityKstarNN({ XNew: X, alfa: 1e-3 } as never)).rejects.toThrow(/did you mean 'alpha'/);
    await expect(d.returnInterpolatedDensityPAk(X, { optimized: true } as never)).rejects.toThrow(/has no option 'optimized'/);
  });
});
