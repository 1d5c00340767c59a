/**
 * One column of a large Arrow IPC file at a time, never the whole file: what a layer profile
 * needs for a file of 32 layers x 5,000 points x 4,096 float32 (2.6 GB), one FixedSizeList
 * column per layer, where loadArrow would read all 2.6 GB.
 *
 * `openArrowColumns(path)` scans the message headers only (schema, dictionary and record batch
 * metadata: a few hundred bytes each, their bodies skipped by seeking), which works for the IPC
 * file format (Feather v2, `.arrow`) and the stream format (`.arrows`) alike. `readColumn(c)` then
 * reads, for every record batch, only the byte ranges of column c's buffers (decompressed with the
 * registered LZ4/ZSTD codecs when the batches are compressed) and assembles them like loadArrow:
 * one record batch gives a view of the freshly read buffer, several are copied into place.
 *
 * apache-arrow's own decoders do the parsing (Message.decode for the flatbuffer headers, its
 * VectorLoader for the field/buffer layout of any type); this file only decides which byte
 * ranges are read, and checks every size against the file's before reading (a damaged header
 * gives an error naming the offset, not a huge allocation or a hang).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { recordLargeFileRead } from '../runtime/provenance';
import * as A from 'apache-arrow';
import { VectorLoader } from 'apache-arrow/visitor/vectorloader';
import type { RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { DadalabError, InputError } from '../errors';
import { Matrix } from '../matrix';
import { assembleColumns, classifyArrowField, readArrowLabels, resolveArrowListWidths, type ArrowColumnInfo } from './arrow';
import { checkFooterMetadata, checkMessageMetadata } from './arrowCheck';
import { registerArrowCodecs } from './codecs';
import { warn } from '../runtime/warnings';
import { resolveColumn, type Labels } from './types';

const CONTINUATION = 0xffffffff;

/** A record batch (or dictionary batch) found by the scan: where its body is, and its decoded header. */
interface BatchEntry {
  bodyOffset: number;
  bodyLength: number;
  header: RecordBatchHeader;
  version: A.MetadataVersion;
}

/** A column of the file as the layer reader sees it. */
export interface ArrowColumnField {
  readonly index: number;
  readonly name: string;
  readonly type: string;
  /** 'fsl': FixedSizeList of numbers; 'list': List of numbers; 'numeric': a number column; 'other'. */
  readonly kind: 'fsl' | 'list' | 'numeric' | 'other';
  /** Values per row for 'fsl' and 'numeric' (1); -1 for lists (known once read). */
  readonly width: number;
  /** Bytes per value of the leaf type (for memory estimates). */
  readonly valueBytes: number;
}

export interface ArrowColumns {
  readonly source: string;
  readonly fileBytes: number;
  readonly numRows: number;
  readonly numBatches: number;
  readonly fields: readonly ArrowColumnField[];
  /** Whether the record batches are compressed (their columns are decompressed when read). */
  readonly compressed: boolean;
  /**
   * One column as an N x width matrix (float32 when the leaf is float32, else float64, unless dtype
   * says). `into`: a buffer the caller no longer needs; a FixedSizeList column without nulls read
   * straight from the file goes into it when its type and length fit (fresh memory costs a page
   * fault per 4 KiB on first touch: about 0.3 s per 80 MB here), else it is ignored.
   */
  readColumn(column: string | number, opts?: ReadColumnOptions): Matrix;
  /** One column as labels (ints, floats, text or dictionary). */
  readLabels(column: string | number): Labels;
  close(): void;
}

export interface ReadColumnOptions {
  dtype?: 'float32' | 'float64';
  /** A buffer to read the values into, when its type and length fit (see readColumn). */
  into?: Float32Array | Float64Array | null;
}

/** Reads a field's buffers from the file only while `active`; decodes compressed ones. */
class ColumnLoader extends VectorLoader {
  active = false;
  /** Record the target's buffer ranges and field nodes instead of reading them. */
  locate = false;
  ranges: { offset: number; length: number }[] = [];
  fieldNodes: { length: number; nullCount: number }[] = [];
  constructor(private readonly readBody: (offset: number, length: number) => Uint8Array,
    private readonly codec: A.Codec | null, header: BatchEntry['header'], dictionaries: Map<number, A.Vector>, version: A.MetadataVersion) {
    super(new Uint8Array(0), header.nodes, header.buffers, dictionaries, version, header.variadicBufferCounts);
  }
  override nextFieldNode(): ReturnType<VectorLoader['nextFieldNode']> {
    const n = super.nextFieldNode();
    if (this.active && this.locate) this.fieldNodes.push({ length: Number(n.length), nullCount: Number(n.nullCount) });
    return n;
  }
  override readData(_type: A.DataType | null, range: { offset: number; length: number } = this.nextBufferRange()): Uint8Array {
    if (this.active && this.locate) { this.ranges.push(range); return new Uint8Array(0); }
    if (!this.active || range.length === 0) return new Uint8Array(0);
    const raw = this.readBody(range.offset, range.length);
    if (!this.codec) return raw;
    // compressed buffers: int64 uncompressed length (-1: stored as is), then the codec's frame
    const len = Number(new DataView(raw.buffer, raw.byteOffset, 8).getBigInt64(0, true));
    const payload = raw.subarray(8);
    return len === -1 ? payload : this.codec.decode!(payload);
  }
}

