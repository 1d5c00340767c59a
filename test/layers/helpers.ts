import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix } from '../../lib/matrix';
import { SeededRng } from '../../lib/stats/rng';

/**
 * A toy network's layers: N inputs of 3 classes; layer l is 10-D Gaussian noise plus a class
 * signal of strength 1.5 l on the class's coordinate (deeper layers separate the classes more).
 */
export function toyLayers(N = 300, L = 4, seed = 3, f32 = false): { layers: Matrix[]; labels: Int32Array } {
  const rng = new SeededRng(seed);
  const labels = Int32Array.from({ length: N }, (_, i) => i % 3);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.random())) * Math.cos(2 * Math.PI * rng.random());
  const layers = Array.from({ length: L }, (_, l) => {
    const D = 10;
    const X = f32 ? new Float32Array(N * D) : new Float64Array(N * D);
    for (let i = 0; i < N; i++) for (let j = 0; j < D; j++) X[i * D + j] = gauss() + (j === labels[i] ? 1.5 * l : 0);
    return new Matrix(X, N, D);
  });
  return { layers, labels };
}

/** The bytes of a .npy file (format 1.0, little-endian, C order). */
export function npyBytes(data: Float32Array | Float64Array | Int32Array, shape: number[]): Buffer {
  const descr = data instanceof Float32Array ? '<f4' : data instanceof Float64Array ? '<f8' : '<i4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

export function tempDir(): { dir: string; file: (name: string) => string; write: (name: string, bytes: Uint8Array) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dadalab-layers-'));
  return {
    dir,
    file: (name) => join(dir, name),
    write: (name, bytes) => { const p = join(dir, name); writeFileSync(p, bytes); return p; },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
