/**
 * nbformat 4 notebooks: reading, writing, and turning a cell's iopub messages into its outputs
 * (streams merged, display updates applied in place by display_id, as nbclient does).
 */
import { readFileSync } from 'node:fs';
import { DadalabError } from '../lib/errors';
import type { IOPubMessage } from './client';
import { DEFAULT_MAX_CELL_OUTPUT, StreamBudget } from './limits';
import { writeFileAtomic } from './outputs';

export interface Output {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error';
  [key: string]: unknown;
}

export interface Cell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: Output[];
  execution_count?: number | null;
}

export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

export function sourceText(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DadalabError(`Cannot read the notebook ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      'Check the path; it is resolved from the current folder');
  }
  let nb: Notebook;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new DadalabError(`${file} is not a notebook: invalid JSON (${(e as Error).message})`, 'Pass an .ipynb file');
  }
  if (!nb || !Array.isArray(nb.cells) || typeof nb.nbformat !== 'number') {
    throw new DadalabError(`${file} is not a notebook: it has no cells list or nbformat number`, 'Pass an nbformat 4 .ipynb file');
  }
  if (nb.nbformat !== 4) {
    throw new DadalabError(`${file} is nbformat ${nb.nbformat}`, 'Convert it to nbformat 4 (jupyter nbconvert --to notebook)');
  }
  nb.cells.forEach((c, i) => checkCell(file, c, i));
  return nb;
}

/** A cell the runner can execute or keep: an object with a known cell_type and a text source. */
function checkCell(file: string, c: unknown, i: number): void {
  const where = `${file}: cell ${i + 1}`;
  const fix = 'Fix the cell in the .ipynb file (or open and save the notebook in Jupyter)';
  if (c === null || typeof c !== 'object' || Array.isArray(c)) {
    throw new DadalabError(`${where} is ${c === null ? 'null' : Array.isArray(c) ? 'an array' : `a ${typeof c}`}, not a cell object`, fix);
  }
  const cell = c as Partial<Cell>;
  if (typeof cell.cell_type !== 'string') throw new DadalabError(`${where} has no cell_type`, fix);
  if (!['code', 'markdown', 'raw'].includes(cell.cell_type)) throw new DadalabError(`${where} has cell_type '${cell.cell_type}'`, `${fix}: code, markdown or raw`);
  const src = cell.source;
  if (!(typeof src === 'string' || (Array.isArray(src) && src.every((l) => typeof l === 'string')))) {
    throw new DadalabError(`${where} has no text source (a string or a list of strings)`, fix);
  }
  if (cell.outputs !== undefined && !Array.isArray(cell.outputs)) throw new DadalabError(`${where} has outputs that are not a list`, fix);
  if (cell.metadata === undefined || cell.metadata === null) cell.metadata = {};
}

/** Writes the notebook atomically (temporary file + rename; a symlink is followed, not replaced). */
export function writeNotebook(file: string, nb: Notebook): void {
  writeFileAtomic(file, JSON.stringify(nb, null, 1) + '\n');
}

/** Kernel metadata of a notebook run by the dadalab kernel. */
export function dadalabMetadata(): Record<string, unknown> {
  return {
    kernelspec: { name: 'dadalab', display_name: 'dadalab (TypeScript)', language: 'typescript' },
    language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript', codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true } },
  };
}

/**
 * Collects the outputs of cells; display ids are tracked across the whole notebook. A cell's
 * streams are kept up to `maxStreamChars` characters (a backstop: the dadalab kernel caps at half
 * that); `finishCell` then says how much was left out.
 */
export class OutputCollector {
  private displays = new Map<string, Array<{ outputs: Output[]; index: number }>>();
  private budgets = new WeakMap<Output[], StreamBudget>();
  constructor(private readonly maxStreamChars = 2 * DEFAULT_MAX_CELL_OUTPUT) {}

  add(outputs: Output[], m: IOPubMessage): void {
    const c = m.content ?? {};
    switch (m.msg_type) {
      case 'stream': {
        let budget = this.budgets.get(outputs);
        if (!budget) { budget = new StreamBudget(this.maxStreamChars); this.budgets.set(outputs, budget); }
        const text = budget.take(String(c.text ?? ''));
        if (!text) break;
        const last = outputs[outputs.length - 1];
        if (last && last.output_type === 'stream' && last.name === c.name) last.text = String(last.text) + text;
        else outputs.push({ output_type: 'stream', name: c.name, text });
        break;
      }
      case 'display_data': {
        outputs.push({ output_type: 'display_data', data: c.data ?? {}, metadata: c.metadata ?? {} });
        const id = c.transient?.display_id;
        if (id) {
          const list = this.displays.get(id) ?? [];
          list.push({ outputs, index: outputs.length - 1 });
          this.displays.set(id, list);
        }
        break;
      }
      case 'update_display_data': {
        for (const { outputs: o, index } of this.displays.get(c.transient?.display_id) ?? []) {
          o[index] = { output_type: 'display_data', data: c.data ?? {}, metadata: c.metadata ?? {} };
        }
        break;
      }
      case 'execute_result':
        outputs.push({ output_type: 'execute_result', execution_count: c.execution_count ?? null, data: c.data ?? {}, metadata: c.metadata ?? {} });
        break;
      case 'error':
        outputs.push({ output_type: 'error', ename: c.ename, evalue: c.evalue, traceback: c.traceback ?? [] });
        break;
      case 'clear_output':
        outputs.length = 0;
        this.budgets.delete(outputs);
        break;
      default:
        break;
    }
  }

  /** After a cell: a stderr note if its printed text was cut. */
  finishCell(outputs: Output[]): void {
    const note = this.budgets.get(outputs)?.note();
    if (note) outputs.push({ output_type: 'stream', name: 'stderr', text: note.replace(/^\n/, '') });
  }
}
