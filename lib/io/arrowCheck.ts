/**
 * Checks the structure of Arrow IPC bytes before apache-arrow reads them. apache-arrow trusts
 * every size and offset in a file: a few damaged header bytes make its reader loop for ever, ask
 * for terabyte arrays or abort Node with heap out-of-memory. Here every size is checked against
 * the bytes there are, with a bounded amount of work, and a damaged or truncated file gets an
 * InputError that says which (and where).
 *
 * What is checked (format: arrow/format/{File,Message,Schema}.fbs, the IPC spec):
 * - the file frame: "ARROW1" at both ends, the footer length, every block of the footer inside the file;
 * - every flatbuffer (footer, message metadata), with a verifier driven by the Arrow schema:
 *   tables, vtables, strings and vectors inside their buffer, unions of known types, nesting and
 *   total work bounded;
 * - every message: its metadata length and body length inside the file; a record batch's buffers
 *   inside its body; node lengths and null counts that the body can hold (compressed buffers:
 *   the lengths they declare, against the memory budget);
 * - a stream ends with the end-of-stream marker (else a warning: it may have been cut between
 *   two batches, which no size can tell).
 */
import { InputError } from '../errors';
import { ensureMemory, memoryBudget } from '../runtime/memory';
import { warn } from '../runtime/warnings';

const MAGIC = 'ARROW1';
const CONTINUATION = 0xffffffff;
/** Deepest nesting of fields (children of children ...) accepted: far beyond any real schema. */
const MAX_DEPTH = 64;

export class ArrowDamage extends InputError {
  constructor(source: string, what: string, truncated: boolean) {
    super(`${source} is ${truncated ? 'truncated' : 'damaged'}: ${what}`,
      truncated ? 'The file ends before its data does: re-write, re-copy or re-download it' : 'Re-write or re-copy the file');
    this.name = 'InputError';
  }
}

// ------------------------------------------------------------------ flatbuffer verifier

/** What the verifier learns of a schema's types: enough to bound the lengths of record batches. */
interface SchemaFacts {
  fields: number;
  /** A type that may hold rows without body bytes (Null, empty Struct, FixedSizeList[0], run-end encoded, ...). */
  bodiless: boolean;
  /** The schema's fields, once a schema was read (from the footer, or the stream's schema message). */
  tree?: FieldInfo[];
}

/** A field as the record batches lay it out: its type tag, a width or list size, its children. */
interface FieldInfo {
  type: number;
  /** Bytes per value of a fixed-width type, the list size of a FixedSizeList, the offset size of a list or binary; 0 otherwise. */
  size: number;
  /** Dictionary-encoded: one node and two buffers (validity, indices of `size` bytes). */
  dictionary: boolean;
  children: FieldInfo[];
}

type Slot =
  | { kind: 'scalar' }
  | { kind: 'string' }
  | { kind: 'table'; table: TableSpec }
  | { kind: 'structs'; size: number }
  | { kind: 'tables'; table: TableSpec }
  | { kind: 'union'; typeSlot: number; tables: Record<number, TableSpec> };
interface TableSpec { name: string; slots: Record<number, Slot> }

