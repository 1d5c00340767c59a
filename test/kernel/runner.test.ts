/**
 * `dadalab run` as a careless or hostile user drives it, on real files in temporary folders and
 * real kernel processes: it never writes over its input unless told, never lets two outputs land
 * on one file, keeps what it cannot re-run, ends on huge output, takes its kernel down with it, and
 * says why a kernel died.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, requireBuilt, tempDir, spawnAsync, underLoad } from './helpers';

requireBuilt();

type Cell = { cell_type: string; metadata: object; source: string; outputs?: unknown[]; execution_count?: number | null };
const code = (source: string, outputs: unknown[] = [], count: number | null = null): Cell =>
  ({ cell_type: 'code', metadata: {}, source, outputs, execution_count: count });
const notebook = (cells: unknown[]) => JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells }, null, 1);

async function dadalab(args: string[], cwd: string, opts: { timeout?: number; env?: NodeJS.ProcessEnv } = {}) {
  return await spawnAsync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: opts.timeout ?? 120_000, env: opts.env ?? process.env });
}

/** A folder with x.ipynb holding `cells`, and the text written. */
function folderWith(prefix: string, cells: unknown[], name = 'x.ipynb'): { dir: string; input: string; text: string } {
  const dir = tempDir(prefix);
  const input = path.join(dir, name);
  const text = notebook(cells);
  writeFileSync(input, text);
  return { dir, input, text };
}

/**
 * Running, not a zombie: a kernel that killed itself after its parent died is re-parented to PID 1,
 * which reaps it when it likes (in a container, maybe never); until then kill(pid, 0) still succeeds.
 */
function alive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false; // gone between the two looks
  }
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

const OLD_OUTPUT = { output_type: 'stream', name: 'stdout', text: 'stored by an earlier run\n' };

