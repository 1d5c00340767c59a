/**
 * A Jupyter client with no Python: starts the dadalab kernel (launcher.js) with a connection file
 * of its own and speaks the wire protocol over ZeroMQ (the zeromq package tslab brings), signing
 * every request and verifying every reply with HMAC-SHA256.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decode, encode, header, newId, type ConnectionInfo, type Message } from './wire';
import { LAUNCHER } from './kernelspec';
import { STREAM_JOURNAL_ENV, undeliveredStream } from './streamJournal';
import { loadZeromq, receiveEach } from './receive';

export interface IOPubMessage {
  msg_type: string;
  content: any;
  metadata: Record<string, unknown>;
}

export interface ExecuteReply {
  status: 'ok' | 'error' | 'aborted' | string;
  execution_count: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface ExecuteResult {
  reply: ExecuteReply;
  messages: IOPubMessage[];
}

/**
 * The kernel process ended while a request was waiting. `reason` is one line (the exit code, or
 * the signal and what usually sends it, or "ran out of memory" when V8 says so in the log);
 * `logTail` the last lines the kernel wrote on stderr/stdout.
 */
export class KernelDiedError extends Error {
  constructor(readonly reason: string, readonly logTail: string[], readonly exitCode: number | null, readonly signal: NodeJS.Signals | null) {
    super(`The kernel died while running a cell: ${reason}`);
    this.name = 'KernelDied';
  }
}

/** Why a kernel process ended, in a line, from its exit code or signal and its log. */
export function deathCause(code: number | null, signal: NodeJS.Signals | null, log: string): string {
  if (/Reached heap limit|JavaScript heap out of memory|Ineffective mark-compacts near heap limit/.test(log)) {
    return 'it ran out of memory (the JavaScript heap limit was reached). Work on fewer points or in chunks, '
      + 'or give the kernel a larger heap (NODE_OPTIONS=--max-old-space-size=<MB>)';
  }
  if (signal === 'SIGKILL') return 'it was killed by SIGKILL (the system\'s out-of-memory killer does this when the machine runs out of memory; so does kill -9)';
  if (signal === 'SIGTERM') return 'it was stopped by SIGTERM (another process ended it)';
  if (signal === 'SIGABRT') return 'it was killed by SIGABRT (Node aborted: see the log below)';
  if (signal === 'SIGSEGV' || signal === 'SIGBUS') return `it was killed by ${signal} (a crash in native code: see the log below)`;
  if (signal) return `it was killed by ${signal}`;
  return `it exited with code ${code}${code === 0 ? ' (process.exit() in a cell?)' : ''}`;
}

/** The last `n` lines of a kernel log worth showing (without the start-up chatter). */
export function logTail(log: string, n = 20): string[] {
  const lines = log.split('\n').map((l) => l.replace(/\s+$/, '')).filter((l) => l && !/^\[dadalab\] (prelude|kernel ready)/.test(l));
  return lines.slice(-n);
}

/** Kernels started by this process and not shut down: killed (and their folders removed) when it exits. */
const liveKernels = new Set<EmbeddedKernel>();

/** Kills every kernel this process started, at once (for signal handlers: synchronous). */
export function killAllKernels(): void {
  for (const k of liveKernels) k.killNow();
}