const S = (slots: Record<number, Slot>, name: string): TableSpec => ({ name, slots });
const scalars = (name: string): TableSpec => S({}, name);
const KeyValue = S({ 0: { kind: 'string' }, 1: { kind: 'string' } }, 'KeyValue');
const kvs: Slot = { kind: 'tables', table: KeyValue };
const Int = scalars('Int');
// Type union (Schema.fbs): the type tables; only Timestamp (timezone) and Union (typeIds) hold offsets.
const typeTables: Record<number, TableSpec> = {};
for (let t = 1; t <= 26; t++) typeTables[t] = scalars(`Type${t}`);
typeTables[10] = S({ 1: { kind: 'string' } }, 'Timestamp');
typeTables[14] = S({ 1: { kind: 'structs', size: 4 } }, 'Union');
const DictionaryEncoding = S({ 1: { kind: 'table', table: Int } }, 'DictionaryEncoding');
const Field: TableSpec = S({}, 'Field');
Object.assign(Field.slots, {
  0: { kind: 'string' }, 3: { kind: 'union', typeSlot: 2, tables: typeTables }, 4: { kind: 'table', table: DictionaryEncoding },
  5: { kind: 'tables', table: Field }, 6: kvs,
});
const Schema = S({ 1: { kind: 'tables', table: Field }, 2: kvs, 3: { kind: 'structs', size: 8 } }, 'Schema');
const Footer = S({ 1: { kind: 'table', table: Schema }, 2: { kind: 'structs', size: 24 }, 3: { kind: 'structs', size: 24 }, 4: kvs }, 'Footer');
const BodyCompression = scalars('BodyCompression');
const RecordBatch = S({ 1: { kind: 'structs', size: 16 }, 2: { kind: 'structs', size: 16 }, 3: { kind: 'table', table: BodyCompression }, 4: { kind: 'structs', size: 8 } }, 'RecordBatch');
const DictionaryBatch = S({ 1: { kind: 'table', table: RecordBatch } }, 'DictionaryBatch');
const Message = S({ 2: { kind: 'union', typeSlot: 1, tables: { 1: Schema, 2: DictionaryBatch, 3: RecordBatch, 4: scalars('Tensor'), 5: scalars('SparseTensor') } }, 4: kvs }, 'Message');

class FlatView {
  readonly dv: DataView;
  private work = 0;
  constructor(readonly buf: Uint8Array, private readonly fail: (what: string) => never) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(pos: number, n: number, what: string): void {
    if (!(pos >= 0 && n >= 0 && pos + n <= this.buf.length)) this.fail(`${what} at byte ${pos} (${n} bytes) lies outside its ${this.buf.length}-byte block`);
  }

  private tick(n = 1): void {
    this.work += n;
    // Each byte can be claimed by a few objects at most in a sane flatbuffer; many more means shared, looping offsets.
    if (this.work > 64 * this.buf.length + 4096) this.fail('its metadata refers to the same bytes over and over');
  }

  u8(pos: number): number { this.need(pos, 1, 'a value'); return this.dv.getUint8(pos); }
  u16(pos: number): number { this.need(pos, 2, 'a value'); return this.dv.getUint16(pos, true); }
  i32(pos: number): number { this.need(pos, 4, 'a value'); return this.dv.getInt32(pos, true); }
  u32(pos: number): number { this.need(pos, 4, 'an offset'); return this.dv.getUint32(pos, true); }
  i64(pos: number): number { this.need(pos, 8, 'a value'); return Number(this.dv.getBigInt64(pos, true)); }

  /** The table at `t`: its field positions (0 for absent fields). */
  table(t: number, name: string): number[] {
    this.tick();
    this.need(t, 4, `the ${name} table`);
    const vt = t - this.dv.getInt32(t, true);
    this.need(vt, 4, `the layout (vtable) of the ${name} table`);
    const vtSize = this.dv.getUint16(vt, true);
    const tSize = this.dv.getUint16(vt + 2, true);
    if (vtSize < 4 || vtSize % 2 !== 0) this.fail(`the layout (vtable) of the ${name} table at byte ${t} has size ${vtSize}`);
    this.need(vt, vtSize, `the layout (vtable) of the ${name} table`);
    this.need(t, tSize, `the ${name} table`);
    const fields: number[] = [];
    for (let i = 0; i < (vtSize - 4) / 2; i++) {
      const off = this.dv.getUint16(vt + 4 + 2 * i, true);
      if (off !== 0 && off + 1 > tSize) this.fail(`field ${i} of the ${name} table at byte ${t} lies outside the table`);
      fields.push(off === 0 ? 0 : t + off);
    }
    return fields;
  }

  /** Where an offset field points. */
  deref(pos: number): number {
    return pos + this.u32(pos);
  }

  /** A vector at `v` of `n` elements of `size` bytes: its element count. */
  vector(v: number, size: number, what: string): number {
    const n = this.u32(v);
    this.need(v + 4, n * size, `${what} (${n} elements)`);
    this.tick(n);
    return n;
  }

