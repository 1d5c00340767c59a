/**
 * A real Jupyter server (Debian's `jupyter server`) with the dadalab kernelspec on its
 * JUPYTER_PATH, driven from Node by @jupyterlab/services: used by `dadalab run --server` and by
 * the tests. The server is started on a free loopback port with a random token and is always
 * killed (by its pid) when we stop.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { DadalabError } from '../lib/errors';
import { freePort, type CellKernel, type ExecuteResult, type IOPubMessage } from './client';
import { KERNEL_NAME, PACKAGED_JUPYTER_PATH } from './kernelspec';

/** Why a Jupyter server cannot run here, or null when it can. */
export function jupyterServerMissing(): string | null {
  const r = spawnSync('jupyter', ['server', '--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    return 'jupyter server is not installed (Debian: apt-get install jupyter-server)';
  }
  return null;
}

let quiet = false;
/** @jupyterlab/services logs its WebSocket life on stdout; a runner's stdout is not the place. */
function quietServices(): void {
  if (quiet) return;
  quiet = true;
  for (const level of ['log', 'debug', 'info'] as const) {
    const orig = console[level].bind(console);
    console[level] = (...a: unknown[]) => {
      if (typeof a[0] === 'string' && /^(Starting WebSocket|Connection lost|Kernel: (dead|restarting|connected))/.test(a[0])) return;
      orig(...a);
    };
  }
}

function services(): any {
  try {
    quietServices();
    return require('@jupyterlab/services');
  } catch {
    throw new DadalabError('--server needs the npm package @jupyterlab/services', 'Install it: npm install @jupyterlab/services@7.6.6');
  }
}

export interface ServerOptions {
  /** The folder the server serves (notebook paths are relative to it). */
  rootDir: string;
  /** Extra kernelspec folders; the packaged dadalab kernelspec is always added. */
  jupyterPath?: string[];
  startTimeout?: number;
  /** More `jupyter server` arguments (tests: --ServerApp.allow_origin=* for a page served from /files/, whose origin is null). */
  extraArgs?: string[];
}

export class JupyterServer {
  proc!: ChildProcess;
  baseUrl = '';
  token = randomBytes(16).toString('hex');
  log = '';
  private sessionManager: any;
  private kernelManager: any;
  private stopped = false;
  private onExit = () => { try { this.proc.kill('SIGKILL'); } catch { /* gone */ } };

  static async start(opts: ServerOptions): Promise<JupyterServer> {
    const s = new JupyterServer();
    await s.boot(opts);
    return s;
  }

  private async boot(opts: ServerOptions): Promise<void> {
    const missing = jupyterServerMissing();
    if (missing) throw new DadalabError(missing, 'Install Jupyter, or run without --server (the embedded runner needs no Python)');
    const port = await freePort();
    const jp = [...(opts.jupyterPath ?? []), PACKAGED_JUPYTER_PATH, process.env.JUPYTER_PATH ?? ''].filter(Boolean).join(path.delimiter);
    // The packaged kernel.json runs `node`: make sure it is this Node.
    const env = { ...process.env, JUPYTER_PATH: jp, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
    this.proc = spawn('jupyter', ['server', '--no-browser', '--allow-root', '--ip=127.0.0.1', `--port=${port}`,
      '--ServerApp.port_retries=0', `--ServerApp.token=${this.token}`, `--ServerApp.root_dir=${path.resolve(opts.rootDir)}`, ...(opts.extraArgs ?? [])],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d) => { this.log += d; });
    this.proc.stderr!.on('data', (d) => { this.log += d; });
    process.once('exit', this.onExit);
    this.baseUrl = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + (opts.startTimeout ?? 60) * 1000;
    for (;;) {
      try {
        if ((await fetch(`${this.baseUrl}/api/status?token=${this.token}`)).ok) break;
      } catch { /* not up yet */ }
      if (this.proc.exitCode !== null) throw new Error(`jupyter server exited:\n${this.log}`);
      if (Date.now() > deadline) { await this.stop(); throw new Error(`jupyter server did not start:\n${this.log}`); }
      await new Promise((r) => setTimeout(r, 150));
    }
    const { ServerConnection, KernelManager, SessionManager } = services();
    const serverSettings = ServerConnection.makeSettings({ baseUrl: this.baseUrl, token: this.token, WebSocket: require('ws') });
    this.kernelManager = new KernelManager({ serverSettings });
    this.sessionManager = new SessionManager({ serverSettings, kernelManager: this.kernelManager });
  }

  /** The kernelspecs the server sees. */
  async kernelspecs(): Promise<Record<string, unknown>> {
    const r = await fetch(`${this.baseUrl}/api/kernelspecs?token=${this.token}`);
    return ((await r.json()) as { kernelspecs: Record<string, unknown> }).kernelspecs;
  }

  /** A session for a notebook path (relative to rootDir): the kernel runs in that notebook's folder. */
  async session(notebookPath: string, kernelName = KERNEL_NAME): Promise<ServerKernel> {
    const session = await this.sessionManager.startNew({ path: notebookPath, name: path.basename(notebookPath), type: 'notebook', kernel: { name: kernelName } });
    const k = new ServerKernel(session);
    // a frontend without views: widget comms stay open (services would close comms to an unknown target)
    session.kernel.registerCommTarget('jupyter.widget', () => undefined);
    await k.ready();
    return k;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try { this.sessionManager?.dispose(); this.kernelManager?.dispose(); } catch { /* closing anyway */ }
    if (this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    process.removeListener('exit', this.onExit);
  }
}

/** A kernel of a Jupyter session, with the same interface as EmbeddedKernel. */
export class ServerKernel implements CellKernel {
  constructor(readonly session: any) {}

  get kernel(): any {
    return this.session.kernel;
  }

  async ready(): Promise<void> {
    await this.kernel.info;
  }

  async execute(code: string, onMessage?: (m: IOPubMessage) => void, opts: { silent?: boolean } = {}): Promise<ExecuteResult> {
    const messages: IOPubMessage[] = [];
    let storeFailure: Error | undefined;
    const future = this.kernel.requestExecute({ code, stop_on_error: true, silent: !!opts.silent, store_history: !opts.silent });
    future.onIOPub = (msg: any) => {
      const t = msg.header.msg_type;
      if (t === 'status' || t === 'execute_input') {
        if (t === 'execute_input') messages.push({ msg_type: t, content: msg.content, metadata: msg.metadata });
        return;
      }
      const m = { msg_type: t, content: msg.content, metadata: msg.metadata };
      messages.push(m);
      try {
        onMessage?.(m);
      } catch (e) {
        storeFailure ??= new Error(`The runner could not keep an output of the cell (${t}): ${(e as Error)?.message ?? e}`);
      }
    };
    const reply = await future.done;
    if (storeFailure) throw storeFailure;
    return { reply: reply.content, messages };
  }

  async interrupt(): Promise<void> {
    await this.kernel.interrupt();
  }

  async restart(): Promise<void> {
    await this.kernel.restart();
    await this.kernel.info;
  }

  async shutdown(): Promise<void> {
    try { await this.session.shutdown(); } catch { /* server gone */ }
  }
}
