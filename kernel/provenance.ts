/**
 * The provenance of an executed notebook, in its metadata (`metadata.dadalab`): the dadalab
 * version, the kernel's Node version, and the data files the kernel's loaders read, with their
 * SHA-256, so a reader can tell what produced the notebook. Nothing time- or machine-dependent
 * beyond the Node version: a re-run on the same data is byte-for-byte the same notebook.
 */
import * as path from 'node:path';
import type { CellKernel } from './client';
import type { FileRead } from '../lib/runtime/provenance';

export interface Provenance {
  version: string;
  node: string;
  files: FileRead[];
}

/** The module of the library that records the files read (the kernel loads the same file). */
export const PROVENANCE_MODULE = path.resolve(__dirname, '..', 'lib', 'runtime', 'provenance.js');

export function packageVersion(): string {
  try {
    return require(path.resolve(__dirname, '..', '..', 'package.json')).version;
  } catch {
    return '';
  }
}

/**
 * Asks a kernel (after the notebook's cells) what it read and which Node it runs. This extra
 * request is not a cell of the notebook. Null if the kernel cannot answer (it died, say).
 */
export async function kernelProvenance(kernel: CellKernel): Promise<Provenance | null> {
  const code = `process.stdout.write('\\u0000dadalab-provenance' + JSON.stringify({ node: process.version, files: require(${JSON.stringify(PROVENANCE_MODULE)}).filesRead() }) + '\\n')`;
  let text = '';
  try {
    const r = await kernel.execute(code, (m) => { if (m.msg_type === 'stream') text += String(m.content?.text ?? ''); });
    if (r.reply.status !== 'ok') return null;
  } catch {
    return null;
  }
  const m = /\u0000dadalab-provenance(.*)\n/.exec(text);
  if (!m) return null;
  const { node, files } = JSON.parse(m[1]) as { node: string; files: FileRead[] };
  return { version: packageVersion(), node, files };
}