  verify(t: number, spec: TableSpec, depth: number, facts?: SchemaFacts): number[] {
    if (depth > MAX_DEPTH) this.fail(`its ${spec.name} tables nest more than ${MAX_DEPTH} deep`);
    const f = this.table(t, spec.name);
    if (spec === Schema && facts) {
      this.verifySlots(f, spec, depth, facts);
      facts.tree = f[1] ? fieldList(this, this.deref(f[1]), 0) : [];
      return f;
    }
    this.verifySlots(f, spec, depth, facts);
    return f;
  }

  private verifySlots(f: number[], spec: TableSpec, depth: number, facts?: SchemaFacts): void {
    for (const [k, slot] of Object.entries(spec.slots)) {
      const pos = f[Number(k)] ?? 0;
      if (!pos) continue;
      switch (slot.kind) {
        case 'scalar': break;
        case 'string': {
          const s = this.deref(pos);
          this.need(s + 4, this.u32(s) + 1, 'a text');
          break;
        }
        case 'table': this.verify(this.deref(pos), slot.table, depth + 1, facts); break;
        case 'structs': this.vector(this.deref(pos), slot.size, `a list of ${spec.name} entries`); break;
        case 'tables': {
          const v = this.deref(pos);
          const n = this.vector(v, 4, `a list of ${slot.table.name} tables`);
          if (slot.table === Field && facts) facts.fields += n;
          for (let i = 0; i < n; i++) this.verify(this.deref(v + 4 + 4 * i), slot.table, depth + 1, facts);
          break;
        }
        case 'union': {
          const typePos = f[slot.typeSlot] ?? 0;
          const type = typePos ? this.u8(typePos) : 0;
          const table = slot.tables[type];
          if (!table) this.fail(`a ${spec.name} has an unknown type tag ${type}`);
          const ft = this.verify(this.deref(pos), table, depth + 1, facts);
          if (spec === Field && facts) noteType(this, type, ft, f, facts);
          break;
        }
      }
    }
  }
}

/** Bytes per value of the fixed-width types (Schema.fbs defaults for absent fields); 0 for the others. */
function fixedWidth(v: FlatView, type: number, tf: number[]): number {
  const i32 = (i: number, d: number) => (tf[i] ? v.i32(tf[i]) : d);
  const u16 = (i: number, d: number) => (tf[i] ? v.u16(tf[i]) : d);
  switch (type) {
    case 2: return i32(0, 0) / 8; // Int
    case 3: return [2, 4, 8][u16(0, 0)] ?? -1; // FloatingPoint
    case 7: return i32(2, 128) / 8; // Decimal
    case 8: return u16(0, 1) === 0 ? 4 : 8; // Date
    case 9: return i32(1, 32) / 8; // Time
    case 10: case 18: return 8; // Timestamp, Duration
    case 11: return [4, 8, 16][u16(0, 0)] ?? -1; // Interval
    case 15: return i32(0, 0); // FixedSizeBinary
    default: return 0;
  }
}

/** The field tree of a verified vector of Field tables at `vec`. */
function fieldList(v: FlatView, vec: number, depth: number): FieldInfo[] {
  const n = v.u32(vec);
  const out: FieldInfo[] = [];
  for (let i = 0; i < n; i++) {
    const f = v.table(v.deref(vec + 4 + 4 * i), 'Field');
    const type = f[2] ? v.u8(f[2]) : 0;
    const tf = f[3] ? v.table(v.deref(f[3]), 'type') : [];
    let size = fixedWidth(v, type, tf);
    if (type === 16) size = tf[0] ? v.i32(tf[0]) : 0; // FixedSizeList: listSize
    if (type === 4 || type === 5 || type === 12 || type === 17) size = 4; // Binary, Utf8, List, Map: int32 offsets
    if (type === 19 || type === 20 || type === 21) size = 8; // large variants: int64 offsets
    let dictionary = false;
    if (f[4]) {
      dictionary = true;
      const d = v.table(v.deref(f[4]), 'DictionaryEncoding');
      size = d[1] ? (() => { const it = v.table(v.deref(d[1]), 'Int'); return (it[0] ? v.i32(it[0]) : 0) / 8; })() : 4;
    }
    const children = f[5] && depth < MAX_DEPTH ? fieldList(v, v.deref(f[5]), depth + 1) : [];
    out.push({ type, size, dictionary, children });
  }
  return out;
}