function readExactly(fd: number, offset: number, length: number, fileBytes: number, source: string, what: string): Uint8Array {
  if (!(offset >= 0 && length >= 0 && offset + length <= fileBytes)) {
    throw new InputError(`${source} is damaged or truncated: ${what} spans bytes ${offset}..${offset + length} but the file has ${fileBytes} bytes`,
      'Re-write or re-copy the file');
  }
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, Math.min(length - done, 2 ** 30), offset + done);
    if (n <= 0) throw new InputError(`${source} is truncated: reading ${what} stopped at byte ${offset + done}`, 'Re-write or re-copy the file');
    done += n;
  }
  return out;
}

/**
 * Scans an Arrow IPC file or stream on disk and returns a reader of one column at a time.
 * The file stays open until `close()`.
 */
export function openArrowColumns(path: string): ArrowColumns {
  registerArrowCodecs();
  if (typeof path !== 'string' || path.length === 0) {
    throw new InputError(`openArrowColumns expects a file path, got ${typeof path}`, 'Pass the path of an Arrow IPC file');
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `There is no file ${path}` : `Cannot open ${path} (${code ?? (e as Error).message})`,
      'Check the path (relative paths start from the notebook\'s folder)');
  }
  try {
    const columns = guarded(scan(fd, path));
    recordLargeFileRead(resolve(path), fd);
    return columns;
  } catch (e) {
    closeSync(fd);
    throw asDamage(e, path);
  }
}

/**
 * apache-arrow's decoders throw their own TypeError / RangeError on metadata damaged in a way the
 * size checks do not model (an int64 offset past 2^53, say): said as damage, with its words.
 */
function asDamage(e: unknown, source: string): unknown {
  if (e instanceof DadalabError) return e;
  return new InputError(`${source} is damaged: apache-arrow could not decode it (${(e as Error)?.message ?? String(e)})`,
    'Re-write or re-copy the file');
}

/** The reader with every column read going through asDamage. */
function guarded(r: ArrowColumns): ArrowColumns {
  return Object.freeze({
    ...r,
    readColumn(column: string | number, opts?: ReadColumnOptions): Matrix {
      try { return r.readColumn(column, opts); } catch (e) { throw asDamage(e, r.source); }
    },
    readLabels(column: string | number): Labels {
      try { return r.readLabels(column); } catch (e) { throw asDamage(e, r.source); }
    },
  });
}

interface Framed { msg: A.Message; bodyOffset: number; bodyLength: number }

/**
 * The message at byte `pos` (continuation marker or the legacy 4-byte length, flatbuffer, body);
 * 'end' at the end-of-stream marker, 'eof' at the end of the file without one.
 */
function readMessageAt(fd: number, pos: number, fileBytes: number, source: string): Framed | 'end' | 'eof' {
  if (pos >= fileBytes) return 'eof';
  const cut = () => new InputError(`${source} is truncated: it ends ${fileBytes - pos} bytes into the message that starts at byte ${pos}`,
    'Re-write or re-copy the file');
  if (pos + 4 > fileBytes) throw cut();
  const pre = readExactly(fd, pos, Math.min(8, fileBytes - pos), fileBytes, source, `the message header at byte ${pos}`);
  const dv = new DataView(pre.buffer, pre.byteOffset, pre.length);
  let metaLen = dv.getUint32(0, true);
  let metaStart = pos + 4;
  if (metaLen === CONTINUATION) {
    if (pre.length < 8) throw cut();
    metaLen = dv.getInt32(4, true);
    metaStart = pos + 8;
  }
  if (metaLen === 0) return 'end'; // end-of-stream marker
  if (!(metaLen > 0 && metaStart + metaLen <= fileBytes)) {
    throw new InputError(`${source} is damaged or truncated: the message at byte ${pos} claims ${metaLen} bytes of metadata but the file has ${fileBytes} bytes`,
      'Re-write or re-copy the file');
  }
  const meta = readExactly(fd, metaStart, metaLen, fileBytes, source, `the message at byte ${pos}`);
  checkMessageMetadata(meta, source, pos);
  let msg: A.Message;
  try {
    msg = A.Message.decode(meta);
  } catch (e) {
    throw new InputError(`${source} is damaged: the message at byte ${pos} does not decode (${(e as Error).message})`, 'Re-write or re-copy the file');
  }
  const bodyOffset = metaStart + metaLen;
  const bodyLength = Number(msg.bodyLength);
  if (!(bodyLength >= 0 && bodyOffset + bodyLength <= fileBytes)) {
    throw new InputError(`${source} is truncated: the message at byte ${pos} needs ${bodyLength} bytes of body but only ${Math.max(0, fileBytes - bodyOffset)} remain`,
      'Re-write or re-copy the file');
  }
  return { msg, bodyOffset, bodyLength };
}

