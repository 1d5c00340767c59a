// Data-intake timings: loadArrow on a 20000 x 768 float32 data set in both Arrow layouts
// (one FixedSizeList<Float32>[768] column; 768 Float32 columns as pandas/pyarrow write them),
// plain and LZ4-compressed, plus CSV and .npy for scale. Imports the built package (npm run build).
//   node bench/io.mjs [N] [D]
import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const A = require('apache-arrow');
const dl = require('../dist/lib/index.js');

const N = Number(process.argv[2] ?? 20000), D = Number(process.argv[3] ?? 768);
const dir = mkdtempSync(join(tmpdir(), 'dadalab-bench-io-'));
const f = (n) => join(dir, n);

const X = new Float32Array(N * D);
let s = 1;
for (let i = 0; i < X.length; i++) { s = (s * 16807) % 2147483647; X[i] = (s / 2147483647 - 0.5) * (1 + (i % 7)); }
const M = new dl.Matrix(X, N, D);

function best(fn, reps = 7) {
  let t = Infinity, out;
  for (let r = 0; r < reps; r++) { const t0 = process.hrtime.bigint(); out = fn(); t = Math.min(t, Number(process.hrtime.bigint() - t0) / 1e6); }
  return { ms: t, out };
}
const rows = [];
const row = (what, r, extra = '') => rows.push([what, r.ms.toFixed(1), extra]);

row('saveArrow FixedSizeList (uncompressed)', best(() => dl.saveArrow(f('fsl.arrow'), M), 3));
// random floats do not compress (the writer then stores buffers raw): LZ4 is timed on data
// quantized to 1/8 steps, like pixel or count data
const Q = new dl.Matrix(X.map((x) => Math.round(x * 8) / 8), N, D);
row('saveArrow FixedSizeList (LZ4, quantized data)', best(() => dl.saveArrow(f('fsl_lz4.arrow'), Q, { compression: 'lz4' }), 1));
const cols = {};
for (let j = 0; j < D; j++) { const c = new Float32Array(N); for (let i = 0; i < N; i++) c[i] = X[i * D + j]; cols[`f${j}`] = c; }
writeFileSync(f('cols.feather'), A.tableToIPC(A.tableFromArrays(cols), 'file'));

const size = (n) => `${(statSync(f(n)).size / 2 ** 20).toFixed(1)} MiB`;
const bytes = readFileSync(f('fsl.arrow'));
row('readFileSync alone (FixedSizeList file)', best(() => readFileSync(f('fsl.arrow'))), size('fsl.arrow'));
row('tableFromIPC alone (bytes in memory)', best(() => A.tableFromIPC(bytes)));
let r = best(() => dl.loadArrow(f('fsl.arrow')));
row('loadArrow FixedSizeList, from path (read + zero-copy view)', r, `view: ${r.out.X.data.buffer.byteLength === statSync(f('fsl.arrow')).size}`);
r = best(() => dl.loadArrow(bytes));
row('loadArrow FixedSizeList, bytes in memory', r, `view: ${r.out.X.data.buffer === bytes.buffer}`);
row('loadArrow FixedSizeList -> float64 copy', best(() => dl.loadArrow(bytes, { dtype: 'float64' })));
row('loadArrow FixedSizeList, LZ4 (JS decoder, quantized data)', best(() => dl.loadArrow(f('fsl_lz4.arrow')), 3), size('fsl_lz4.arrow'));
const cbytes = readFileSync(f('cols.feather'));
row('loadArrow 768 Float32 columns, from path (blocked copy)', best(() => dl.loadArrow(f('cols.feather'))), size('cols.feather'));
row('loadArrow 768 Float32 columns, bytes in memory', best(() => dl.loadArrow(cbytes)));
row('loadArrow 768 Float32 columns -> float64', best(() => dl.loadArrow(cbytes, { dtype: 'float64' })));
// naive reference: per-element vector.get
const t = A.tableFromIPC(cbytes);
const nNaive = Math.min(N, 2000);
const naive = best(() => { const out = new Float64Array(nNaive * D); for (let j = 0; j < D; j++) { const v = t.getChildAt(j); for (let i = 0; i < nNaive; i++) out[i * D + j] = v.get(i); } return out; }, 1);
rows.push([`(reference) vector.get per element, first ${nNaive} rows, scaled to N`, (naive.ms * N / nNaive).toFixed(0), '']);

// .npy (numpy.save layout, float32 C order) and CSV (20000 x 64 slice) for scale
const hdr = `{'descr': '<f4', 'fortran_order': False, 'shape': (${N}, ${D}), }`;
const pad = 64 - ((10 + hdr.length + 1) % 64);
const head = Buffer.alloc(10); Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head); head.writeUInt16LE(hdr.length + pad % 64 + 1, 8);
writeFileSync(f('x.npy'), Buffer.concat([head, Buffer.from(hdr + ' '.repeat(pad % 64) + '\n', 'latin1'), Buffer.from(X.buffer)]));
r = best(() => dl.loadNpy(f('x.npy')));
row('loadNpy float32 C order (read + view)', r, `${size('x.npy')}, ${r.out.rows} x ${r.out.cols} ${r.out.dtype}`);
const D2 = Math.min(D, 64);
let text = '';
for (let i = 0; i < N; i++) { const a = []; for (let j = 0; j < D2; j++) a.push(X[i * D + j].toPrecision(8)); text += a.join(',') + '\n'; }
writeFileSync(f('x.csv'), text);
row(`loadCsv ${N} x ${D2}`, best(() => dl.loadCsv(f('x.csv')), 3), size('x.csv'));

console.log(`dadalab io bench: N = ${N}, D = ${D}, float32, best of 7 (ms; the machine is shared, single runs vary 2-4x)`);
const w = Math.max(...rows.map((x) => x[0].length));
for (const [a, b, c] of rows) console.log(`${a.padEnd(w)}  ${b.padStart(8)}  ${c}`);
rmSync(dir, { recursive: true, force: true });