/** Marks the schema as able to hold rows without body bytes when a field's type can. */
function noteType(v: FlatView, type: number, typeFields: number[], fieldFields: number[], facts: SchemaFacts): void {
  const children = fieldFields[5] ? v.u32(v.deref(fieldFields[5])) : 0;
  const intAt = (i: number) => (typeFields[i] ? v.i32(typeFields[i]) : 0);
  if (type === 1 || type === 22 || type === 25 || type === 26) facts.bodiless = true; // Null, RunEndEncoded, ListView
  if (type === 13 && children === 0) facts.bodiless = true; // Struct without fields
  if (type === 16 && intAt(0) === 0) facts.bodiless = true; // FixedSizeList[0]
  if (type === 15 && intAt(0) === 0) facts.bodiless = true; // FixedSizeBinary[0]
}

/** The root table of a flatbuffer held in `buf`. */
function root(v: FlatView): number {
  return v.deref(0);
}

// ------------------------------------------------------------------ messages

interface Checked {
  /** Byte after the message (and its body). */
  end: number;
  /** Message header type: 1 schema, 2 dictionary batch, 3 record batch (0 at the end-of-stream marker). */
  type: number;
  rows: number;
}

/**
 * Checks the message at `pos` of `bytes` (metadata prefix, flatbuffer, body), within `limit`.
 * Null at an end-of-stream marker, or when fewer than 4 bytes remain.
 */
function checkMessage(bytes: Uint8Array, pos: number, limit: number, source: string, facts: SchemaFacts): Checked | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (pos + 4 > limit) {
    if (pos < limit) throw new ArrowDamage(source, `it ends inside the length of the message at byte ${pos}`, true);
    return null;
  }
  let metaLen = dv.getUint32(pos, true);
  let metaStart = pos + 4;
  if (metaLen === CONTINUATION) {
    if (pos + 8 > limit) throw new ArrowDamage(source, `it ends inside the length of the message at byte ${pos}`, true);
    metaLen = dv.getInt32(pos + 4, true);
    metaStart = pos + 8;
  } else if (metaLen > 0x7fffffff) {
    throw new ArrowDamage(source, `the message at byte ${pos} starts with ${metaLen}, neither a length nor the continuation marker`, false);
  }
  if (metaLen === 0) return { end: metaStart, type: 0, rows: 0 };
  if (metaLen < 0) throw new ArrowDamage(source, `the message at byte ${pos} claims ${metaLen} bytes of metadata`, false);
  if (metaStart + metaLen > limit) {
    throw new ArrowDamage(source, `the message at byte ${pos} claims ${metaLen} bytes of metadata but only ${limit - metaStart} remain`, metaLen <= 1 << 24);
  }
  const meta = bytes.subarray(metaStart, metaStart + metaLen);
  const v = new FlatView(meta, (what) => { throw new ArrowDamage(source, `the metadata of the message at byte ${pos} is damaged: ${what}`, false); });
  const m = v.verify(root(v), Message, 0, facts);
  checkVersion(m[0] ? v.u16(m[0]) : 0, source, `the message at byte ${pos}`);
  const type = m[1] ? v.u8(m[1]) : 0;
  const bodyLength = m[3] ? v.i64(m[3]) : 0;
  const bodyStart = metaStart + metaLen;
  if (!(bodyLength >= 0 && Number.isSafeInteger(bodyLength))) throw new ArrowDamage(source, `the message at byte ${pos} claims a body of ${bodyLength} bytes`, false);
  if (bodyStart + bodyLength > limit) {
    throw new ArrowDamage(source, `the message at byte ${pos} needs ${bodyLength} bytes of body but only ${Math.max(0, limit - bodyStart)} remain`, bodyLength <= 64 * limit);
  }
  let rows = 0;
  if (type === 3 || type === 2) {
    const header = v.deref(m[2]);
    const rb = type === 3 ? header : v.deref(v.table(header, 'DictionaryBatch')[1] || fail(source, pos, 'a dictionary batch without data'));
    rows = checkRecordBatch(v, rb, bytes.subarray(bodyStart, bodyStart + bodyLength), source, pos, facts, type === 3);
  }
  return { end: bodyStart + bodyLength, type, rows };
}