/** The schema and the record/dictionary batch messages: from the footer of a file, by scanning a stream. */
function locateMessages(fd: number, fileBytes: number, source: string, isFile: boolean): { schema: A.Schema | null; messages: Framed[] } {
  const messages: Framed[] = [];
  if (isFile) {
    if (fileBytes < 18) throw new InputError(`${source} is truncated: ${fileBytes} bytes cannot hold an Arrow file's header and footer`, 'Re-write or re-copy the file');
    const tail = readExactly(fd, fileBytes - 10, 10, fileBytes, source, 'the footer length');
    const footerLen = new DataView(tail.buffer, tail.byteOffset, 10).getInt32(0, true);
    const magicEnd = String.fromCharCode(...tail.subarray(4, 10));
    if (magicEnd !== 'ARROW1' || !(footerLen > 0 && footerLen <= fileBytes - 18)) {
      throw new InputError(`${source} is truncated or damaged: it starts like an Arrow file but ${magicEnd !== 'ARROW1' ? 'does not end with ARROW1' : `its footer length ${footerLen} does not fit in ${fileBytes} bytes`}`,
        'Re-write or re-copy the file');
    }
    const footerBytes = readExactly(fd, fileBytes - 10 - footerLen, footerLen, fileBytes, source, 'the footer');
    checkFooterMetadata(footerBytes, source);
    let footer: InstanceType<typeof Footer>;
    try {
      footer = Footer.decode(footerBytes);
    } catch (e) {
      throw new InputError(`${source} is damaged: its footer does not decode (${(e as Error).message})`, 'Re-write or re-copy the file');
    }
    const blocks = [...footer.dictionaryBatches(), ...footer.recordBatches()];
    for (const b of blocks) {
      const m = readMessageAt(fd, Number(b.offset), fileBytes, source);
      if (typeof m === 'string') throw new InputError(`${source} is damaged: a block of its footer points at byte ${b.offset}, where no message is`, 'Re-write or re-copy the file');
      messages.push(m);
    }
    return { schema: footer.schema, messages };
  }
  let schema: A.Schema | null = null;
  let pos = 0;
  for (let guard = 0; ; guard++) {
    const m = readMessageAt(fd, pos, fileBytes, source);
    if (m === 'eof' && pos > 0) {
      // A stream has no footer: cut at a message boundary, only the missing end-of-stream marker tells (as loadArrow says).
      const rows = messages.reduce((t, x) => t + (x.msg.isRecordBatch() ? Number((x.msg.header() as RecordBatchHeader).length) : 0), 0);
      warn(`${source} ends without the end-of-stream marker: if it was copied or downloaded, it may be truncated (${rows} rows read)`, 'input');
    }
    if (typeof m === 'string') break;
    if (m.msg.isSchema()) schema = m.msg.header() as A.Schema;
    else messages.push(m);
    pos = m.bodyOffset + m.bodyLength;
    if (guard > 10_000_000) throw new InputError(`${source} has more than 10 million messages`, 'Re-write it with fewer, larger record batches');
  }
  return { schema, messages };
}