/** The interface both runners (embedded and --server) drive. */
export interface CellKernel {
  /** `silent`: no outputs, no execution count (the runner's check for errors thrown after the last cell). */
  execute(code: string, onMessage?: (m: IOPubMessage) => void, opts?: { silent?: boolean }): Promise<ExecuteResult>;
  interrupt(): Promise<void>;
  shutdown(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that is free now (another process may still take it before we bind it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Pending {
  reply?: Message;
  /** A request with no reply (comm messages): done at its idle. */
  noReply?: boolean;
  idle: boolean;
  messages: IOPubMessage[];
  onMessage?: (m: IOPubMessage) => void;
  resolve: (r: ExecuteResult) => void;
  reject: (e: Error) => void;
}

export interface StartOptions {
  /** The kernel's working folder (the notebook's folder). */
  cwd?: string;
  /** Seconds to wait for the kernel to answer (it compiles the library prelude first). */
  startTimeout?: number;
  env?: NodeJS.ProcessEnv;
}

export class EmbeddedKernel implements CellKernel {
  private proc!: ChildProcess;
  private conn!: ConnectionInfo;
  private dir!: string;
  private shell: any;
  private iopub: any;
  private control: any;
  private session = newId();
  private pending = new Map<string, Pending>();
  private waiters = new Map<string, (m: Message) => void>();
  private closed = false;
  private exitPromise!: Promise<number | null>;
  private exitSignal: NodeJS.Signals | null = null;
  /** The kernel's iopub connection has closed (it died): what it sent before is in our socket by then. */
  private iopubDisconnected = false;
  /** Reading what a dead kernel sent (one wait, shared by every request it was running). */
  private drained: Promise<void> | null = null;
  private killOnExit = () => this.killNow();
  log = '';

  static async start(opts: StartOptions = {}): Promise<EmbeddedKernel> {
    // The ports are free when chosen but another process may take one before the kernel binds it
    // (tests start kernels and Jupyter servers in parallel): then start again on new ports.
    for (let attempt = 1; ; attempt++) {
      const k = new EmbeddedKernel();
      try {
        await k.boot(opts);
        return k;
      } catch (e) {
        if (attempt >= 3 || !/Address already in use/.test(k.log)) throw e;
      }
    }
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  private async boot(opts: StartOptions): Promise<void> {
    const ports = [];
    for (let i = 0; i < 5; i++) ports.push(await freePort());
    this.conn = {
      transport: 'tcp', ip: '127.0.0.1', shell_port: ports[0], iopub_port: ports[1], stdin_port: ports[2],
      control_port: ports[3], hb_port: ports[4], key: randomBytes(32).toString('hex'),
      signature_scheme: 'hmac-sha256', kernel_name: 'dadalab',
    };
    this.dir = mkdtempSync(path.join(tmpdir(), 'dadalab-kernel-'));
    const file = path.join(this.dir, 'connection.json');
    writeFileSync(file, JSON.stringify(this.conn), { mode: 0o600 });
    this.proc = spawn(process.execPath, [LAUNCHER, '--config-path', file], {
      cwd: opts.cwd ?? process.cwd(),
      // The kernel watches us from a thread of its own: if we are gone it removes this folder and exits.
      env: {
        ...(opts.env ?? process.env), DADALAB_PARENT_PID: String(process.pid), DADALAB_CONNECTION_DIR: this.dir,
        [STREAM_JOURNAL_ENV]: this.journalFile(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Never leave a kernel behind: killed with us (and it also exits when it sees us gone).
    liveKernels.add(this);
    process.once('exit', this.killOnExit);
    this.proc.once('exit', () => process.removeListener('exit', this.killOnExit));
    const keepLog = (d: Buffer) => { this.log = (this.log + d).slice(-200_000); };
    this.proc.stdout!.on('data', keepLog);
    this.proc.stderr!.on('data', keepLog);
    this.exitPromise = new Promise((resolve) => this.proc.once('exit', (code, signal) => { this.exitSignal = signal; resolve(code); }));

    const zmq = loadZeromq();
    const url = (p: number) => `tcp://127.0.0.1:${p}`;
    this.shell = new zmq.Dealer({ routingId: `dadalab-${this.session.slice(0, 8)}` });
    this.control = new zmq.Dealer({ routingId: `dadalab-c-${this.session.slice(0, 8)}` });
    this.iopub = new zmq.Subscriber();
    this.iopub.events.on('connect', () => { this.iopubDisconnected = false; });
    this.iopub.events.on('disconnect', () => { this.iopubDisconnected = true; });
    this.shell.connect(url(this.conn.shell_port));
    this.control.connect(url(this.conn.control_port));
    this.iopub.connect(url(this.conn.iopub_port));
    this.iopub.subscribe();
    void this.readReplies(this.shell);
    void this.readReplies(this.control);
    void this.readIopub();

    // Ready when a kernel_info_request is answered on shell AND its busy/idle reached us on iopub
    // (a SUB socket misses what is published before it has joined).
    const deadline = Date.now() + (opts.startTimeout ?? 120) * 1000;
    let exited = false;
    void this.exitPromise.then(() => { exited = true; });
    for (;;) {
      if (exited) {
        this.closed = true;
        liveKernels.delete(this);
        for (const s of [this.shell, this.control, this.iopub]) { try { s.close(); } catch { /* closed */ } }
        rmSync(this.dir, { recursive: true, force: true });
        throw new Error(`The dadalab kernel exited during start-up:\n${this.log}`);
      }
      if (Date.now() > deadline) {
        await this.shutdown();
        throw new Error(`The dadalab kernel did not answer within ${opts.startTimeout ?? 120} s:\n${this.log}`);
      }
      const msg = this.request('kernel_info_request', {});
      const ok = await Promise.race([
        this.execWait(msg.header.msg_id, undefined).then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 1000)),
      ]);
      if (ok) break;
      this.pending.delete(msg.header.msg_id);
    }
  }

  private request(type: string, content: unknown, channel: 'shell' | 'control' = 'shell'): Message {
    const msg: Message = { identities: [], header: header(type, this.session), parent_header: {}, metadata: {}, content, buffers: [] };
    const sock = channel === 'shell' ? this.shell : this.control;
    void sock.send(encode(this.conn.key, msg)).catch(() => undefined);
    return msg;
  }

  /** Resolves when both the reply and the iopub idle of request `id` have arrived. */
  private execWait(id: string, onMessage?: (m: IOPubMessage) => void): Promise<ExecuteResult> {
    return new Promise((resolve, reject) => {
      this.pending.set(id, { idle: false, messages: [], onMessage, resolve, reject });
    });
  }

  private settle(id: string): void {
    const p = this.pending.get(id);
    if (p && (p.reply || p.noReply) && p.idle) {
      this.pending.delete(id);
      p.resolve({ reply: (p.reply?.content ?? { status: 'ok', execution_count: null }) as ExecuteReply, messages: p.messages });
    }
  }

  private async readReplies(sock: any): Promise<void> {
    try {
      await receiveEach(sock, (frames) => {
        let msg: Message;
        try {
          msg = decode(this.conn.key, frames);
        } catch (e) {
          this.failAll(new Error(`The kernel sent a message that failed verification: ${(e as Error).message}`));
          return;
        }
        const parent = (msg.parent_header as { msg_id?: string }).msg_id ?? '';
        const w = this.waiters.get(parent);
        if (w) { this.waiters.delete(parent); w(msg); }
        const p = this.pending.get(parent);
        if (p) { p.reply = msg; this.settle(parent); }
      });
    } catch (e) {
      if (!this.closed) this.failAll(new Error(`The connection to the kernel failed: ${(e as Error)?.message ?? e}`));
    }
  }

  private async readIopub(): Promise<void> {
    try {
      await receiveEach(this.iopub, (frames) => {
        let msg: Message;
        try {
          msg = decode(this.conn.key, frames);
        } catch (e) {
          this.failAll(new Error(`The kernel published a message that failed verification: ${(e as Error).message}`));
          return;
        }
        const parent = (msg.parent_header as { msg_id?: string }).msg_id ?? '';
        const p = this.pending.get(parent);
        if (!p) return;
        const m: IOPubMessage = { msg_type: msg.header.msg_type, content: msg.content, metadata: msg.metadata };
        if (m.msg_type === 'status') {
          if (m.content.execution_state === 'idle') { p.idle = true; this.settle(parent); }
          return;
        }
        p.messages.push(m);
        try {
          p.onMessage?.(m);
        } catch (e) {
          // What stores the outputs failed: that request fails with the reason (never a silent hang).
          this.pending.delete(parent);
          p.reject(new Error(`The runner could not keep an output of the cell (${m.msg_type}): ${(e as Error)?.message ?? e}`));
        }
      });
    } catch (e) {
      if (!this.closed) this.failAll(new Error(`The connection to the kernel failed: ${(e as Error)?.message ?? e}`));
    }
  }

  private failAll(e: Error): void {
    for (const [id, p] of this.pending) { this.pending.delete(id); p.reject(e); }
  }

  async execute(code: string, onMessage?: (m: IOPubMessage) => void, opts: { silent?: boolean } = {}): Promise<ExecuteResult> {
    if (this.closed) throw new Error('The kernel has been shut down');
    const silent = !!opts.silent;
    const msg: Message = {
      identities: [], header: header('execute_request', this.session), parent_header: {}, metadata: {},
      content: { code, silent, store_history: !silent, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      buffers: [],
    };
    const done = this.execWait(msg.header.msg_id, onMessage);
    await this.shell.send(encode(this.conn.key, msg));
    const died = this.exitPromise.then(async (code) => {
      this.drained ??= this.drainIopub();
      await this.drained;
      const p = this.pending.get(msg.header.msg_id);
      if (p) {
        // Nothing more arrives for this request: what the journal holds beyond what came is added, in order.
        this.pending.delete(msg.header.msg_id);
        this.recoverStreams(msg.header.msg_id, p);
      }
      throw new KernelDiedError(deathCause(code, this.exitSignal, this.log), logTail(this.log), code, this.exitSignal);
    });
    return Promise.race([done, died]);
  }

  private journalFile(): string {
    return path.join(this.dir, 'streams.jsonl');
  }

  /**
   * After the kernel died: waits until its iopub connection is seen closed (what it sent before
   * is then in our socket; at most 2 s) and our reader has taken every message left in the socket.
   */
  private async drainIopub(): Promise<void> {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const t0 = Date.now();
    while (!this.iopubDisconnected && Date.now() - t0 < 2000) await sleep(10);
    for (;;) {
      let readable = false;
      try { readable = !this.iopub.closed && this.iopub.readable; } catch { readable = false; }
      if (!readable || Date.now() - t0 > 5000) break;
      await sleep(5);
    }
    // The reader's last receive resolves on a later turn of the event loop.
    await new Promise((r) => setImmediate(r));
    await sleep(10);
  }

  /** Adds to a request of a dead kernel the stream text it printed that never arrived (streamJournal.ts). */
  private recoverStreams(id: string, p: Pending): void {
    let journal: string;
    try {
      journal = readFileSync(this.journalFile(), 'utf8');
    } catch {
      return;
    }
    const delivered = p.messages.reduce((n, m) => n + (m.msg_type === 'stream' ? String(m.content?.text ?? '').length : 0), 0);
    for (const chunk of undeliveredStream(journal, id, delivered)) {
      const m: IOPubMessage = { msg_type: 'stream', content: { name: chunk.name, text: chunk.text }, metadata: {} };
      p.messages.push(m);
      try { p.onMessage?.(m); } catch { /* the collector's own error: the death is what is reported */ }
    }
  }

  /** Kills the kernel process now and removes its connection folder (synchronous: for exit and signal handlers). */
  killNow(): void {
    liveKernels.delete(this);
    try { if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL'); } catch { /* gone */ }
    try { rmSync(this.dir, { recursive: true, force: true }); } catch { /* gone */ }
  }

  /** Sends a shell request (complete_request, inspect_request, ...) and resolves with its reply's content. */
  async call(type: string, content: unknown, timeoutMs = 30_000): Promise<any> {
    const msg = this.request(type, content);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.waiters.delete(msg.header.msg_id); reject(new Error(`no ${type} reply in ${timeoutMs} ms`)); }, timeoutMs);
      this.waiters.set(msg.header.msg_id, (m) => { clearTimeout(t); resolve(m.content); });
    });
  }

  /**
   * Sends comm_open, comm_msg or comm_close as a frontend does; resolves with what the kernel
   * published in answer (up to its idle for this message).
   */
  async sendComm(type: 'comm_open' | 'comm_msg' | 'comm_close', content: unknown, metadata: Record<string, unknown> = {}, buffers: Buffer[] = []): Promise<IOPubMessage[]> {
    if (this.closed) throw new Error('The kernel has been shut down');
    const msg: Message = { identities: [], header: header(type, this.session), parent_header: {}, metadata, content, buffers };
    const done = new Promise<ExecuteResult>((resolve, reject) => {
      this.pending.set(msg.header.msg_id, { idle: false, noReply: true, messages: [], resolve, reject });
    });
    await this.shell.send(encode(this.conn.key, msg));
    return (await done).messages;
  }

  /** interrupt_mode "signal": SIGINT to the kernel, as Jupyter does. */
  async interrupt(): Promise<void> {
    if (this.proc.pid && this.proc.exitCode === null) process.kill(this.proc.pid, 'SIGINT');
  }

  /** interrupt_request on the control channel. */
  async interruptRequest(): Promise<void> {
    const msg = this.request('interrupt_request', {}, 'control');
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 3000);
      this.waiters.set(msg.header.msg_id, () => { clearTimeout(t); resolve(); });
    });
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    liveKernels.delete(this);
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.request('shutdown_request', { restart: false }, 'control');
      const t = setTimeout(() => { if (this.proc.exitCode === null) this.proc.kill('SIGKILL'); }, 3000);
      await this.exitPromise;
      clearTimeout(t);
    }
    for (const s of [this.shell, this.control, this.iopub]) { try { s.close(); } catch { /* closed */ } }
    this.failAll(new Error('The kernel was shut down'));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
