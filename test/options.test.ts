import { describe, expect, it } from 'vitest';
import {
  booleanOption, checkOptionKeys, closestOption, describeOptionValue, finiteNumber, nonNegativeInteger, numberInRange, oneOf,
  optPositiveInteger, optionKeys, positiveInteger, positiveNumber,
} from '../lib/options';
import { InputError } from '../lib/errors';

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('checkOptionKeys', () => {
  const allowed = ['algorithm', 'muFraction', 'dataFraction', 'nIter', 'setAttr'];
  it('accepts known keys, undefined and null', () => {
    expect(() => checkOptionKeys({ muFraction: 0.5, nIter: 3 }, allowed, 'computeId2NN')).not.toThrow();
    expect(() => checkOptionKeys(undefined, allowed, 'computeId2NN')).not.toThrow();
    expect(() => checkOptionKeys(null, allowed, 'computeId2NN')).not.toThrow();
    expect(() => checkOptionKeys({}, [], 'f')).not.toThrow();
  });
  it("maps DADApy's snake_case to the camelCase name", () => {
    const m = message(() => checkOptionKeys({ mu_fraction: 0.5 }, allowed, 'computeId2NN'));
    expect(m).toContain("computeId2NN has no option 'mu_fraction' (did you mean 'muFraction'?)");
    expect(m).toContain('camelCase');
    expect(m).toContain('algorithm, muFraction, dataFraction, nIter, setAttr');
  });
  it('maps case variants (K -> k, z -> Z) and names every unknown key', () => {
    expect(message(() => checkOptionKeys({ K: 3 }, ['k', 'r'], 'computeIdBinomialK'))).toContain("'K' (did you mean 'k'?)");
    const m = message(() => checkOptionKeys({ z: 1.6, hallo: true }, ['Z', 'halo', 'v2'], 'computeClusteringADP'));
    expect(m).toContain("options 'z' (did you mean 'Z'?), 'hallo' (did you mean 'halo'?)");
  });
  it('suggests nothing when nothing is close, and refuses non-objects', () => {
    const m = message(() => checkOptionKeys({ banana: 1 }, ['k'], 'f'));
    expect(m).toContain("f has no option 'banana'");
    expect(m).not.toContain('did you mean');
    expect(message(() => checkOptionKeys(5, ['k'], 'f'))).toContain('f takes an options object, got 5');
    expect(message(() => checkOptionKeys([1, 2], ['k'], 'f'))).toContain('an array');
  });
  it('takes the names from an object checked against the type', () => {
    interface O { k?: number; avg?: boolean }
    const keys = optionKeys<O>({ k: 1, avg: 1 });
    expect(keys).toEqual(['k', 'avg']);
    expect(() => checkOptionKeys({ k: 1 }, keys, 'f')).not.toThrow();
    expect(() => checkOptionKeys({ kk: 1 }, { k: 1 }, 'f')).toThrow(/did you mean 'k'/);
  });
  it('closestOption knows a few DADApy aliases and typos', () => {
    expect(closestOption('rng_seed', ['rng', 'maxk'])).toBe('rng');
    expect(closestOption('delta_F_inv_cov', ['deltaFInvCov', 'alpha'])).toBe('deltaFInvCov');
    expect(closestOption('X_new', ['XNew', 'k'])).toBe('XNew');
    expect(closestOption('maxK', ['maxk'])).toBe('maxk');
    expect(closestOption('mxak', ['maxk', 'metric'])).toBe('maxk');
    expect(closestOption('zzz', ['maxk', 'metric'])).toBeNull();
  });
});

