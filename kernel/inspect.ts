/**
 * Shift-Tab (inspect_request) where a person presses it: on a name, tslab's answer (TypeScript's
 * quick info); right after `(` or anywhere inside the arguments, `d.computeId2NN({ | })`, the
 * documentation of the function being called, followed by its options with their types, defaults
 * and docs (read from the library's code at build time: scripts/build-option-docs.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

interface OptionDoc { name: string; type: string; default?: string; doc?: string }
type OptionDocs = Record<string, { param: string; options: OptionDoc[] }>;

let docs: OptionDocs | null = null;
function optionDocs(): OptionDocs {
  if (!docs) {
    const file = path.join(__dirname, 'option-docs.json');
    docs = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  }
  return docs!;
}

/** Jupyter counts the cursor in code points; TypeScript in UTF-16 units. */
function utf16Offset(code: string, codePoints: number): number {
  let units = 0;
  let n = 0;
  for (const ch of code) {
    if (n >= codePoints) break;
    units += ch.length;
    n++;
  }
  return units;
}

/** The end of the callee's name of the innermost call whose argument list holds `pos`, or -1. */
export function calleeEnd(ts: any, code: string, pos: number): number {
  const sf = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  let best = -1;
  const visit = (node: any): void => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments) {
      const open = node.arguments.pos; // just after `(`
      const close = node.end;
      const unterminated = code[close - 1] !== ')';
      // inside the parentheses; an unclosed call (being typed) reaches to the cursor over white space
      const inside = pos >= open && (pos < close || (pos === close && (unterminated || pos === open))
        || (unterminated && code.slice(close, pos).trim() === ''));
      if (inside) best = node.expression.end;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return best;
}

/** The options of the function in a quick-info text ("(method) IdEstimation.computeId2NN(...)"). */
export function optionsText(signature: string): string {
  // "(method) IdEstimation.computeId2NN(...)", "function twoNN(...)", "(alias) twoNN(...)", "(alias) new Data(...)", "class Data"
  const m = /^(?:\(alias\) )?(?:\((?:method|constructor)\) ([\w$]+)\.([\w$]+)|(?:function |const )?([\w$]+)\(|(?:constructor|new|class) ([\w$]+))/m.exec(signature);
  if (!m) return '';
  const table = optionDocs();
  const key = m[1] ? `${m[1]}.${m[2]}` : m[3] ?? `${m[4]}.constructor`;
  const entry = table[key] ?? (m[1] ? Object.entries(table).find(([k]) => k.endsWith(`.${m[2]}`))?.[1] : undefined);
  if (!entry || entry.options.length === 0) return '';
  const lines = entry.options.map((o) => `  ${o.name}${o.default !== undefined ? ` = ${o.default}` : ''}${o.type ? `: ${o.type}` : ''}${o.doc ? `\n      ${o.doc}` : ''}`);
  return `\n\nOptions (${entry.param}), with their defaults:\n${lines.join('\n')}`;
}

interface InspectContent { code: string; cursor_pos: number; detail_level?: number }
interface InspectReply { status: string; found: boolean; data: Record<string, string>; metadata: Record<string, unknown> }

/** tslab's inspect, moved to the called function when the cursor is inside a call's parentheses. */
export function inspectInCall(ts: any, content: InspectContent, inspect: (c: InspectContent) => InspectReply): InspectReply {
  const code = String(content.code ?? '');
  const pos = utf16Offset(code, Number(content.cursor_pos ?? code.length));
  const direct = inspect(content);
  const onName = /[\w$]/.test(code[pos - 1] ?? '') || /[\w$]/.test(code[pos] ?? '');
  let reply = direct;
  if (!(direct?.found && onName)) {
    const end = calleeEnd(ts, code, pos);
    if (end < 0) return direct;
    const cursorPoints = [...code.slice(0, end)].length;
    reply = inspect({ ...content, cursor_pos: cursorPoints });
  }
  if (!reply?.found) return reply;
  const text = String(reply.data?.['text/plain'] ?? '');
  const options = optionsText(text);
  if (!options || text.includes('Options (')) return reply;
  return { ...reply, data: { ...reply.data, 'text/plain': text + options } };
}