describe('dadalab run never loses a notebook', () => {
  it('refuses --html naming the input, and --out through a symlink to the input', async () => {
    const { dir, input, text } = folderWith('dadalab-loss-', [code('1')]);
    const html = await dadalab(['run', 'x.ipynb', '--html', 'x.ipynb'], dir);
    expect(html.status).toBe(1);
    expect(html.stderr).toMatch(/--html .*x\.ipynb is the input notebook/);
    symlinkSync(input, path.join(dir, 'link.ipynb'));
    const link = await dadalab(['run', 'x.ipynb', '--out', 'link.ipynb'], dir);
    expect(link.status).toBe(1);
    expect(link.stderr).toMatch(/--out link\.ipynb \(.*x\.ipynb\) is the input notebook/);
    expect(readFileSync(input, 'utf8')).toBe(text);
    expect(readdirSync(dir).sort()).toEqual(['link.ipynb', 'x.ipynb']);
  });

  it('refuses --out and --html on one file, and two reports of one name in --html-dir, before running anything', async () => {
    const { dir } = folderWith('dadalab-collide-', [code("require('fs').writeFileSync('ran', '1')")]);
    const same = await dadalab(['run', 'x.ipynb', '--out', 'r.txt', '--html', 'r.txt'], dir);
    expect(same.status).toBe(1);
    expect(same.stderr).toMatch(/--out and --html both write .*r\.txt/);
    mkdirSync(path.join(dir, 'a'));
    mkdirSync(path.join(dir, 'b'));
    writeFileSync(path.join(dir, 'a', 'x.ipynb'), notebook([code("require('fs').writeFileSync('ran', '1')")]));
    writeFileSync(path.join(dir, 'b', 'x.ipynb'), notebook([code("require('fs').writeFileSync('ran', '1')")]));
    const two = await dadalab(['run', 'a/x.ipynb', 'b/x.ipynb', '--html-dir', 'reports'], dir);
    expect(two.status).toBe(1);
    expect(two.stderr).toMatch(/a\/x\.ipynb and .*b\/x\.ipynb would both write .*reports\/x\.html/);
    expect(existsSync(path.join(dir, 'reports'))).toBe(false);
    expect(existsSync(path.join(dir, 'ran')) || existsSync(path.join(dir, 'a', 'ran'))).toBe(false);
  });

  it('refuses a report over any notebook (--html y.ipynb) and a notebook named as a web page, and reads every notebook before running any', async () => {
    const { dir, text } = folderWith('dadalab-html-nb-', [code("require('fs').writeFileSync('ran', '1')")]);
    const other = notebook([code("'another notebook'")]);
    writeFileSync(path.join(dir, 'y.ipynb'), other);
    const html = await dadalab(['run', 'x.ipynb', '--html', 'y.ipynb'], dir);
    expect(html.status).toBe(1);
    expect(html.stderr).toMatch(/--html y\.ipynb names a notebook file, and the report is HTML/);
    const out = await dadalab(['run', 'x.ipynb', '--out', 'x.html'], dir);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/--out x\.html names a web page/);
    writeFileSync(path.join(dir, 'broken.ipynb'), '{"cells": [');
    const broken = await dadalab(['run', 'x.ipynb', 'broken.ipynb'], dir);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/broken\.ipynb is not a notebook: invalid JSON/);
    expect(readFileSync(path.join(dir, 'y.ipynb'), 'utf8')).toBe(other);
    expect(readFileSync(path.join(dir, 'x.ipynb'), 'utf8')).toBe(text);
    expect(readdirSync(dir).sort()).toEqual(['broken.ipynb', 'x.ipynb', 'y.ipynb']);
  });

  it('refuses a notebook that is the output of another one in the same run, and writes beside nothing with --out-dir', async () => {
    const { dir } = folderWith('dadalab-pollute-', [code("'a'")], 'a.ipynb');
    writeFileSync(path.join(dir, 'a.out.ipynb'), notebook([code("'old output'")]));
    writeFileSync(path.join(dir, 'b.ipynb'), notebook([code("'b'")]));
    const glob = await dadalab(['run', 'a.ipynb', 'a.out.ipynb', 'b.ipynb'], dir);
    expect(glob.status).toBe(1);
    expect(glob.stderr).toMatch(/a\.out\.ipynb is an input, and a\.ipynb would write its executed notebook there/);
    const before = readdirSync(dir).sort();
    const r = await dadalab(['run', 'a.ipynb', 'b.ipynb', '--out-dir', 'executed', '--quiet'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([...before, 'executed'].sort());
    expect(readdirSync(path.join(dir, 'executed')).sort()).toEqual(['a.ipynb', 'b.ipynb']);
  });

  it('refuses --in-place with --out, a folder as --out, a file as --html-dir, and a bad --timeout, at once', async () => {
    const { dir, input, text } = folderWith('dadalab-flags-', [code('1')]);
    mkdirSync(path.join(dir, 'folder'));
    writeFileSync(path.join(dir, 'file.txt'), 'not a folder');
    const cases: Array<[string[], RegExp]> = [
      [['--in-place', '--out', 'y.ipynb'], /--in-place writes over the input; --out names another file/],
      [['--out', 'folder'], /--out .*folder is a folder/],
      [['--html', 'folder'], /--html .*folder is a folder/],
      [['--html-dir', 'file.txt'], /--html-dir .*file\.txt is a file, not a folder/],
      [['--out-dir', 'file.txt'], /--out-dir .*file\.txt is a file, not a folder/],
      [['--timeout', 'abc'], /--timeout must be a positive number of seconds, got 'abc'/],
      [['--timeout', '0'], /--timeout must be a positive number of seconds, got '0'/],
      [['--timeout', '-1'], /--timeout must be a positive number of seconds, got '-1'/],
    ];
    for (const [flags, message] of cases) {
      const t0 = Date.now();
      const r = await dadalab(['run', 'x.ipynb', ...flags], dir);
      expect(r.status, flags.join(' ')).toBe(1);
      expect(r.stderr, flags.join(' ')).toMatch(message);
      expect(r.stderr, flags.join(' ')).not.toMatch(/\n\s+at /);
      expect(Date.now() - t0, `${flags.join(' ')} is refused before a kernel starts`).toBeLessThan(10_000);
    }
    expect(readFileSync(input, 'utf8')).toBe(text);
    expect(readdirSync(dir).sort()).toEqual(['file.txt', 'folder', 'x.ipynb']);
  });

  it('--in-place keeps the stored outputs of the cells a failure did not reach, and replaces the file atomically', async () => {
    const { dir, input } = folderWith('dadalab-inplace-', [
      code("console.log('new run')", [OLD_OUTPUT], 1),
      code("throw new Error('stops here')", [OLD_OUTPUT], 2),
      code("'never run'", [OLD_OUTPUT], 3),
      { cell_type: 'markdown', metadata: {}, source: '# note' },
      code("'never run either'", [OLD_OUTPUT], 4),
    ]);
    chmodSync(input, 0o640);
    const inode = statSync(input).ino;
    const r = await dadalab(['run', 'x.ipynb', '--in-place', '--quiet'], dir);
    expect(r.status).toBe(1);
    const nb = JSON.parse(readFileSync(input, 'utf8'));
    expect(nb.cells[0].outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'new run\n' }]);
    expect(nb.cells[1].outputs[0].evalue).toBe('stops here');
    for (const i of [2, 4]) {
      expect(nb.cells[i].outputs).toEqual([OLD_OUTPUT]);
      expect(nb.cells[i].execution_count).toBe(i === 2 ? 3 : 4);
    }
    expect(statSync(input).ino).not.toBe(inode);
    expect(statSync(input).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['x.ipynb']);
  });

  it('--in-place through a symlink writes the file it points to and keeps the link', async () => {
    const { dir, input } = folderWith('dadalab-inplace-link-', [code("'fresh'", [OLD_OUTPUT], 7)]);
    const link = path.join(dir, 'link.ipynb');
    symlinkSync(input, link);
    const r = await dadalab(['run', 'link.ipynb', '--in-place', '--quiet'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(link, { throwIfNoEntry: true }).isFile()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['link.ipynb', 'x.ipynb']);
    expect(JSON.parse(readFileSync(input, 'utf8')).cells[0].outputs[0].data['text/plain']).toBe("'fresh'");
  });

  it('--in-place keeps the later outputs when the kernel dies', async () => {
    const { dir, input } = folderWith('dadalab-inplace-die-', [code('process.exit(5)', [OLD_OUTPUT], 1), code("'x'", [OLD_OUTPUT], 2)]);
    const r = await dadalab(['run', 'x.ipynb', '--in-place', '--quiet'], dir);
    expect(r.status).toBe(1);
    const nb = JSON.parse(readFileSync(input, 'utf8'));
    expect(nb.cells[0].outputs[0].ename).toBe('KernelDied');
    expect(nb.cells[1].outputs).toEqual([OLD_OUTPUT]);
  });

  it('names the cell of a notebook whose cells list holds null, or a cell without a type', async () => {
    const { dir } = folderWith('dadalab-null-', [null]);
    const r = await dadalab(['run', 'x.ipynb'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/x\.ipynb: cell 1 is null, not a cell object/);
    expect(r.stderr).not.toMatch(/TypeError/);
    writeFileSync(path.join(dir, 'y.ipynb'), notebook([code('1'), { source: 'x' }]));
    const typeless = await dadalab(['run', 'y.ipynb'], dir);
    expect(typeless.stderr).toMatch(/y\.ipynb: cell 2 has no cell_type/);
  });
});

