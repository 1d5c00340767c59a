/**
 * Jupyter comms in the dadalab kernel (messaging spec 5.3, "Custom messages"): `comm_open`,
 * `comm_msg` and `comm_close` both ways, `comm_info_request` with the real open comms, targets the
 * frontend can open comms to, and a TypeScript API to open comms from the kernel. The Jupyter
 * widget protocol (widgets/interactive/) is built on this.
 *
 * Which message a kernel-side comm message answers (its parent header) decides where the frontend
 * shows its effects: a message sent while a cell runs belongs to that cell, one sent while a
 * frontend's comm_msg is handled belongs to that comm_msg. The parent follows the asynchronous
 * context (AsyncLocalStorage), so `await`s and timers started by a cell or a handler keep it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { Message } from './wire';

export type CommData = Record<string, unknown>;

/** What a comm message carries besides its data. */
export interface CommEnvelope {
  data: CommData;
  metadata: Record<string, unknown>;
  buffers: Buffer[];
  /** The message's own header id (a frontend message), or '' for kernel-side tests. */
  msgId: string;
}

export type CommMsgHandler = (msg: CommEnvelope) => void | Promise<void>;
export type CommOpenHandler = (comm: Comm, msg: CommEnvelope) => void | Promise<void>;

/** How the comm layer publishes on iopub (the launcher provides it). */
export interface CommTransport {
  publish(parent: Message | null, msgType: 'comm_open' | 'comm_msg' | 'comm_close', content: CommData,
    metadata: Record<string, unknown>, buffers: Buffer[]): void;
}

/** The message being handled in this asynchronous context (a cell's execute_request or a comm_msg). */
export const parentMessage = new AsyncLocalStorage<Message>();

export class Comm {
  private msgHandlers: CommMsgHandler[] = [];
  private closeHandlers: CommMsgHandler[] = [];
  private isClosed = false;

  constructor(private readonly manager: CommManager, readonly commId: string, readonly targetName: string) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** Sends a comm_msg to the frontend. */
  send(data: CommData, metadata: Record<string, unknown> = {}, buffers: Buffer[] = []): void {
    if (this.isClosed) return;
    this.manager.publish('comm_msg', { comm_id: this.commId, data }, metadata, buffers);
  }

  /** Closes the comm on both sides (the close handlers run once). */
  close(data: CommData = {}, metadata: Record<string, unknown> = {}): void {
    if (this.isClosed) return;
    this.manager.publish('comm_close', { comm_id: this.commId, data }, metadata, []);
    void this.closed_({ data, metadata, buffers: [], msgId: '' });
  }

  onMsg(handler: CommMsgHandler): () => void {
    this.msgHandlers.push(handler);
    return () => { this.msgHandlers = this.msgHandlers.filter((h) => h !== handler); };
  }

  onClose(handler: CommMsgHandler): () => void {
    this.closeHandlers.push(handler);
    return () => { this.closeHandlers = this.closeHandlers.filter((h) => h !== handler); };
  }

  /** @internal a frontend comm_msg */
  async received(msg: CommEnvelope): Promise<void> {
    for (const h of this.msgHandlers.slice()) await h(msg);
  }

  /** @internal closed by either side */
  async closed_(msg: CommEnvelope): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.manager.forget(this.commId);
    for (const h of this.closeHandlers.slice()) await h(msg);
  }
}

export function newCommId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The comms of one kernel. Frontend comm messages go through `handle`; kernel code opens comms
 * with `open`. Messages sent outside any handled message (a timer started at load time) take the
 * last message handled as their parent.
 */
export class CommManager {
  private targets = new Map<string, CommOpenHandler>();
  private comms = new Map<string, Comm>();
  private lastParent: Message | null = null;
  /** Frontend comm messages are handled one at a time, in the order they came. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly transport: CommTransport, private readonly log: (text: string) => void = () => undefined) {}

  /** The message kernel-side comm messages answer now. */
  parent(): Message | null {
    return parentMessage.getStore() ?? this.lastParent;
  }

  /** Remembers the message being handled (also the fallback parent for context-less sends). */
  enter(msg: Message): void {
    this.lastParent = msg;
  }

  registerTarget(name: string, handler: CommOpenHandler): () => void {
    this.targets.set(name, handler);
    return () => { if (this.targets.get(name) === handler) this.targets.delete(name); };
  }

  hasTarget(name: string): boolean {
    return this.targets.has(name);
  }

  /** Opens a comm from the kernel to a frontend target. */
  open(targetName: string, data: CommData = {}, metadata: Record<string, unknown> = {}, buffers: Buffer[] = [], commId = newCommId()): Comm {
    const comm = new Comm(this, commId, targetName);
    this.comms.set(commId, comm);
    this.publish('comm_open', { comm_id: commId, target_name: targetName, data }, metadata, buffers);
    return comm;
  }

  get(commId: string): Comm | undefined {
    return this.comms.get(commId);
  }

  /** The open comms, all or of one target (comm_info_reply's `comms`). */
  info(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const [id, c] of this.comms) if (!targetName || c.targetName === targetName) out[id] = { target_name: c.targetName };
    return out;
  }

  /** @internal */
  publish(type: 'comm_open' | 'comm_msg' | 'comm_close', content: CommData, metadata: Record<string, unknown>, buffers: Buffer[]): void {
    this.transport.publish(this.parent(), type, content, metadata, buffers);
  }

  /** @internal */
  forget(commId: string): void {
    this.comms.delete(commId);
  }

  /**
   * A comm_open, comm_msg or comm_close from the frontend. Handlers run in the message's context
   * and are awaited (the kernel reports idle after them). A comm_open to an unknown target is
   * closed again, as ipykernel does; a handler's failure is logged, never fatal to the kernel.
   */
  handle(msg: Message): Promise<void> {
    const job = this.queue.then(() => this.handleNow(msg));
    this.queue = job.catch(() => undefined);
    return job;
  }

  private async handleNow(msg: Message): Promise<void> {
    this.enter(msg);
    await parentMessage.run(msg, async () => {
      const type = msg.header.msg_type;
      const c = (msg.content ?? {}) as { comm_id?: string; target_name?: string; data?: CommData };
      const env: CommEnvelope = { data: c.data ?? {}, metadata: msg.metadata ?? {}, buffers: msg.buffers ?? [], msgId: msg.header.msg_id };
      const id = String(c.comm_id ?? '');
      try {
        if (type === 'comm_open') {
          const handler = this.targets.get(String(c.target_name));
          const comm = new Comm(this, id, String(c.target_name));
          if (!handler) {
            this.log(`comm_open to the unknown target '${c.target_name}': closed`);
            this.publish('comm_close', { comm_id: id, data: {} }, {}, []);
            return;
          }
          this.comms.set(id, comm);
          await handler(comm, env);
        } else if (type === 'comm_msg') {
          const comm = this.comms.get(id);
          if (!comm) { this.log(`comm_msg for the unknown comm ${id}: ignored`); return; }
          await comm.received(env);
        } else if (type === 'comm_close') {
          const comm = this.comms.get(id);
          if (comm) await comm.closed_(env);
        }
      } catch (e) {
        this.log(`${type} handler failed: ${(e as Error)?.stack ?? e}`);
      }
    });
  }
}
