import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as A from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerProfile, layerSource, saveLayers, type LayerProfileResult } from '../../lib/layers';
import { computeNeighbors, type NeighborTable } from '../../lib/neighbors';
import { saveArrow } from '../../lib/io/arrow';
import { npyBytes, tempDir, toyLayers } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const { layers, labels } = toyLayers(150, 4, 7, true);
let reference: LayerProfileResult;
beforeAll(async () => {
  reference = await layerProfile(layers, { labels });
});

/** Every number of two profiles is the same (the sources hold the same data). */
function expectSame(p: LayerProfileResult, names?: string[]): void {
  expect(p.table().map((r) => ({ ...r, layer: '' }))).toEqual(reference.table().map((r) => ({ ...r, layer: '' })));
  if (names) expect([...p.names]).toEqual(names);
}

/**
 * A faiss-style neighbour table file: FixedSizeList columns distances (float32) and indices (int64);
 * `faiss`: squared distances and no self column, as IndexFlatL2.search on other queries returns them.
 */
function tableFile(t: NeighborTable, path: string, faiss = false): void {
  const w = faiss ? t.maxk : t.maxk + 1;
  const c0 = faiss ? 1 : 0;
  const pick = <T>(a: ArrayLike<number>, f: (v: number) => T) => Array.from({ length: t.n * w }, (_, x) => f(a[Math.floor(x / w) * (t.maxk + 1) + c0 + (x % w)]));
  const dist = A.makeData({ type: new A.Float32(), length: t.n * w, data: Float32Array.from(pick(t.distances, (v) => (faiss ? v * v : v))) });
  const ind = A.makeData({ type: new A.Int64(), length: t.n * w, data: BigInt64Array.from(pick(t.indices, (v) => BigInt(v))) });
  const fsl = (child: A.Data, type: A.DataType) => A.makeVector(A.makeData({ type: new A.FixedSizeList(w, new A.Field('item', type, false)), length: t.n, child }));
  writeFileSync(path, A.tableToIPC(new A.Table({ distances: fsl(dist, new A.Float32()), indices: fsl(ind, new A.Int64()) }), 'file'));
}

