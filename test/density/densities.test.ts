import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  computeKstar, crossKstar, densityKNN, densityKpeaks, densityKstarNN, densityPAk, entropy, interpolatedDensityKNN, pakNewton,
} from '../../lib/density';
import { computeNeighborsSync, makeTable, type NeighborTable } from '../../lib/neighbors';
import { Data } from '../../lib/data';
import { decodeValue, loadCase, loadInputs } from '../../parity/case';
import type { Matrix } from '../../lib/matrix';

const CASES = join(__dirname, '../../parity/cases');

/** A 1-D table from sorted neighbour distances given per point (indices are not used by the densities). */
function table1d(xs: number[], maxk: number): NeighborTable {
  return computeNeighborsSync(xs.map((x) => [x]), { maxk });
}

describe('kNN, k*NN, k-peaks by hand', () => {
  const xs = [0, 1, 3, 6, 10];
  const nn = table1d(xs, 3);
  it('kNN: log k − log N − log ω_1 − log r_k (ω_1 = 2)', () => {
    const r = densityKNN(nn, 1, { k: 2 });
    // point 0: r_2 = 3; point 2 (x = 3): neighbours 1 (2), 6 (3) -> r_2 = 3; point 4 (x = 10): neighbours 6 (4), 3 (7) -> r_2 = 7
    expect(r.logDen[0]).toBeCloseTo(Math.log(2) - Math.log(5) - Math.log(2) - Math.log(3), 14);
    expect(r.logDen[2]).toBeCloseTo(-Math.log(5) - Math.log(3), 14);
    expect(r.logDen[4]).toBeCloseTo(-Math.log(5) - Math.log(7), 14);
    expect(r.logDenErr[0]).toBeCloseTo(1 / Math.sqrt(2), 15);
    expect(Array.from(r.kstar)).toEqual([2, 2, 2, 2, 2]);
    expect(r.dc[4]).toBe(7);
    expect(r.summary()).toMatch(/^kNN log density of 5 points/);
    expect(entropy(r.logDen)).toBeCloseTo(-r.logDen.reduce((a, b) => a + b, 0) / 5, 14);
  });
  it('k*NN uses k*_i at each point; bias adds (k/N)^(2/d) in quadrature', () => {
    const r = densityKstarNN(nn, 1, [1, 2, 3, 2, 1], { bias: true });
    expect(r.logDen[0]).toBeCloseTo(Math.log(1) - Math.log(5) - Math.log(2) - Math.log(1), 14);
    expect(r.logDen[2]).toBeCloseTo(Math.log(3) - Math.log(5) - Math.log(2) - Math.log(3), 14);
    expect(r.logDenErr[2]).toBeCloseTo(Math.sqrt(1 / 3 + (3 / 5) ** 2), 14);
  });
  it('k-peaks: the score is k* and the error the spread of k* over the neighbourhood', () => {
    const ks = [3, 2, 3, 2, 3];
    const r = densityKpeaks(nn, 1, ks);
    expect(Array.from(r.logDen)).toEqual(ks);
    // point 0: neighbours by distance 1 (x=1), 2 (x=3); sum over j = 1..k*-1 = 2 of (k*_nb − 3)² / 3
    expect(r.logDenErr[0]).toBeCloseTo(Math.sqrt(((2 - 3) ** 2 + (3 - 3) ** 2) / 3), 14);
  });
  it('refuses k beyond the table and a missing dimension', () => {
    expect(() => densityKNN(nn, 1, { k: 4 })).toThrow(/exceeds/);
    expect(() => densityKNN(nn, 0, { k: 2 })).toThrow(/intrinsic dimension/);
    expect(() => densityKstarNN(nn, 1, [1, 2])).toThrow(/k\* has 2 entries/);
  });
});

