/**
 * The kernel is safe to leave running, and what the runner writes is safe to open: replayed
 * messages are dropped, an unsigned kernel does not listen beyond the loopback, the report's links
 * cannot run script, install and uninstall touch only their own files, and an error in what stores
 * the outputs ends the cell instead of hanging it. Real kernel processes and real files.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, DIST, requireBuilt, tempDir, spawnAsync } from './helpers';

requireBuilt();
const { EmbeddedKernel, freePort } = require(path.join(DIST, 'kernel', 'client.js'));
const { encode, header } = require(path.join(DIST, 'kernel', 'wire.js'));
const { markdown, safeHref } = require(path.join(DIST, 'kernel', 'report.js'));
const { OutputCollector } = require(path.join(DIST, 'kernel', 'notebook.js'));
const { LAUNCHER } = require(path.join(DIST, 'kernel', 'kernelspec.js'));

describe('a running kernel', () => {
  let kernel: any;
  beforeAll(async () => { kernel = await EmbeddedKernel.start({ cwd: tempDir('dadalab-safe-') }); });
  afterAll(async () => { await kernel?.shutdown(); });

  it('runs a correctly signed message once: a replay of it is dropped', async () => {
    const msg = {
      identities: [], header: header('execute_request', kernel.session), parent_header: {}, metadata: {},
      content: { code: 'globalThis.replayed = (globalThis.replayed ?? 0) + 1', silent: true, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: false },
    };
    const frames = encode(kernel.conn.key, msg);
    await kernel.shell.send(frames);
    await new Promise((r) => setTimeout(r, 500));
    await kernel.shell.send(frames);
    await new Promise((r) => setTimeout(r, 500));
    const r = await kernel.execute('globalThis.replayed');
    expect(r.messages.find((m: any) => m.msg_type === 'execute_result').content.data['text/plain']).toBe('1');
    expect(kernel.log).toMatch(/dropped a replayed shell message \(execute_request/);
  });

  it('an error in what stores the outputs fails the cell with the reason (no hang)', async () => {
    const t0 = Date.now();
    await expect(kernel.execute("console.log('one line'); 1", () => { throw new RangeError('Invalid string length'); }))
      .rejects.toThrow(/could not keep an output of the cell \(\w+\): Invalid string length/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect((await kernel.execute('2')).reply.status).toBe('ok');
  });
});

describe('the output collector', () => {
  it('keeps at most its limit of a cell\'s printed text and says so after the cell', () => {
    const c = new OutputCollector(10);
    const outs: any[] = [];
    for (const text of ['12345', '67890', 'abcdef']) c.add(outs, { msg_type: 'stream', content: { name: 'stdout', text }, metadata: {} });
    c.finishCell(outs);
    expect(outs[0].text).toBe('1234567890');
    expect(outs[1].text).toMatch(/^\[dadalab: output truncated: the cell printed 16 characters; the first 10 are kept/);
  });
});

describe('a connection file with an empty key', () => {
  async function connection(dir: string, ip: string) {
    const ports = [];
    for (let i = 0; i < 5; i++) ports.push(await freePort());
    const file = path.join(dir, `conn-${ip}.json`);
    writeFileSync(file, JSON.stringify({ transport: 'tcp', ip, shell_port: ports[0], iopub_port: ports[1], stdin_port: ports[2], control_port: ports[3], hb_port: ports[4], key: '', signature_scheme: 'hmac-sha256' }));
    return file;
  }

  it('on 0.0.0.0: the kernel refuses to start, and says why', async () => {
    const dir = tempDir('dadalab-unsigned-');
    const r = await spawnAsync(process.execPath, [LAUNCHER, '--config-path', await connection(dir, '0.0.0.0')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/refusing to start: the connection file has an empty key and the kernel would listen on tcp:\/\/0\.0\.0\.0/);
  });

  it('on 0.0.0.0 with DADALAB_ALLOW_UNSIGNED=1: it starts, with a warning', async () => {
    const dir = tempDir('dadalab-unsigned-');
    const p = spawn(process.execPath, [LAUNCHER, '--config-path', await connection(dir, '0.0.0.0')], { env: { ...process.env, DADALAB_ALLOW_UNSIGNED: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    const t0 = Date.now();
    while (!/WARNING: the connection file has an empty key/.test(err) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
    p.kill('SIGKILL');
    expect(err).toMatch(/WARNING: the connection file has an empty key and the kernel listens on tcp:\/\/0\.0\.0\.0/);
  });
});

describe('the HTML report', () => {
  it('keeps http(s), mailto and relative links, and drops links that would run script', () => {
    const html = markdown([
      '[site](https://example.org/a) [mail](mailto:a@b.c) [rel](figures/x.png) [anchor](#top)',
      '[click](javascript:alert(document.cookie)) [caps](JaVaScRiPt:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)',
      '[ent](javascript&#58;alert(1)) [vb](vbscript:msgbox(1)) [tab](java&#x09;script:alert(1))',
    ].join('\n'));
    expect(html).toContain('<a href="https://example.org/a">site</a>');
    expect(html).toContain('<a href="mailto:a@b.c">mail</a>');
    expect(html).toContain('<a href="figures/x.png">rel</a>');
    expect(html).toContain('<a href="#top">anchor</a>');
    expect(html).not.toMatch(/href="(javascript|data|vbscript)/i);
    expect(html).not.toMatch(/href="[^"]*(script|data:)/i);
    for (const label of ['click', 'caps', 'data', 'vb']) expect(html).toContain(` ${label}`);
    expect(safeHref('java\tscript:alert(1)')).toBe(false);
    expect(safeHref('&#106;avascript:alert(1)')).toBe(false);
  });
});

describe('dadalab install / uninstall on a prefix with foreign files', () => {
  const cli = async (args: string[]) => await spawnAsync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

  it('refuses --prefix with an empty folder name (never the home folder)', async () => {
    for (const cmd of ['install', 'uninstall']) {
      const r = await cli([cmd, '--prefix', '']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/--prefix was given an empty folder name/);
    }
  });

  it('uninstall leaves no empty folder behind, and none it did not make', async () => {
    const prefix = tempDir('dadalab-prefix-');
    mkdirSync(path.join(prefix, 'share'));
    expect((await cli(['install', '--prefix', prefix])).status).toBe(0);
    expect(existsSync(path.join(prefix, 'share', 'jupyter', 'nbconvert', 'templates', 'dadalab', 'index.html.j2'))).toBe(true);
    const u = await cli(['uninstall', '--prefix', prefix]);
    expect(u.status, u.stderr).toBe(0);
    expect(readdirSync(prefix)).toEqual(['share']);
    expect(readdirSync(path.join(prefix, 'share'))).toEqual([]);
  });

  it('uninstall keeps files it did not write, and edited ones, and says so', async () => {
    const prefix = tempDir('dadalab-prefix-');
    expect((await cli(['install', '--prefix', prefix])).status).toBe(0);
    const kdir = path.join(prefix, 'share', 'jupyter', 'kernels', 'dadalab');
    const tdir = path.join(prefix, 'share', 'jupyter', 'nbconvert', 'templates', 'dadalab');
    writeFileSync(path.join(kdir, 'logo-64x64.png'), 'a logo the user added');
    writeFileSync(path.join(tdir, 'index.html.j2'), '{# edited by hand #}');
    writeFileSync(path.join(tdir, 'mine.tpl'), 'my own template');
    const u = await cli(['uninstall', '--prefix', prefix]);
    expect(u.status, u.stderr).toBe(0);
    expect(u.stdout).toMatch(/Left in place/);
    expect(u.stdout).toContain('logo-64x64.png');
    expect(readdirSync(kdir)).toEqual(['logo-64x64.png']);
    expect(readdirSync(tdir).sort()).toEqual(['index.html.j2', 'mine.tpl']);
    expect(readFileSync(path.join(tdir, 'index.html.j2'), 'utf8')).toBe('{# edited by hand #}');
  });

  it('install does not overwrite a foreign kernelspec named dadalab; uninstall does not delete it', async () => {
    const prefix = tempDir('dadalab-prefix-');
    const kdir = path.join(prefix, 'share', 'jupyter', 'kernels', 'dadalab');
    mkdirSync(kdir, { recursive: true });
    const foreign = JSON.stringify({ argv: ['python3', '-m', 'someone_elses_kernel', '-f', '{connection_file}'], display_name: 'dadalab (someone else)', language: 'python' });
    writeFileSync(path.join(kdir, 'kernel.json'), foreign);
    const i = await cli(['install', '--prefix', prefix]);
    expect(i.status).toBe(1);
    expect(i.stderr).toMatch(/kernel\.json exists and was not written by dadalab install.*--force/);
    expect(readFileSync(path.join(kdir, 'kernel.json'), 'utf8')).toBe(foreign);
    expect(existsSync(path.join(prefix, 'share', 'jupyter', 'nbconvert'))).toBe(false);
    const u = await cli(['uninstall', '--prefix', prefix]);
    expect(u.status).toBe(1);
    expect(u.stderr).toMatch(/was not written by dadalab install/);
    expect(readFileSync(path.join(kdir, 'kernel.json'), 'utf8')).toBe(foreign);
    const forced = await cli(['install', '--prefix', prefix, '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(kdir, 'kernel.json'), 'utf8')).display_name).toBe('dadalab (TypeScript)');
  });

  it('install over its own earlier install is fine (an upgrade)', async () => {
    const prefix = tempDir('dadalab-prefix-');
    expect((await cli(['install', '--prefix', prefix])).status).toBe(0);
    const again = await cli(['install', '--prefix', prefix]);
    expect(again.status, again.stderr).toBe(0);
    expect((await cli(['uninstall', '--prefix', prefix])).status).toBe(0);
    expect(readdirSync(prefix)).toEqual([]);
  });
});