describe('layer sources', () => {
  it('one Arrow file, one FixedSizeList column per layer, several record batches, labels from its label column', async () => {
    const path = tmp.file('net.arrow');
    const bytes = await saveLayers(path, layers.map((X, i) => ({ name: `block${i}`, X })), { labels, batchRows: 40 });
    expect(bytes).toBeGreaterThan(150 * 40 * 4);
    const src = layerSource(path);
    expect(src.description).toMatch(/4 layers of 150 inputs .* \(4 record batches\)/);
    expect(Array.from(src.labels as Int32Array)).toEqual(Array.from(labels));
    src.close();
    expectSame(await layerProfile(path), ['block0', 'block1', 'block2', 'block3']);
    // LZ4-compressed batches too
    const lz = tmp.file('net-lz4.arrow');
    await saveLayers(lz, layers, { labels, batchRows: 64, compression: 'lz4' });
    expectSame(await layerProfile(lz));
  });

  it('a folder of .npy files in natural order (layer2 before layer10), labels from labels.npy', async () => {
    const dir = join(tmp.dir, 'npy');
    mkdirSync(dir);
    const names = ['layer1', 'layer2', 'layer10', 'layer11'];
    layers.forEach((X, i) => writeFileSync(join(dir, `${names[i]}.npy`), npyBytes(X.data as Float32Array, [150, 10])));
    writeFileSync(join(dir, 'labels.npy'), npyBytes(labels, [150]));
    writeFileSync(join(dir, 'README.txt'), 'not a layer');
    expectSame(await layerProfile(dir), names);
  });

  it('load(i, reuse) reads a file layer into the buffer handed back when it fits; matrices sources never write into it', async () => {
    const path = tmp.file('reuse.arrow');
    await saveLayers(path, layers, { labels, batchRows: 40 });
    const dir = join(tmp.dir, 'reuse-npy');
    mkdirSync(dir);
    layers.forEach((X, i) => writeFileSync(join(dir, `l${i}.npy`), npyBytes(X.data as Float32Array, [150, 10])));
    for (const src of [layerSource(path), layerSource(dir)]) {
      expect(src.reads).toBe(true);
      const first = src.load(0).X!;
      expect(Array.from(first.data)).toEqual(Array.from(layers[0].data));
      const buf = first.data;
      const second = src.load(1, buf).X!;
      expect(second.data).toBe(buf); // read into the buffer handed back
      expect(Array.from(second.data)).toEqual(Array.from(layers[1].data));
      for (const wrong of [new Float32Array(10), new Float64Array(1500)]) {
        const third = src.load(2, wrong).X!;
        expect(third.data).not.toBe(wrong); // does not fit: a fresh buffer
        expect(Array.from(third.data)).toEqual(Array.from(layers[2].data));
      }
      src.close();
    }
    const mats = layerSource(layers);
    expect(mats.reads).toBeFalsy();
    const mine = new Float32Array(1500).fill(7);
    expect(mats.load(1, mine).X).toBe(layers[1]);
    expect(mine.every((v) => v === 7)).toBe(true);
  });

  it('a folder of per-layer Arrow files (saveArrow), labels given', async () => {
    const dir = join(tmp.dir, 'arrow');
    mkdirSync(dir);
    layers.forEach((X, i) => saveArrow(join(dir, `h${i}.arrow`), X));
    expectSame(await layerProfile(dir, { labels }), ['h0', 'h1', 'h2', 'h3']);
  });

  it('precomputed neighbour tables per layer (faiss-style Arrow files, and NeighborTable objects)', async () => {
    // complete tables (maxk = N - 1): the imbalances are exact, as from coordinates
    const tables = await Promise.all(layers.map((X) => computeNeighbors(X, { maxk: 149 })));
    const dir = join(tmp.dir, 'tables');
    mkdirSync(dir);
    tables.forEach((t, i) => tableFile(t, join(dir, `layer${i}.arrow`)));
    for (const source of [tables, dir]) {
      const p = await layerProfile(source, { labels, maxk: 100 });
      const a = p.table(), b = reference.table();
      for (let l = 0; l < 4; l++) {
        // float32 distances in the file: the estimators agree to float32 precision; ranks and overlaps exactly
        expect(a[l].overlapLabels).toBe(b[l].overlapLabels);
        expect(a[l].overlapNext).toBe(b[l].overlapNext);
        for (const key of ['imbToFirst', 'imbFromFirst', 'imbToLast', 'imbFromLast'] as const) expect(a[l][key]).toBeCloseTo(b[l][key], 14);
        expect(a[l].id2nn).toBeCloseTo(b[l].id2nn, 4);
        expect(a[l].idGride).toBeCloseTo(b[l].idGride, 4);
      }
    }
    // faiss's layout: squared distances, no self column
    const fdir = join(tmp.dir, 'faiss');
    mkdirSync(fdir);
    tables.forEach((t, i) => tableFile(t, join(fdir, `layer${i}.arrow`), true));
    const pf = await layerProfile(fdir, { labels, maxk: 100, squared: true, includesSelf: false });
    expect(pf.table().map((r) => r.overlapNext)).toEqual(reference.table().map((r) => r.overlapNext));
    expect(pf.table().map((r) => r.imbToLast)).toEqual(reference.table().map((r) => r.imbToLast));
    // short tables: ranks beyond them are DADApy's random draws, seeded
    const short = await Promise.all(layers.map((X) => computeNeighbors(X, { maxk: 20 })));
    const p1 = await layerProfile(short, { labels, rangeMax: 16, seed: 1 });
    const p2 = await layerProfile(short, { labels, rangeMax: 16, seed: 1 });
    expect(p1.table()).toEqual(p2.table());
  });

  it('names what is wrong: not a FixedSizeList column, no layer files, a missing path, tables too short for Gride', async () => {
    const bad = tmp.file('bad.arrow');
    writeFileSync(bad, A.tableToIPC(new A.Table({ a: A.makeVector(Float32Array.from([1, 2, 3])), note: A.vectorFromArray(['x', 'y', 'z']) }), 'file'));
    await expect(layerProfile(bad)).rejects.toThrow(/Column 'a' of .* not a FixedSizeList of numbers/);
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.md'), '#');
    await expect(layerProfile(empty)).rejects.toThrow(/has no layer files.*notes\.md/);
    await expect(layerProfile(tmp.file('nope.arrow'))).rejects.toThrow(/There is no file or folder/);
    const short = await Promise.all(layers.map((X) => computeNeighbors(X, { maxk: 20 })));
    await expect(layerProfile(short)).rejects.toThrow(/Gride up to rank 64 needs 64 neighbours.*rangeMax: 16/);
  });
});
