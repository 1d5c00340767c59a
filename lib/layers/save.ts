/**
 * Writes a network's layers as ONE Arrow IPC file with one FixedSizeList column per layer (and a
 * label column): the layout layerProfile reads one column at a time, and the one a PyTorch loop
 * writes with pyarrow (see notebooks/layers.ipynb). Record batches are streamed to the file as they
 * are built, so the writer holds one batch (batchRows rows of every layer) besides the layers.
 */
import { createWriteStream } from 'node:fs';
import * as A from 'apache-arrow';
import { InputError } from '../errors';
import { asMatrix, type Matrix, type MatrixLike } from '../matrix';
import { registerArrowCodecs } from '../io/codecs';

export interface SaveLayersOptions {
  /** Layer (column) names; default the given names, or layer_0, layer_1, ... */
  names?: readonly string[];
  /** One label per input, stored in a column `label`. */
  labels?: ArrayLike<number> | readonly string[];
  /** Rows per record batch (default 1024). */
  batchRows?: number;
  /** 'lz4' compresses every batch (LZ4_FRAME); default none. */
  compression?: 'lz4' | 'none';
}

/** Writes the layers to `path` (an Arrow IPC file); resolves to the number of bytes written. */
export async function saveLayers(path: string, layers: readonly (MatrixLike | { name: string; X: MatrixLike })[], opts: SaveLayersOptions = {}): Promise<number> {
  registerArrowCodecs();
  if (typeof path !== 'string' || path.length === 0) throw new InputError(`saveLayers expects a file path, got ${typeof path}`, "Pass a path such as 'layers.arrow'");
  if (!Array.isArray(layers) || layers.length === 0) throw new InputError('saveLayers was given no layers', 'Pass an array of matrices (or of { name, X }), one per layer');
  const mats: Matrix[] = [];
  const given: (string | undefined)[] = [];
  for (const l of layers) {
    const o = l as { name?: string; X?: MatrixLike };
    const named = o && typeof o === 'object' && !Array.isArray(o) && 'X' in o && o.X !== undefined;
    mats.push(asMatrix(named ? (o.X as MatrixLike) : (l as MatrixLike)));
    given.push(named ? String(o.name) : undefined);
  }
  const names = opts.names ? [...opts.names] : given.map((g, i) => g ?? `layer_${i}`);
  if (names.length !== mats.length) throw new InputError(`${names.length} names for ${mats.length} layers`, 'Pass one name per layer');
  if (new Set(names).size !== names.length || names.includes('label')) throw new InputError(`The layer names must be distinct and not 'label' (got ${names.join(', ')})`, 'Pass distinct names');
  const N = mats[0].rows;
  mats.forEach((m, i) => {
    if (m.rows !== N) throw new InputError(`Layer '${names[i]}' has ${m.rows} rows but '${names[0]}' has ${N}`, 'Every layer must hold the same inputs, in the same order');
  });
  let labels: A.Vector | null = null;
  if (opts.labels !== undefined) {
    if (opts.labels.length !== N) throw new InputError(`${opts.labels.length} labels for ${N} inputs`, 'Pass one label per input');
    const arr = Array.from(opts.labels as ArrayLike<number | string>);
    labels = arr.some((v) => typeof v === 'string') ? A.vectorFromArray(arr.map(String), new A.Utf8())
      : arr.every((v) => Number.isInteger(v)) ? A.makeVector(Int32Array.from(arr as number[])) : A.makeVector(Float64Array.from(arr as number[]));
  }
  const fields = mats.map((m, i) => {
    const elem = m.data instanceof Float32Array ? new A.Float32() : new A.Float64();
    return new A.Field(names[i], new A.FixedSizeList(m.cols, new A.Field('item', elem, false)), false);
  });
  if (labels) fields.push(new A.Field('label', labels.type, false));
  const schema = new A.Schema(fields);
  const batchRows = Math.max(1, Math.floor(opts.batchRows ?? 1024));
  const compressionType = opts.compression === 'lz4' ? A.CompressionType.LZ4_FRAME : null;
  const writer = new A.RecordBatchFileWriter({ compressionType } as never);
  const out = createWriteStream(path);
  const finished = new Promise<void>((resolve, reject) => {
    out.on('finish', () => resolve());
    out.on('error', (e) => reject(new InputError(`Cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? e.message}`, 'Check that the folder exists and is writable')));
  });
  const bytes = writer.toNodeStream();
  bytes.pipe(out);
  for (let r0 = 0; r0 < N; r0 += batchRows) {
    const r1 = Math.min(N, r0 + batchRows);
    const children = mats.map((m, i) => {
      const fsl = fields[i].type as A.FixedSizeList;
      const child = A.makeData({ type: fsl.children[0].type, length: (r1 - r0) * m.cols, nullCount: 0, data: m.data.subarray(r0 * m.cols, r1 * m.cols) as Float32Array });
      return A.makeData({ type: fsl, length: r1 - r0, nullCount: 0, child }) as A.Data;
    });
    if (labels) children.push(labels.slice(r0, r1).data[0] as A.Data);
    writer.write(new A.RecordBatch(schema, A.makeData({ type: new A.Struct(fields), length: r1 - r0, nullCount: 0, children })));
    // let the file take this batch before building the next (the writer's queue would otherwise hold the whole file)
    do await new Promise<void>((resolve) => setImmediate(resolve));
    while (bytes.readableLength + out.writableLength > 32 * 2 ** 20);
  }
  writer.finish();
  await finished;
  return out.bytesWritten;
}