describe('value validators', () => {
  it('name the option, the value and its type', () => {
    expect(message(() => positiveInteger('10', 'maxk'))).toBe("maxk must be a positive whole number, got '10' (a string). Pass maxk as a positive whole number");
    expect(message(() => positiveInteger(true, 'maxk', 'computeDistances'))).toContain('computeDistances: maxk must be a positive whole number, got true (a boolean)');
    expect(message(() => positiveInteger(10n, 'maxk'))).toContain('10n (a bigint)');
    expect(message(() => positiveInteger(2.5, 'maxk'))).toContain('got 2.5');
    expect(message(() => positiveInteger(0, 'maxk'))).toContain('got 0');
    expect(message(() => finiteNumber(NaN, 'alpha'))).toContain('alpha must be a finite number, got NaN');
    expect(message(() => finiteNumber(Infinity, 'alpha'))).toContain('got Infinity');
    expect(message(() => positiveNumber(-1, 'eps'))).toContain('eps must be a positive number, got -1');
    expect(message(() => nonNegativeInteger(-1, 'nIter'))).toContain('a whole number >= 0, got -1');
    expect(message(() => oneOf('bayesian', 'method', ['mle', 'bayes']))).toContain("method must be one of 'mle', 'bayes', got 'bayesian' (a string)");
    expect(message(() => booleanOption(1, 'avg'))).toContain('avg must be true or false, got 1');
    expect(message(() => positiveInteger([1, 2], 'k'))).toContain('[1, 2] (an array of 2)');
  });
  it('return the value when it is valid', () => {
    expect(positiveInteger(3, 'k')).toBe(3);
    expect(nonNegativeInteger(0, 'n')).toBe(0);
    expect(finiteNumber(-2.5, 'x')).toBe(-2.5);
    expect(oneOf('ml', 'algorithm', ['base', 'ml'])).toBe('ml');
    expect(booleanOption(false, 'avg')).toBe(false);
    expect(optPositiveInteger(undefined, 'k', 7)).toBe(7);
    expect(optPositiveInteger(4, 'k', 7)).toBe(4);
  });
  it('numberInRange handles open and closed bounds', () => {
    expect(numberInRange(1, 'muFraction', 0, 1)).toBe(1);
    expect(message(() => numberInRange(0, 'muFraction', 0, 1, { minInclusive: false }))).toContain('muFraction must be a number in (0, 1], got 0');
    expect(message(() => numberInRange(5, 'r', 0, 1, { maxInclusive: false }))).toContain('in [0, 1), got 5');
    expect(message(() => numberInRange(0.5, 'k', 1, Infinity, { integer: true }))).toContain('k must be a whole number >= 1, got 0.5');
    expect(message(() => numberInRange('0.5', 'x', 0, 1))).toContain("'0.5' (a string)");
  });
  it('describeOptionValue', () => {
    expect(describeOptionValue(new Float64Array(2))).toBe('a Float64Array');
    expect(describeOptionValue({})).toBe('an object');
    expect(describeOptionValue(null)).toBe('null');
  });
});

describe('the pure estimators check their option keys too', () => {
  it('twoNN, gride, densities, clustering, neighbours, loaders', async () => {
    const { computeNeighborsSync, computeNeighbors, crossNeighbors } = await import('../lib/neighbors');
    const { twoNN, grideScalingFromTable, binomialIdK, levinaBickel } = await import('../lib/id');
    const { computeKstar, densityKNN, densityPAk } = await import('../lib/density');
    const { adpClustering } = await import('../lib/clustering');
    const { informationImbalance } = await import('../lib/compare');
    const { loadData } = await import('../lib/io');
    const X = Array.from({ length: 30 }, (_, i) => [Math.sin(i * 1.7), Math.cos(i * 2.3), (i * 0.37) % 1]);
    const nn = computeNeighborsSync(X, { maxk: 10 });
    expect(() => computeNeighborsSync(X, { max_k: 5 } as never)).toThrow(/computeNeighborsSync has no option 'max_k' \(did you mean 'maxk'\?\)/);
    await expect(computeNeighbors(X, { K: 5 } as never)).rejects.toThrow(InputError);
    await expect(crossNeighbors(X, X, 3, { metrik: 'euclidean' } as never)).rejects.toThrow(/did you mean 'metric'/);
    // symmetric (the self table's compute-each-pair-once switch) means nothing for a cross query: refused, not ignored
    await expect(crossNeighbors(X, X, 3, { symmetric: false } as never)).rejects.toThrow(/crossNeighbors has no option 'symmetric'/);
    expect(() => twoNN(nn, { mu_fraction: 0.5 } as never)).toThrow(/twoNN has no option 'mu_fraction' \(did you mean 'muFraction'\?\)/);
    expect(() => grideScalingFromTable(nn, { range_max: 4 } as never)).toThrow(/did you mean 'rangeMax'/);
    expect(() => binomialIdK(nn, { k: 5, r: 0.5, k_bootstrap: 2 } as never)).toThrow(/did you mean 'kBootstrap'/);
    expect(() => levinaBickel(nn, { kk: 5 } as never)).toThrow(InputError);
    expect(() => computeKstar(nn, 2, { Dthr: 23.9 } as never)).toThrow(/computeKstar has no option 'Dthr'/);
    expect(() => densityKNN(nn, 2, { K: 5 } as never)).toThrow(/did you mean 'k'/);
    const ks = new Int32Array(30).fill(5);
    expect(() => densityPAk(nn, 2, ks, { optimised: true } as never)).toThrow(/did you mean 'optimized'/);
    const ld = new Float64Array(30), le = new Float64Array(30).fill(1);
    expect(() => adpClustering(nn, ld, le, ks, { z: 1 } as never)).toThrow(/did you mean 'Z'/);
    expect(() => informationImbalance(nn, nn, { kk: 1 } as never)).toThrow(InputError);
    expect(() => loadData('data/Fig1.dat.gz', { delimeter: ' ' } as never)).toThrow(/loadData has no option 'delimeter' \(did you mean 'delimiter'\?\)/);
  });
  it('loadData refuses an option that does not apply to the file format', async () => {
    const { loadData } = await import('../lib/io');
    expect(() => loadData('test/io/fixtures/fsl_f32_lz4.arrow', { delimiter: ',' })).toThrow(/the option 'delimiter' does not apply to Arrow files/);
  });
});