/**
 * Metadata versions V4 (Arrow 0.8, 2017) and V5 (Arrow 1.0) are read; an older or unknown one is
 * damage in practice (and apache-arrow would read older buffers at shifted positions).
 */
function checkVersion(version: number, source: string, where: string): void {
  if (version === 3 || version === 4) return;
  if (version < 3) {
    throw new InputError(`${source}: ${where} has Arrow metadata version V${version + 1}, from before Arrow 0.8 (2017), or the file is damaged`,
      'Re-write it with a current pyarrow (pyarrow.feather.write_feather), or re-copy it');
  }
  throw new ArrowDamage(source, `${where} has an unknown Arrow metadata version (${version})`, false);
}

function fail(source: string, pos: number, what: string): never {
  throw new ArrowDamage(source, `the message at byte ${pos} is damaged: ${what}`, false);
}

/** Buffers inside the body; lengths the body (or the declared uncompressed sizes) can hold. Returns the row count. */
function checkRecordBatch(v: FlatView, rb: number, body: Uint8Array, source: string, pos: number, facts: SchemaFacts, isRecordBatch: boolean): number {
  const f = v.table(rb, 'RecordBatch');
  const rows = f[0] ? v.i64(f[0]) : 0;
  const compressed = !!f[3];
  const bodyDv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let dataBytes = body.length;
  if (f[2]) {
    const vec = v.deref(f[2]);
    const n = v.u32(vec);
    let declared = 0;
    for (let i = 0; i < n; i++) {
      const off = v.i64(vec + 4 + 16 * i);
      const len = v.i64(vec + 4 + 16 * i + 8);
      if (!(off >= 0 && len >= 0 && off + len <= body.length)) {
        fail(source, pos, `buffer ${i} spans bytes ${off}..${off + len} of a ${body.length}-byte body`);
      }
      // A compressed buffer starts with its uncompressed length (int64; -1: stored as is).
      if (compressed && len >= 8) {
        const u = Number(bodyDv.getBigInt64(off, true));
        if (u < -1) fail(source, pos, `compressed buffer ${i} declares ${u} bytes`);
        declared += u === -1 ? len - 8 : u;
      }
    }
    if (compressed) {
      ensureMemory(declared, `${source}: a record batch (message at byte ${pos}) decompresses to ${declared} bytes`,
        'Check the file (a damaged header also gives this); or load fewer rows at a time');
      // apache-arrow's JS writer stores the compressed length in that prefix (the spec says the
      // uncompressed one), so it cannot bound the data: the memory budget does.
      dataBytes = memoryBudget();
    }
  }
  const bound = 8 * dataBytes + 64;
  if (!(rows >= 0 && Number.isSafeInteger(rows)) || (!facts.bodiless && rows > bound)) {
    fail(source, pos, `it declares ${rows} rows, more than its ${dataBytes} bytes of data can hold`);
  }
  if (f[1]) {
    const vec = v.deref(f[1]);
    const n = v.u32(vec);
    for (let i = 0; i < n; i++) {
      const len = v.i64(vec + 4 + 16 * i);
      const nulls = v.i64(vec + 4 + 16 * i + 8);
      if (!(len >= 0 && Number.isSafeInteger(len) && nulls >= 0 && nulls <= len) || (!facts.bodiless && len > bound)) {
        fail(source, pos, `column node ${i} declares ${len} values with ${nulls} nulls, which its ${dataBytes} bytes of data cannot hold`);
      }
    }
  }
  if (isRecordBatch && facts.tree && f[1] && f[2]) checkLayout(v, f, rows, compressed, body, facts.tree, source, pos);
  return rows;
}