describe('PAk', () => {
  it('a uniform 1-D density: constant shells give F = log ρ and slope 0', () => {
    // shells of equal volume v = ω_1 · 1 = 2: ρ = 1/2 at each rank
    const k = 6, v = new Float64Array(k).fill(2);
    const state = { a: 0, niter: 0, singular: false, fixedSteps: 0 };
    const F = pakNewton(Math.log(k) - Math.log(2) - Math.log(k), k, v, true, state, 1000);
    expect(F).toBeCloseTo(Math.log(0.5), 14);
    expect(state.a).toBeCloseTo(0, 12);
  });

  it('converges to the likelihood maximum (gradient criterion 1e-3) on shells with a density trend', () => {
    const k = 20;
    const v = new Float64Array(k);
    for (let l = 1; l <= k; l++) v[l - 1] = Math.exp(-0.05 * l) * (1 + 0.3 * Math.sin(l)); // density rising with rank
    const state = { a: 0, niter: 0, singular: false, fixedSteps: 0 };
    const F0 = Math.log(k / v.reduce((s, x) => s + x, 0));
    const F = pakNewton(F0, k, v, true, state, 1000);
    let gF = k, gA = (k * (k + 1)) / 2;
    for (let l = 1; l <= k; l++) { const t = v[l - 1] * Math.exp(F + state.a * l); gF -= t; gA -= l * t; }
    expect(Math.max(Math.abs(gF / F), Math.abs(gA / state.a))).toBeLessThanOrEqual(1e-3);
    expect(state.niter).toBeGreaterThan(10);
    expect(state.a).toBeGreaterThan(0.02);
    // the undamped Newton optimum, computed independently, agrees to the stopping tolerance
    let f = F0, a = 0;
    for (let it = 0; it < 200; it++) {
      let g1 = k, g2 = (k * (k + 1)) / 2, h11 = 0, h12 = 0, h22 = 0;
      for (let l = 1; l <= k; l++) { const t = v[l - 1] * Math.exp(f + a * l); g1 -= t; g2 -= l * t; h11 -= t; h12 -= l * t; h22 -= l * l * t; }
      const det = h11 * h22 - h12 * h12;
      f -= (h22 * g1 - h12 * g2) / det; a -= (-h12 * g1 + h11 * g2) / det;
    }
    expect(Math.abs(F - f)).toBeLessThan(1e-2);
  });

  it('error is sqrt((4k + 2)/(k (k − 1))); points with an empty shell keep the k*NN estimate', () => {
    // duplicate points: r_1 = 0 for the copies
    const X = [[0], [0], [1], [2.5], [3], [4.2], [5], [7]];
    const nn = computeNeighborsSync(X, { maxk: 6 });
    const ks = new Array(8).fill(4);
    const r = densityPAk(nn, 1, ks);
    expect(r.logDenErr[3]).toBeCloseTo(Math.sqrt(18 / 12), 15);
    const knn = densityKstarNN(nn, 1, ks);
    expect(r.logDen[0]).toBeCloseTo(knn.logDen[0], 14);
    expect(r.skipped).toBeGreaterThanOrEqual(2);
    expect(r.iterations[0]).toBe(0);
  });
});

describe('PAk at high intrinsic dimension (shell volumes beyond e^300)', () => {
  it('fits in log space where DADApy caps the exponent at 300 (its values are then off by tens of nats)', () => {
    // 400 standard-normal points in 100-D at ID 150: d log r ~ 150 · log 14 ~ 400 > 300
    let s = 12345;
    const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return (s + 0.5) / 2147483648; };
    const gauss = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    const X = Array.from({ length: 400 }, () => Array.from({ length: 100 }, gauss));
    const nn = computeNeighborsSync(X, { maxk: 30 });
    const ks = computeKstarForTest(nn, 150);
    const ours = densityPAk(nn, 150, ks);
    const dadapy = densityPAk(nn, 150, ks, { dadapyVolumeRange: true });
    const knn = densityKstarNN(nn, 150, ks);
    expect(ours.logSpace).toBe(400);
    expect(ours.warnings.join(' ')).toMatch(/log space/);
    expect(dadapy.warnings.join(' ')).toMatch(/capped at e\^300/);
    let dOurs = 0, dDadapy = 0;
    for (let i = 0; i < 400; i++) { dOurs += Math.abs(ours.logDen[i] - knn.logDen[i]); dDadapy += Math.abs(dadapy.logDen[i] - knn.logDen[i]); }
    // the PAk fit stays near the k*NN estimate; the capped volumes put DADApy's far off
    expect(dOurs / 400).toBeLessThan(15);
    expect(dDadapy / 400).toBeGreaterThan(40);
    // the log-space fit maximises the same likelihood: its gradient criterion holds
    expect(ours.unconverged).toBe(0);
  });
});

