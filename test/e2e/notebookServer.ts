/**
 * Debian's classic Notebook (jupyter notebook 6.4 with the widget extension of ipywidgets 6) with
 * the dadalab kernelspec and its widget views on JUPYTER_PATH, for the browser tests. Started on
 * a free loopback port with a random token; always killed (by its pid) at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../kernel/helpers';

export function missingClassicNotebook(): string | null {
  const r = spawnSync('jupyter', ['notebook', '--version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return 'the classic Notebook is not installed (apt-get install jupyter-notebook)';
  if (!existsSync('/usr/share/jupyter/nbextensions/jupyter-js-widgets/extension.js')) {
    return 'the widget extension of the classic Notebook is not installed (apt-get install python3-widgetsnbextension)';
  }
  return null;
}

export class ClassicNotebook {
  private proc!: ChildProcess;
  readonly token = randomBytes(12).toString('hex');
  port = 0;
  log = '';

  static async start(rootDir: string): Promise<ClassicNotebook> {
    const nb = new ClassicNotebook();
    const { freePort } = require(path.join(ROOT, 'dist', 'kernel', 'client.js'));
    nb.port = await freePort();
    const env = {
      ...process.env,
      JUPYTER_PATH: [path.join(ROOT, 'kernel', 'jupyter'), process.env.JUPYTER_PATH ?? ''].filter(Boolean).join(path.delimiter),
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    };
    nb.proc = spawn('jupyter', ['notebook', '--no-browser', '--allow-root', '--ip=127.0.0.1', `--port=${nb.port}`, '--NotebookApp.port_retries=0',
      `--NotebookApp.token=${nb.token}`, `--notebook-dir=${rootDir}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    nb.proc.stdout!.on('data', (d) => { nb.log += d; });
    nb.proc.stderr!.on('data', (d) => { nb.log += d; });
    process.once('exit', nb.kill);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (nb.proc.exitCode !== null) throw new Error(`jupyter notebook exited:\n${nb.log}`);
      try {
        const r = await fetch(`http://127.0.0.1:${nb.port}/api/status?token=${nb.token}`);
        if (r.ok) break;
      } catch { /* not up yet */ }
      if (Date.now() > deadline) throw new Error(`jupyter notebook did not start:\n${nb.log}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    return nb;
  }

  url(notebook: string): string {
    return `http://127.0.0.1:${this.port}/notebooks/${notebook}?token=${this.token}`;
  }

  private kill = (): void => {
    try { this.proc.kill('SIGKILL'); } catch { /* gone */ }
  };

  async stop(): Promise<void> {
    if (this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      const t = setTimeout(this.kill, 5000);
      await exited;
      clearTimeout(t);
    }
    process.removeListener('exit', this.kill);
  }
}

/**
 * Runs code in the notebook's kernel from the page (Jupyter.notebook.kernel.execute, as a cell
 * does) and resolves with its first output as text: the value of the last expression, a printed
 * line, or "Error: ...".
 */
export async function kernelText(page: any, code: string, timeoutMs = 60_000): Promise<string> {
  return page.evaluate(({ code, timeoutMs }: { code: string; timeoutMs: number }) => new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no output from: ${code}`)), timeoutMs);
    const done = (s: string) => { clearTimeout(t); resolve(s); };
    (window as any).Jupyter.notebook.kernel.execute(code, {
      iopub: {
        output: (m: any) => {
          const c = m.content;
          if (m.header.msg_type === 'error') done(`Error: ${c.ename}: ${c.evalue}`);
          else if (c.data) done(String(c.data['text/plain']));
          else if (c.text) done(String(c.text));
        },
      },
    }, { silent: false, store_history: false });
  }), { code, timeoutMs });
}