/**
 * The nodes and buffers of a record batch walked in schema order (the IPC layout): each top-level
 * column holds the batch's rows, a FixedSizeList's child its rows x list size, a struct's children
 * its rows, and every fixed-width data buffer (validity bitmap, offsets) the bytes its values need.
 * Layouts this does not model (unions, views, run-end encoding) end the walk without a verdict.
 */
function checkLayout(v: FlatView, f: number[], rows: number, compressed: boolean, body: Uint8Array, tree: FieldInfo[],
  source: string, pos: number): void {
  const nodes = v.deref(f[1]);
  const buffers = v.deref(f[2]);
  const nNodes = v.u32(nodes);
  const nBuffers = v.u32(buffers);
  const bodyDv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let ni = 0;
  let bi = 0;
  const UNMODELLED = {};
  const node = () => {
    if (ni >= nNodes) fail(source, pos, `it has ${nNodes} column nodes, fewer than its schema's fields need`);
    const at = nodes + 4 + 16 * ni++;
    return { length: v.i64(at), nulls: v.i64(at + 8) };
  };
  /** The bytes buffer i holds once decompressed. */
  const buffer = (need: number, what: string) => {
    if (bi >= nBuffers) fail(source, pos, `it has ${nBuffers} buffers, fewer than its schema's fields need`);
    const at = buffers + 4 + 16 * bi++;
    let off = v.i64(at);
    let len = v.i64(at + 8);
    if (compressed && len > 0) {
      if (len < 8) fail(source, pos, `compressed buffer ${bi - 1} has ${len} bytes, too few for its length prefix`);
      // Stored as is (prefix -1) it can be checked; compressed, its size is known only by decompressing (see above).
      if (Number(bodyDv.getBigInt64(off, true)) !== -1) return { off, len: -1 };
      off += 8;
      len -= 8;
    }
    if (len < need) fail(source, pos, `the ${what} needs ${need} bytes but its buffer holds ${len}`);
    return { off, len };
  };
  /** Offsets of a list or binary column: from >= 0, never decreasing, ending within `limit` (-1: unknown). Returns the last. */
  const offsets = (b: { off: number; len: number }, count: number, size: number, limit: number, name: string): number => {
    if (b.len < 0 || count === 0) return 0;
    const at = (i: number) => (size === 4 ? bodyDv.getInt32(b.off + 4 * i, true) : Number(bodyDv.getBigInt64(b.off + 8 * i, true)));
    let prev = at(0);
    if (prev < 0) fail(source, pos, `the offsets of ${name} start at ${prev}`);
    for (let i = 1; i <= count; i++) {
      const o = at(i);
      if (!(o >= prev)) fail(source, pos, `the offsets of ${name} go back from ${prev} to ${o} at row ${i - 1}`);
      prev = o;
    }
    if (limit >= 0 && prev > limit) fail(source, pos, `the offsets of ${name} reach ${prev}, past the ${limit} values it holds`);
    return prev;
  };
  const walk = (fi: FieldInfo, length: number, nullsAllowed: boolean, name: string): void => {
    const n = node();
    if (n.length < length) fail(source, pos, `${name} holds ${n.length} values where ${length} are needed`);
    const len = n.length;
    const validity = (what: string) => buffer(n.nulls > 0 && nullsAllowed ? Math.ceil(len / 8) : 0, `validity bitmap of ${what}`);
    if (fi.dictionary) {
      validity(name);
      buffer(len * fi.size, `dictionary indices of ${name}`);
      return;
    }
    switch (fi.type) {
      case 1: return; // Null: no buffers
      case 2: case 3: case 7: case 8: case 9: case 10: case 11: case 15: case 18:
        if (!(fi.size >= 0)) fail(source, pos, `${name} has an invalid value width`);
        validity(name);
        buffer(len * fi.size, `values of ${name}`);
        return;
      case 6:
        validity(name);
        buffer(Math.ceil(len / 8), `values of ${name}`);
        return;
      case 4: case 5: case 19: case 20: {
        validity(name);
        const ob = buffer(len > 0 ? (len + 1) * fi.size : 0, `offsets of ${name}`);
        const db = buffer(0, `bytes of ${name}`);
        offsets(ob, len, fi.size, db.len, name);
        return;
      }
      case 12: case 17: case 21: {
        validity(name);
        const ob = buffer(len > 0 ? (len + 1) * fi.size : 0, `offsets of ${name}`);
        const last = offsets(ob, len, fi.size, -1, name);
        for (const c of fi.children) walk(c, last, true, `the values of ${name}`);
        return;
      }
      case 13:
        validity(name);
        for (const c of fi.children) walk(c, len, true, `a field of ${name}`);
        return;
      case 16:
        if (fi.size < 0) fail(source, pos, `${name} has list size ${fi.size}`);
        validity(name);
        for (const c of fi.children) walk(c, len * fi.size, true, `the values of ${name} (${len} lists of ${fi.size})`);
        return;
      default:
        throw UNMODELLED;
    }
  };
  try {
    tree.forEach((fi, i) => walk(fi, rows, true, `column ${i}`));
  } catch (e) {
    if (e !== UNMODELLED) throw e;
  }
}

