/**
 * Comms and the widget protocol, at the message level, through the embedded client (a frontend
 * in Node: it sends comm messages as the classic Notebook and JupyterLab do, and reads what the
 * kernel publishes). The browsers' side is in test/e2e/widgets.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, DIST, requireBuilt, tempDir, spawnAsync } from './helpers';

requireBuilt();
const { EmbeddedKernel } = require(path.join(DIST, 'kernel', 'client.js'));

type Msg = { msg_type: string; content: any; metadata: any };
const VIEW = 'application/vnd.jupyter.widget-view+json';
const STATE = 'application/vnd.jupyter.widget-state+json';

let kernel: any;
let dir: string;

beforeAll(async () => {
  dir = tempDir('dadalab-widgets-');
  kernel = await EmbeddedKernel.start({ cwd: dir });
});
afterAll(async () => {
  await kernel?.shutdown();
});

async function run(code: string): Promise<{ reply: any; messages: Msg[] }> {
  const r = await kernel.execute(code);
  if (r.reply.status !== 'ok') throw new Error(`cell failed: ${JSON.stringify(r.messages.filter((m: Msg) => m.msg_type === 'error'))}`);
  return r;
}
const of = (ms: Msg[], type: string) => ms.filter((m) => m.msg_type === type);
const text = async (code: string) => of((await run(code)).messages, 'execute_result')[0]?.content.data['text/plain'];

describe('comms and the widget protocol 2.1 (ipywidgets 8, JupyterLab 4)', () => {
  let sliderId = '';

  it('a widget opens a comm with its state; displaying it sends the widget view with a text fallback', async () => {
    const r = await run("const s = new widgets.IntSlider({ value: 3, max: 10, description: 'k' });\nconst seen: number[] = [];\ns.observe('value', ({ new: v }) => { seen.push(v); });\ns");
    const opens = of(r.messages, 'comm_open').filter((m) => m.content.target_name === 'jupyter.widget');
    const slider = opens.find((m) => m.content.data.state._model_name === 'IntSliderModel');
    expect(slider).toBeDefined();
    expect(slider!.metadata.version).toBe('2.1.0');
    expect(slider!.content.data.buffer_paths).toEqual([]);
    const st = slider!.content.data.state;
    expect([st._model_module, st._model_module_version, st._view_name]).toEqual(['@jupyter-widgets/controls', '2.0.0', 'IntSliderView']);
    expect(st.value).toBe(3);
    // its layout and style are models of their own, referenced as IPY_MODEL_<id>
    const layoutId = String(st.layout).replace('IPY_MODEL_', '');
    expect(opens.find((m) => m.content.comm_id === layoutId)!.content.data.state._model_module).toBe('@jupyter-widgets/base');
    const shown = of(r.messages, 'execute_result')[0].content.data;
    expect(shown[VIEW]).toEqual({ model_id: slider!.content.comm_id, version_major: 2, version_minor: 0 });
    expect(shown['text/plain']).toMatch(/^IntSlider\(value=3/);
    sliderId = slider!.content.comm_id;
  });

  it('comm_info_request lists the open comms, by target', async () => {
    const all = await kernel.call('comm_info_request', {});
    expect(all.status).toBe('ok');
    expect(all.comms[sliderId]).toEqual({ target_name: 'jupyter.widget' });
    const none = await kernel.call('comm_info_request', { target_name: 'no.such.target' });
    expect(none.comms).toEqual({});
  });

  it('a frontend update reaches the value and the observers, and is echoed (2.1)', async () => {
    const answer = await kernel.sendComm('comm_msg', { comm_id: sliderId, data: { method: 'update', state: { value: 7 }, buffer_paths: [] } });
    const echo = of(answer, 'comm_msg').find((m) => m.content.data.method === 'echo_update');
    expect(echo!.content.data.state).toEqual({ value: 7 });
    expect(await text('`${s.value} ${seen.join()}`')).toBe("'7 7'");
  });

  it('a kernel-side change is sent to the frontend as an update of that value only', async () => {
    const r = await run('s.value = 9');
    const upd = of(r.messages, 'comm_msg').filter((m) => m.content.comm_id === sliderId);
    expect(upd.map((m) => m.content.data)).toEqual([{ method: 'update', state: { value: 9 }, buffer_paths: [] }]);
  });

  it('request_state answers with the whole state; custom messages reach onClick', async () => {
    const st = await kernel.sendComm('comm_msg', { comm_id: sliderId, data: { method: 'request_state' } });
    expect(of(st, 'comm_msg')[0].content.data.state.value).toBe(9);
    const b = await run("const b = new widgets.Button({ description: 'go' });\nlet clicks = 0;\nb.onClick(() => { clicks++; });\nb.modelId");
    const id = of(b.messages, 'execute_result')[0].content.data['text/plain'].replace(/'/g, '');
    await kernel.sendComm('comm_msg', { comm_id: id, data: { method: 'custom', content: { event: 'click' } } });
    await kernel.sendComm('comm_msg', { comm_id: id, data: { method: 'custom', content: { event: 'click' } } });
    expect(await text('clicks')).toBe('2');
  });

  it('the control comm answers request_states with every model', async () => {
    const answer = await kernel.sendComm('comm_open', { comm_id: 'control-1', target_name: 'jupyter.widget.control', data: {} }, { version: '1.0.0' });
    expect(answer.length).toBe(0);
    const states = await kernel.sendComm('comm_msg', { comm_id: 'control-1', data: { method: 'request_states' } });
    const reply = of(states, 'comm_msg')[0].content.data;
    expect(reply.method).toBe('update_states');
    expect(reply.states[sliderId].model_name).toBe('IntSliderModel');
    expect(reply.states[sliderId].state.value).toBe(9);
  });

  it('a comm to an unknown target is closed; a closed widget leaves comm_info', async () => {
    const answer = await kernel.sendComm('comm_open', { comm_id: 'x-1', target_name: 'nobody.here', data: {} });
    expect(of(answer, 'comm_close').map((m) => m.content.comm_id)).toEqual(['x-1']);
    const r = await run('s.close()');
    expect(of(r.messages, 'comm_close').map((m) => m.content.comm_id)).toEqual([sliderId]);
    const info = await kernel.call('comm_info_request', { target_name: 'jupyter.widget' });
    expect(info.comms[sliderId]).toBeUndefined();
  });

  it('comms from TypeScript: a target the frontend opens, and a comm the kernel opens', async () => {
    const r = await run(`const got: unknown[] = [];
__dadalab_kernel__.comms.registerTarget('echo.target', (comm: any) => { comm.onMsg((m: any) => { got.push(m.data); comm.send({ back: m.data.n * 2 }); }); });
const out = __dadalab_kernel__.comms.open('my.target', { hello: 1 });
out.commId`.replace(/__dadalab_kernel__/g, '(globalThis as any).__dadalab_kernel__'));
    const opened = of(r.messages, 'comm_open').find((m) => m.content.target_name === 'my.target');
    expect(opened!.content.data).toEqual({ hello: 1 });
    await kernel.sendComm('comm_open', { comm_id: 'e-1', target_name: 'echo.target', data: {} });
    const back = await kernel.sendComm('comm_msg', { comm_id: 'e-1', data: { n: 21 } });
    expect(of(back, 'comm_msg')[0].content).toEqual({ comm_id: 'e-1', data: { back: 42 } });
    expect(await text('JSON.stringify(got)')).toBe('\'[{"n":21}]\'');
  });
});

describe('the widget protocol 1 (ipywidgets 6, the classic Notebook of Debian bookworm)', () => {
  it('a version-1 frontend announces itself; the kernel then speaks version 1', async () => {
    const hello = await kernel.sendComm('comm_open', { comm_id: 'v-1', target_name: 'jupyter.widget.version', data: {} });
    expect(of(hello, 'comm_msg')[0].content.data).toEqual({ version: '~2.1.4' });
    await kernel.sendComm('comm_msg', { comm_id: 'v-1', data: { validated: true, frontend_version: '2.1.4' } });
    expect(await text('widgets.widgetFrontend().frontendVersion')).toBe("'2.1.4'");
    const r = await run("const d = new widgets.Dropdown({ options: ['a', 'b', 'c'], value: 'b' });\nd");
    const open = of(r.messages, 'comm_open').find((m) => m.content.data._model_name === 'DropdownModel')!;
    // version 1: the data is the state; models in 'jupyter-js-widgets'; a Dropdown syncs its label as value
    expect(open.content.data._model_module).toBe('jupyter-js-widgets');
    expect(open.content.data.value).toBe('b');
    expect(open.content.data.index).toBeUndefined();
    const display = of(r.messages, 'comm_msg').find((m) => m.content.comm_id === open.content.comm_id);
    expect(display!.content.data).toEqual({ method: 'display' });
    expect(of(r.messages, 'execute_result')[0].content.data).toEqual({ [VIEW]: { model_id: open.content.comm_id } });
    // the frontend's backbone sync
    await kernel.sendComm('comm_msg', { comm_id: open.content.comm_id, data: { method: 'backbone', sync_data: { value: 'c' } } });
    expect(await text('`${d.value} ${d.index}`')).toBe("'c 2'");
    await run('widgets.setWidgetProtocol(2)');
  });
});

describe('dadalab run keeps the widget state', () => {
  it('writes the last state of every open widget into the notebook metadata, and the HTML keeps it', async () => {
    const nb = {
      nbformat: 4, nbformat_minor: 5, metadata: {},
      cells: [
        { cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: "const k = new widgets.IntSlider({ value: 2, max: 20, description: 'k' });\nk" },
        { cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: 'k.value = 11;\nconst gone = new widgets.Label("temporary");\ngone.close();' },
      ],
    };
    writeFileSync(path.join(dir, 'state.ipynb'), JSON.stringify(nb));
    const r = await spawnAsync(process.execPath, [CLI, 'run', 'state.ipynb', '--html', 'state.html', '--quiet'], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(readFileSync(path.join(dir, 'state.out.ipynb'), 'utf8'));
    const saved = out.metadata.widgets[STATE];
    expect([saved.version_major, saved.version_minor]).toEqual([2, 0]);
    const viewId = out.cells[0].outputs[0].data[VIEW].model_id;
    expect(saved.state[viewId].model_name).toBe('IntSliderModel');
    expect(saved.state[viewId].state.value).toBe(11);
    expect(Object.values(saved.state).some((m: any) => m.model_name === 'LabelModel')).toBe(false);
    const html = readFileSync(path.join(dir, 'state.html'), 'utf8');
    const script = /<script type="application\/vnd\.jupyter\.widget-state\+json">([\s\S]*?)<\/script>/.exec(html);
    expect(JSON.parse(script![1]).state[viewId].state.value).toBe(11);
  });
});