describe('dadalab run ends, whatever the cell does', () => {
  it('a cell printing 600 MiB ends with the output capped and a note that says so', async () => {
    const { dir } = folderWith('dadalab-huge-', [
      code("const mib = 'x'.repeat(2 ** 20);\nfor (let i = 0; i < 600; i++) process.stdout.write(mib);\n'done'"),
      code("'after'"),
    ]);
    const t0 = Date.now();
    const r = await dadalab(['run', 'x.ipynb', '--quiet', '--timeout', '120'], dir, { timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(120_000);
    const nb = JSON.parse(readFileSync(path.join(dir, 'x.out.ipynb'), 'utf8'));
    const outs = nb.cells[0].outputs;
    const stored = outs.filter((o: any) => o.output_type === 'stream').map((o: any) => o.text).join('');
    expect(stored.length).toBeLessThan(40 * 2 ** 20);
    expect(stored).toMatch(/output truncated: the cell printed 629145600 characters; the first 33554432 are kept/);
    expect(outs[outs.length - 1].data['text/plain']).toBe("'done'");
    expect(outs[outs.length - 2].text).toMatch(/^\n\[dadalab: output truncated/);
    expect(nb.cells[1].outputs[0].data['text/plain']).toBe("'after'");
  }, 200_000);

  it('a cell that never yields ends at --timeout even if the interrupt cannot stop it', async () => {
    // A signal handler that swallows SIGINT: the interrupt never reaches the loop.
    const { dir } = folderWith('dadalab-stuck-', [code("process.removeAllListeners('SIGINT'); process.on('SIGINT', () => {});\nwhile (true) {}")]);
    const t0 = Date.now();
    const r = await dadalab(['run', 'x.ipynb', '--quiet', '--timeout', '1'], dir);
    expect(r.status).toBe(1);
    expect(Date.now() - t0).toBeLessThan(40_000);
    expect(r.stderr).toMatch(/CellTimeout: the cell ran longer than the 1 s timeout.*did not stop/);
  });

  it('a rejected promise or a throw in a timer fails its cell (exit code 1)', async () => {
    const { dir } = folderWith('dadalab-late-', [code("Promise.reject(new Error('nobody awaited me'));\n'cell ends'"), code("'next'")]);
    const r = await dadalab(['run', 'x.ipynb', '--quiet'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cell 1 failed/);
    expect(r.stderr).toMatch(/nobody awaited me/);
    writeFileSync(path.join(dir, 'timer.ipynb'), notebook([code("setTimeout(() => { throw new RangeError('thrown in a timer'); }, 0);\nawait new Promise((r) => setTimeout(r, 100));"), code("'next'")]));
    const t = await dadalab(['run', 'timer.ipynb', '--quiet'], dir);
    expect(t.status).toBe(1);
    expect(t.stderr).toMatch(/cell 1 failed/);
    expect(t.stderr).toMatch(/RangeError: thrown in a timer \(thrown in a callback/);
    writeFileSync(path.join(dir, 'last.ipynb'), notebook([code("setTimeout(() => { throw new Error('after the cell'); }, 0);\n'ends first'")]));
    const last = await dadalab(['run', 'last.ipynb', '--quiet'], dir);
    expect(last.status).toBe(1);
    expect(last.stderr).toMatch(/after the cell/);
  });
});

describe('dadalab run takes its kernel down with it', () => {
  /** Starts a run whose second cell spins forever; resolves with the runner, the kernel's pid and its connection folder. */
  async function stuckRun(prefix: string) {
    const { dir } = folderWith(prefix, [
      code("require('fs').writeFileSync('kernel.pid', String(process.pid) + ' ' + process.argv[process.argv.indexOf('--config-path') + 1])"),
      code('while (true) {}'),
    ]);
    const runner = spawn(process.execPath, [CLI, 'run', 'x.ipynb', '--quiet'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    runner.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => runner.once('exit', (code, signal) => r({ code, signal })));
    const pidFile = path.join(dir, 'kernel.pid');
    expect(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').includes(' '), 90_000)).toBe(true);
    const [pid, connection] = readFileSync(pidFile, 'utf8').split(' ');
    await new Promise((r) => setTimeout(r, 500)); // into the endless cell
    expect(alive(Number(pid))).toBe(true);
    return { runner, exited, pid: Number(pid), connectionDir: path.dirname(connection), stderr: () => stderr, dir };
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the runner during a synchronous cell: the kernel is gone within 2 s, its connection folder too`, async () => {
      const run = await stuckRun(`dadalab-${signal}-`);
      expect(existsSync(run.connectionDir)).toBe(true);
      const t0 = Date.now();
      run.runner.kill(signal);
      expect(await waitFor(() => !alive(run.pid), underLoad(2000)), `kernel ${run.pid} still running ${Date.now() - t0} ms after ${signal}`).toBe(true);
      const { code } = await run.exited;
      expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(existsSync(run.connectionDir)).toBe(false);
      expect(run.stderr()).toMatch(new RegExp(`stopped by ${signal}`));
      expect(existsSync(path.join(run.dir, 'x.out.ipynb'))).toBe(false);
    });
  }

  it('SIGKILL to the runner: the kernel sees its parent gone within 2 s even in a synchronous cell', async () => {
    const run = await stuckRun('dadalab-SIGKILL-');
    run.runner.kill('SIGKILL');
    await run.exited;
    expect(await waitFor(() => !alive(run.pid), underLoad(2000))).toBe(true);
    expect(existsSync(run.connectionDir)).toBe(false);
  });
});

describe('dadalab run says why a kernel died', () => {
  // The cell prints, then dies at once: the last line is still in the kernel's 50 ms batch (or in
  // ZeroMQ's send queue) when the process goes. Earlier cells warm the compiler, so the kill comes
  // within the batch window every time; the runner gets that text from the kernel's stream journal.
  const deaths: Array<[string, string, RegExp]> = [
    ['SIGKILL', "process.kill(process.pid, 'SIGKILL')", /killed by SIGKILL/],
    ['SIGTERM', "process.kill(process.pid, 'SIGTERM')", /stopped by SIGTERM/],
    ['process.exit', 'process.exit(3)', /exited with code 3/],
  ];
  for (const [what, kill, cause] of deaths) {
    it(`${what}: names the signal and keeps what the cell printed before`, async () => {
      const { dir } = folderWith(`dadalab-killed-${what}-`, [
        code('1'),
        code("console.log('warm')"),
        code(`for (let i = 0; i < 1000; i++) console.log('line ' + i);\nconsole.error('on stderr');\nconsole.log('printed before dying');\n${kill};\nwhile (true) {}`),
        code("'never run'"),
      ]);
      const r = await dadalab(['run', 'x.ipynb', '--quiet'], dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`KernelDied: .*${cause.source}`));
      const outs = JSON.parse(readFileSync(path.join(dir, 'x.out.ipynb'), 'utf8')).cells[2].outputs;
      const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join('');
      expect(outs.slice(0, 3)).toEqual([
        { output_type: 'stream', name: 'stdout', text: lines },
        { output_type: 'stream', name: 'stderr', text: 'on stderr\n' },
        { output_type: 'stream', name: 'stdout', text: 'printed before dying\n' },
      ]);
      expect(outs).toHaveLength(4);
      expect(outs[3].ename).toBe('KernelDied');
      expect(outs[3].evalue).toMatch(cause);
    });
  }

  it('out of memory: says the heap ran out, with the log tail', async () => {
    const { dir } = folderWith('dadalab-oom-', [code("console.log('allocating');\nconst keep: number[][] = [];\nwhile (true) keep.push(Array.from({ length: 1e5 }, (_, i) => i + keep.length));")]);
    const r = await dadalab(['run', 'x.ipynb', '--quiet'], dir, { env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=400' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/KernelDied: .*ran out of memory/);
    expect(r.stderr).toMatch(/heap limit|heap out of memory/);
    const outs = JSON.parse(readFileSync(path.join(dir, 'x.out.ipynb'), 'utf8')).cells[0].outputs;
    expect(outs[0].text).toBe('allocating\n');
    expect(outs[1].traceback.join('\n')).toMatch(/heap limit|heap out of memory/);
  });
});