// ------------------------------------------------------------------ entry point

/**
 * Throws an InputError ("... is truncated: ..." or "... is damaged: ...") unless `bytes` is a
 * structurally sound Arrow IPC file or stream; bytes that are not Arrow at all are left to the
 * caller's own message. Linear in the size of the metadata, never in the sizes it claims.
 */
export function checkArrowBytes(bytes: Uint8Array, source: string): void {
  const facts: SchemaFacts = { fields: 0, bodiless: false };
  const startsAsFile = bytes.length >= 6 && String.fromCharCode(...bytes.subarray(0, 6)) === MAGIC;
  if (startsAsFile) {
    checkFile(bytes, source, facts);
    return;
  }
  // A stream: a continuation marker (or a legacy positive length) first; anything else is not ours to judge.
  if (bytes.length < 4) return;
  const first = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (first !== CONTINUATION) return;
  let pos = 0;
  let rows = 0;
  for (;;) {
    const m = checkMessage(bytes, pos, bytes.length, source, facts);
    if (!m) {
      warn(`${source} ends without the end-of-stream marker: if it was copied or downloaded, it may be truncated (${rows} rows read)`, 'input');
      return;
    }
    if (m.type === 0) return;
    if (m.type === 3) rows += m.rows;
    pos = m.end;
  }
}

function checkFile(bytes: Uint8Array, source: string, facts: SchemaFacts): void {
  const n = bytes.length;
  if (n < 8 + 10) throw new ArrowDamage(source, `${n} bytes cannot hold an Arrow file's header and footer`, true);
  const tailMagic = String.fromCharCode(...bytes.subarray(n - 6));
  if (tailMagic !== MAGIC) throw new ArrowDamage(source, `it starts like an Arrow file (ARROW1) but does not end with ARROW1`, true);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const footerLen = dv.getInt32(n - 10, true);
  const footerStart = n - 10 - footerLen;
  if (!(footerLen > 0 && footerStart >= 8)) throw new ArrowDamage(source, `its footer length ${footerLen} does not fit in its ${n} bytes`, false);
  const v = new FlatView(bytes.subarray(footerStart, n - 10), (what) => { throw new ArrowDamage(source, `its footer is damaged: ${what}`, false); });
  const f = v.verify(root(v), Footer, 0, facts);
  checkVersion(f[0] ? v.u16(f[0]) : 0, source, 'its footer');
  if (!f[1]) throw new ArrowDamage(source, 'its footer has no schema', false);
  // Every block (dictionaries, then record batches): a message inside the file, before the footer.
  for (const slot of [2, 3]) {
    if (!f[slot]) continue;
    const vec = v.deref(f[slot]);
    const count = v.u32(vec);
    for (let i = 0; i < count; i++) {
      const at = vec + 4 + 24 * i;
      const offset = v.i64(at);
      const metaLen = v.i32(at + 8);
      const bodyLen = v.i64(at + 16);
      const what = `${slot === 2 ? 'dictionary' : 'record'} batch ${i}`;
      if (!(offset >= 8 && metaLen > 0 && bodyLen >= 0 && offset + metaLen + bodyLen <= footerStart)) {
        throw new ArrowDamage(source, `its footer places ${what} at bytes ${offset}..${offset + metaLen + bodyLen}, outside the ${footerStart} bytes before the footer`, false);
      }
      const m = checkMessage(bytes, offset, offset + metaLen + bodyLen, source, facts);
      if (!m || m.type !== (slot === 2 ? 2 : 3)) throw new ArrowDamage(source, `its footer points ${what} at byte ${offset}, where no such message is`, false);
    }
  }
}

