/**
 * Clustering options that used to run silently with nonsense: ADP's Z of NaN or Infinity (N
 * singleton clusters) or -1 (accepted), DP cuts of NaN (0 clusters). Each is an InputError naming
 * the option, the value and what to pass; valid values still cluster as before.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Data } from '../../lib/data';
import { InputError } from '../../lib/errors';
import { Matrix } from '../../lib/matrix';
import { silenceWarnings } from '../../lib/runtime/warnings';
import { SeededRng } from '../../lib/stats/rng';

function blobs(): Matrix {
  const rng = new SeededRng(7);
  // Box-Muller normals from the seeded uniforms
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng.random())) * Math.cos(2 * Math.PI * rng.random());
  const out = new Float64Array(300 * 2);
  for (let i = 0; i < 300; i++) {
    const c = i % 3;
    out[2 * i] = c * 6 + normal();
    out[2 * i + 1] = (c === 1 ? 5 : 0) + normal();
  }
  return new Matrix(out, 300, 2);
}

function refused(f: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  return f().then(() => { throw new Error('expected an InputError'); }, (e) => {
    expect(e).toBeInstanceOf(InputError);
    expect(String(e.message)).toMatch(pattern);
    expect(String(e.fix)).toMatch(/Pass/);
  });
}

let d: Data;
beforeAll(async () => {
  silenceWarnings();
  d = new Data(blobs(), { maxk: 30 });
  await d.computeDensityPAk();
  await d.computeDecGraph();
});

describe('ADP Z', () => {
  for (const Z of [NaN, Infinity, -Infinity, -1, '1.65', null]) {
    it(`refuses Z = ${String(Z)} (${typeof Z}), naming Z and its value`, async () => {
      await refused(() => d.computeClusteringADP({ Z: Z as number }), /Z must be a finite number >= 0, got/);
    });
  }

  it('still clusters with Z = 0, the default and Z = 3', async () => {
    const a = await d.computeClusteringADP({ Z: 0 });
    const b = await d.computeClusteringADP();
    const c = await d.computeClusteringADP({ Z: 3 });
    expect(a.nClusters).toBeGreaterThanOrEqual(b.nClusters);
    expect(b.nClusters).toBeGreaterThanOrEqual(c.nClusters);
    expect(c.nClusters).toBeGreaterThanOrEqual(1);
  });

  it('the topology merge (the explorer slider) refuses the same values', async () => {
    const { adpTopology } = await import('../../lib/clustering/adp');
    const t = adpTopology(d.nn!, d.logDen!, d.logDenErr!, d.kstar!);
    expect(() => t.merge({ Z: NaN })).toThrow(InputError);
    expect(() => t.merge({ Z: -1 })).toThrow(/Z must be a finite number >= 0, got -1/);
    expect(t.merge({ Z: 1.65 }).nClusters).toBe((await d.computeClusteringADP()).nClusters);
  });
});

describe('DP cuts', () => {
  for (const [name, v] of [['densCut', NaN], ['deltaCut', NaN], ['densCut', Infinity], ['deltaCut', '1']] as const) {
    it(`refuses ${name} = ${String(v)}`, async () => {
      await refused(() => d.computeClusteringDP({ [name]: v } as never), new RegExp(`${name} must be a finite number, got`));
    });
  }

  it('finite cuts, negative ones included, still give clusters', async () => {
    const r = await d.computeClusteringDP({ densCut: -100, deltaCut: 3 });
    expect(r.nClusters).toBeGreaterThanOrEqual(2);
  });

  it('halo must be true or false', async () => {
    await refused(() => d.computeClusteringDP({ halo: 1 as never }), /halo must be true or false, got 1/);
  });
});
