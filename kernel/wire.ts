/**
 * The Jupyter wire protocol (messaging spec 5.3) over ZeroMQ: framing, HMAC-SHA256 signing and
 * verification. Used by the kernel (launcher.ts) and by the embedded runner (client.ts).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DELIM = Buffer.from('<IDS|MSG>');
export const PROTOCOL_VERSION = '5.3';

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface Message<C = any> {
  identities: Buffer[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
  /** The HMAC of a received message (for the replay window); not sent by encode. */
  signature?: string;
}

export function newId(): string {
  return randomBytes(16).toString('hex');
}

export function sign(key: string, parts: Array<string | Buffer>): string {
  if (!key) return '';
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

/** Parses the frames of one message and checks its signature (throws WireError if it is wrong). */
export function decode(key: string, frames: Buffer[]): Message {
  const d = frames.findIndex((f) => f.equals(DELIM));
  if (d < 0) throw new WireError('message without the <IDS|MSG> delimiter');
  if (frames.length < d + 6) throw new WireError(`message with ${frames.length - d - 1} frames after the delimiter, want at least 5`);
  const signature = frames[d + 1].toString();
  const body = frames.slice(d + 2, d + 6);
  if (key) {
    const want = Buffer.from(sign(key, body));
    const got = Buffer.from(signature);
    if (want.length !== got.length || !timingSafeEqual(want, got)) throw new WireError('message with an invalid HMAC signature');
  }
  return {
    identities: frames.slice(0, d),
    header: JSON.parse(body[0].toString()),
    parent_header: JSON.parse(body[1].toString()),
    metadata: JSON.parse(body[2].toString()),
    content: JSON.parse(body[3].toString()),
    buffers: frames.slice(d + 6),
    signature,
  };
}

/** Serialises and signs a message into frames. */
export function encode(key: string, msg: Omit<Message, 'buffers'> & { buffers?: Buffer[] }): Buffer[] {
  const body = [msg.header, msg.parent_header, msg.metadata, msg.content].map((x) => Buffer.from(JSON.stringify(x)));
  return [...msg.identities, DELIM, Buffer.from(sign(key, body)), ...body, ...(msg.buffers ?? [])];
}

export function header(msgType: string, session: string, username = 'dadalab'): Header {
  return { msg_id: newId(), session, username, date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION };
}

/** A message answering or caused by `parent` (same session and identities). */
export function replyTo(parent: Message, msgType: string, content: unknown, metadata: Record<string, unknown> = {}): Message {
  return {
    identities: parent.identities,
    header: header(msgType, parent.header.session, parent.header.username),
    parent_header: parent.header,
    metadata,
    content,
    buffers: [],
  };
}

/** The connection file Jupyter gives a kernel. */
export interface ConnectionInfo {
  transport: string;
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}