function scan(fd: number, source: string): ArrowColumns {
  const fileBytes = fstatSync(fd).size;
  const head = readExactly(fd, 0, Math.min(8, fileBytes), fileBytes, source, 'the header');
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    throw new InputError(`${source} is gzip-compressed, so its columns cannot be read one at a time`, 'Decompress it first (gunzip), or load it whole with loadArrow');
  }
  const isFile = String.fromCharCode(...head.subarray(0, 6)) === 'ARROW1';
  const { schema, messages } = locateMessages(fd, fileBytes, source, isFile);
  const dictionaries = new Map<number, A.Vector>();
  const batches: BatchEntry[] = [];
  let compressed = false;
  for (const { msg, bodyOffset, bodyLength } of messages) {
    if (msg.isRecordBatch()) {
      const h = msg.header() as RecordBatchHeader;
      checkRanges(h, bodyLength, source, bodyOffset);
      if (h.compression) compressed = true;
      batches.push({ bodyOffset, bodyLength, header: h, version: msg.version });
    } else if (msg.isDictionaryBatch() && schema) {
      const h = msg.header() as unknown as { id: number; isDelta: boolean; data: RecordBatchHeader };
      checkRanges(h.data, bodyLength, source, bodyOffset);
      const type = schema.dictionaries.get(h.id);
      if (type) {
        const entry: BatchEntry = { bodyOffset, bodyLength, header: h.data, version: msg.version };
        const data = loadField(fd, fileBytes, source, entry, dictionaries, [type], 0);
        const v = new A.Vector([data]);
        const prev = dictionaries.get(h.id);
        dictionaries.set(h.id, h.isDelta && prev ? prev.concat(v) : v);
      }
    }
  }
  if (!schema) {
    throw new InputError(`${source} is not an Arrow IPC file or stream (no schema message found)`,
      'Pass an Arrow IPC file (.arrow / Feather v2) or stream (.arrows); for .npy files use a folder of .npy layers');
  }
  const s = schema;
  const numRows = batches.reduce((t, b) => t + Number(b.header.length), 0);
  const fields: ArrowColumnField[] = s.fields.map((f, i) => describeField(f, i));
  const names = s.fields.map((f) => f.name);
  let open = true;
  const check = () => { if (!open) throw new DadalabError(`${source} was closed`, 'Open it again with openArrowColumns'); };
  const readOne = (index: number): A.Table => {
    const field = s.fields[index];
    const one = new A.Schema([field]);
    const rbs = batches.map((b) => {
      const data = loadField(fd, fileBytes, source, b, dictionaries, s.fields.map((f) => f.type), index);
      return new A.RecordBatch(one, A.makeData({ type: new A.Struct([field]), length: Number(b.header.length), children: [data] }));
    });
    return new A.Table(one, rbs);
  };
  return Object.freeze({
    source, fileBytes, numRows, numBatches: batches.length, fields: Object.freeze(fields), compressed,
    readColumn(column: string | number, opts: ReadColumnOptions = {}): Matrix {
      check();
      const index = resolveColumn(names, column, 'layer', source);
      const info = classifyArrowField(s.fields[index], 0);
      if (!info) {
        throw new InputError(`Column '${names[index]}' of ${source} has type ${s.fields[index].type}, not a FixedSizeList (or list) of numbers`,
          'Store each layer as one FixedSizeList<float32>[D] column (pyarrow: pa.FixedSizeListArray.from_arrays(acts.ravel(), D)), and name the label column with { labels: ... }');
      }
      const f32 = A.DataType.isFloat(info.leaf) && (info.leaf as A.Float).precision === A.Precision.SINGLE;
      const f64 = A.DataType.isFloat(info.leaf) && (info.leaf as A.Float).precision === A.Precision.DOUBLE;
      const dtype = opts.dtype ?? (f32 ? 'float32' : 'float64');
      if (info.fsl && !compressed && ((f32 && dtype === 'float32') || (f64 && dtype === 'float64'))) {
        const direct = readFslDirect(fd, fileBytes, source, batches, dictionaries, s.fields.map((f) => f.type), index, numRows, info.width, dtype, opts.into ?? null);
        if (direct) return direct;
      }
      const table = readOne(index);
      resolveArrowListWidths(table, [info], source);
      return assembleColumns(table, [info], dtype);
    },
    readLabels(column: string | number): Labels {
      check();
      const index = resolveColumn(names, column, 'label', source);
      return readArrowLabels(readOne(index), 0);
    },
    close(): void {
      if (open) { open = false; closeSync(fd); }
    },
  });
}

function describeField(f: A.Field, index: number): ArrowColumnField {
  const info: ArrowColumnInfo | null = classifyArrowField(f, index);
  const leafBytes = (t: A.DataType) => (A.DataType.isFloat(t) ? [2, 4, 8][(t as A.Float).precision] : A.DataType.isInt(t) ? (t as A.Int).bitWidth / 8 : 8);
  if (!info) return { index, name: f.name, type: String(f.type), kind: 'other', width: 0, valueBytes: 0 };
  return { index, name: f.name, type: String(f.type), kind: info.fsl ? 'fsl' : info.list ? 'list' : 'numeric', width: info.width, valueBytes: leafBytes(info.leaf) };
}