describe('densities at new points', () => {
  const c = loadCase(join(CASES, 'density_gauss_D2_N500.json'));
  const X = loadInputs(c).get('X') as Matrix;
  it('kNN at the data themselves: compute_density_kNN(k) − interpolated = log k − log(k − 1)', async () => {
    const d = new Data(X);
    await d.computeDistances({ maxk: 30 });
    d.setId(2);
    const a = await d.computeDensityKNN({ k: 5 });
    const b = await d.returnInterpolatedDensityKNN({ XNew: X, k: 5 });
    for (let i = 0; i < 500; i++) expect(a.logDen[i] - b.logDen[i]).toBeCloseTo(Math.log(5) - Math.log(4), 12);
    const b2 = await d.returnInterpolatedDensityKNN(X, { k: 5 });
    expect(Array.from(b2.logDen)).toEqual(Array.from(b.logDen));
  });
  it('k* at the data themselves equals the data k*; PAk at new points works (DADApy raises) and matches the data PAk at the data', async () => {
    const d = new Data(X);
    await d.computeDistances({ maxk: 40 });
    d.setId(2);
    const ks = await d.computeKstar();
    const pak = await d.computeDensityPAk();
    const ip = await d.returnInterpolatedDensityPAk({ XNew: X });
    expect(Array.from(ip.kstar)).toEqual(Array.from(ks.kstar));
    for (let i = 0; i < 500; i++) expect(Math.abs(ip.logDen[i] - pak.logDen[i])).toBeLessThan(0.05);
    const ik = await d.returnInterpolatedDensityKstarNN({ XNew: [[0, 0], [5, 5]] });
    expect(ik.logDen[0]).toBeGreaterThan(ik.logDen[1] + 5); // the origin is far denser than (5, 5)
    const ipn = await d.returnInterpolatedDensityPAk({ XNew: [[0, 0], [0.1, -0.2]] });
    // a standard normal: log density at 0 is −log 2π ≈ −1.84
    expect(Math.abs(ipn.logDen[0] + Math.log(2 * Math.PI))).toBeLessThan(0.5);
    const nn = d.nn!;
    expect(crossKstar({ n: 500, width: nn.maxk, distances: nn.distances.filter((_, j) => j % (nn.maxk + 1) !== nn.maxk), indices: nn.indices.filter((_, j) => j % (nn.maxk + 1) !== nn.maxk) }, nn, 2).length).toBe(500);
  });
  it('refuses new points of the wrong width', async () => {
    const d = new Data(X);
    d.setId(2);
    await expect(d.returnInterpolatedDensityKNN({ XNew: [[1, 2, 3]], k: 5 })).rejects.toThrow(/coordinates/);
  });
});

describe('the Data layer: DADApy\'s state rules and numbers (with the ID DADApy used)', () => {
  it('replays density_gauss_D2_N500 to 1e-9 given DADApy\'s ID', async () => {
    const c = loadCase(join(CASES, 'density_gauss_D2_N500.json'));
    const X = loadInputs(c).get('X') as Matrix;
    let d: Data | null = null;
    let checked = 0;
    for (const s of c.steps) {
      if (s.op === 'init') { d = new Data(X); continue; }
      const obj = d as Data;
      if (s.method === 'compute_distances') { await obj.computeDistances({ maxk: 100 }); continue; }
      if (s.method === 'compute_id_2NN') { obj.setId(decodeValue(s.attributes!.intrinsic_dim ?? s.returned!.id) as number); continue; }
      if (s.method === 'set_id') { obj.setId((s.kwargs as { d: number }).d); continue; }
      const kw = Object.fromEntries(Object.entries(s.kwargs ?? {}).map(([k, v]) => [k.replace(/_(\w)/g, (_, ch) => ch.toUpperCase()), v]));
      const fn = { compute_kstar: 'computeKstar', compute_density_kstarNN: 'computeDensityKstarNN', compute_density_PAk: 'computeDensityPAk',
        return_entropy: 'returnEntropy', compute_density_kNN: 'computeDensityKNN' }[s.method as string] as keyof Data;
      const ret = await (obj[fn] as (o: unknown) => Promise<unknown>).call(obj, kw);
      for (const [name, v] of Object.entries(s.returned ?? {})) {
        const ours = name === 'entropy' ? [ret as number] : Array.from((ret as Record<string, Float64Array>)[name === 'log_den' ? 'logDen' : 'logDenErr']);
        const exp = ([] as number[]).concat(decodeValue(v) as number[]);
        for (let i = 0; i < exp.length; i++) expect(Math.abs(ours[i] - exp[i])).toBeLessThan(1e-9 * Math.max(1, Math.abs(exp[i])));
        checked++;
      }
      for (const [name, v] of Object.entries(s.attributes ?? {})) {
        const ours = Array.from((obj as unknown as Record<string, ArrayLike<number>>)[name]);
        const exp = decodeValue(v) as number[];
        for (let i = 0; i < exp.length; i++) expect(Math.abs(ours[i] - exp[i])).toBeLessThan(1e-12 * Math.max(1, Math.abs(exp[i])));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('setKstar resets the densities; kNN overwrites k*; entropy needs a density', async () => {
    const X = Array.from({ length: 60 }, (_, i) => [Math.cos(i), Math.sin(i * 1.3) + i / 60]);
    const d = new Data(X);
    await d.computeDistances({ maxk: 20 });
    d.setId(2);
    await expect(d.returnEntropy()).rejects.toThrow(/needs a density/);
    await d.computeDensityPAk();
    expect(d.logDen).not.toBeNull();
    d.setKstar(7);
    expect(d.logDen).toBeNull();
    expect(d.dc).toBeNull();
    expect(Array.from(new Set(d.kstar))).toEqual([7]);
    await d.computeDensityKNN({ k: 5 });
    expect(Array.from(new Set(d.kstar))).toEqual([5]);
    expect(() => d.setKstar([1, 2])).toThrow(/setKstar got 2 values/);
    expect(typeof (await d.returnEntropy())).toBe('number');
  });
});

function computeKstarForTest(nn: NeighborTable, id: number): Int32Array {
  return computeKstar(nn, id).kstar;
}

// keep the helper used
void makeTable;