/** Checks a footer flatbuffer (the bytes between the blocks and the footer length) before it is decoded. */
export function checkFooterMetadata(footer: Uint8Array, source: string): void {
  const v = new FlatView(footer, (what) => { throw new ArrowDamage(source, `its footer is damaged: ${what}`, false); });
  v.verify(root(v), Footer, 0, { fields: 0, bodiless: false });
}

/** Checks the metadata flatbuffer of the message at byte `pos` before it is decoded. */
export function checkMessageMetadata(meta: Uint8Array, source: string, pos: number): void {
  const v = new FlatView(meta, (what) => { throw new ArrowDamage(source, `the metadata of the message at byte ${pos} is damaged: ${what}`, false); });
  v.verify(root(v), Message, 0, { fields: 0, bodiless: false });
}

/**
 * After apache-arrow has read (and decompressed) the batches: each column's offsets rise and stay
 * within its values, and each fixed-width column holds the values its length needs. The layout
 * check above cannot see inside compressed buffers; this sees every buffer once, in linear time.
 */
export function checkArrowColumns(batches: ReadonlyArray<{ data: { children: ReadonlyArray<unknown> } }>, source: string): void {
  type D = { length: number; offset: number; stride?: number; type: { typeId: number; listSize?: number }; values?: ArrayLike<number | bigint>; valueOffsets?: ArrayLike<number | bigint>; children: D[] };
  const bad = (what: string): never => { throw new ArrowDamage(source, what, false); };
  const visit = (d: D, name: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    const end = d.offset + d.length;
    const offs = d.valueOffsets;
    if (offs && offs.length > 0 && d.length > 0) {
      if (offs.length < end + 1) bad(`the offsets of ${name} hold ${offs.length} entries for ${d.length} values`);
      let prev = Number(offs[d.offset]);
      if (!(prev >= 0)) bad(`the offsets of ${name} start at ${prev}`);
      for (let i = d.offset + 1; i <= end; i++) {
        const o = Number(offs[i]);
        if (!(o >= prev)) bad(`the offsets of ${name} go back from ${prev} to ${o} at row ${i - 1}`);
        prev = o;
      }
      const limit = d.children.length === 1 ? d.children[0].offset + d.children[0].length : d.values ? d.values.length : Infinity;
      if (prev > limit) bad(`the offsets of ${name} reach ${prev}, past the ${limit} values it holds`);
    } else if (d.values && typeof d.stride === 'number' && d.stride > 0 && d.type.typeId !== 6 && d.values.length < end * d.stride) {
      bad(`${name} holds ${d.values.length} values for ${d.length} rows of ${d.stride}`);
    }
    if (d.type.typeId === 16 && d.children[0] && d.children[0].offset + d.children[0].length < end * (d.type.listSize ?? 0)) {
      bad(`${name} holds ${d.children[0].length} values for ${d.length} lists of ${d.type.listSize}`);
    }
    d.children.forEach((c, i) => visit(c, `${name}.${i}`, depth + 1));
  };
  batches.forEach((b) => (b.data.children as D[]).forEach((c, i) => visit(c, `column ${i}`, 0)));
}