/** Every buffer of a batch must lie inside its body (a damaged header must not make us read elsewhere). */
function checkRanges(h: RecordBatchHeader, bodyLength: number, source: string, pos: number): void {
  for (const b of h.buffers) {
    if (!(b.offset >= 0 && b.length >= 0 && b.offset + b.length <= bodyLength)) {
      throw new InputError(`${source} is damaged: a buffer of the record batch whose body starts at byte ${pos} spans ${b.offset}..${b.offset + b.length} of a ${bodyLength}-byte body`,
        'Re-write or re-copy the file');
    }
  }
}

/**
 * A FixedSizeList<float> column without nulls, uncompressed, read straight from the file into the
 * output matrix (one read per record batch, no intermediate buffer or copy); null when the column
 * has nulls (the general path then handles them).
 */
function readFslDirect(fd: number, fileBytes: number, source: string, batches: BatchEntry[], dictionaries: Map<number, A.Vector>,
  types: A.DataType[], target: number, numRows: number, width: number, dtype: 'float32' | 'float64', into: Float32Array | Float64Array | null): Matrix | null {
  const bpe = dtype === 'float32' ? 4 : 8;
  const fits = into !== null && into.length === numRows * width && (dtype === 'float32' ? into instanceof Float32Array : into instanceof Float64Array);
  const out = fits ? into : dtype === 'float32' ? new Float32Array(numRows * width) : new Float64Array(numRows * width);
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  let row = 0;
  for (const b of batches) {
    const loader = new ColumnLoader(() => new Uint8Array(0), null, b.header, dictionaries, b.version);
    for (let i = 0; i <= target; i++) {
      loader.active = i === target;
      loader.locate = i === target;
      loader.visit(types[i]);
    }
    const rows = Number(b.header.length);
    const [list, child] = loader.fieldNodes;
    if (!list || !child || list.nullCount > 0 || child.nullCount > 0 || list.length !== rows || child.length !== rows * width) return null;
    const data = loader.ranges[loader.ranges.length - 1];
    const need = rows * width * bpe;
    if (rows > 0 && (!data || data.length < need)) return null;
    if (rows > 0) {
      const chunk = readIntoAt(fd, bytes, row * width * bpe, b.bodyOffset + data.offset, need, fileBytes, source);
      if (!chunk) return null;
    }
    row += rows;
  }
  return new Matrix(out, numRows, width);
}

function readIntoAt(fd: number, dst: Uint8Array, at: number, offset: number, length: number, fileBytes: number, source: string): boolean {
  if (!(offset >= 0 && offset + length <= fileBytes)) {
    throw new InputError(`${source} is damaged or truncated: a column buffer spans bytes ${offset}..${offset + length} but the file has ${fileBytes} bytes`, 'Re-write or re-copy the file');
  }
  let done = 0;
  while (done < length) {
    const n = readSync(fd, dst, at + done, Math.min(length - done, 2 ** 30), offset + done);
    if (n <= 0) throw new InputError(`${source} is truncated: reading a column stopped at byte ${offset + done}`, 'Re-write or re-copy the file');
    done += n;
  }
  return true;
}

/** Field `target` of one batch: the earlier fields are walked (their nodes and buffers consumed) without reading. */
function loadField(fd: number, fileBytes: number, source: string, b: BatchEntry, dictionaries: Map<number, A.Vector>,
  types: A.DataType[], target: number): A.Data {
  const codec = b.header.compression ? A.compressionRegistry.get(b.header.compression.type) : null;
  if (b.header.compression && !codec?.decode) {
    const name = A.CompressionType[b.header.compression.type];
    throw new DadalabError(`The record batches of ${source} are compressed with ${name}, and no ${name} codec is registered`,
      "Call registerArrowCodecs(true), or re-write the file uncompressed (pyarrow: feather.write_feather(df, path, compression='uncompressed'))");
  }
  const loader = new ColumnLoader((offset, length) => readExactly(fd, b.bodyOffset + offset, length, fileBytes, source, 'a column buffer'),
    codec, b.header, dictionaries, b.version);
  let out: A.Data | null = null;
  for (let i = 0; i <= target; i++) {
    loader.active = i === target;
    const d = loader.visit(types[i]) as A.Data;
    if (i === target) out = d;
  }
  return out as A.Data;
}
