/**
 * A cell's own line numbers in tracebacks. tslab compiles a cell to JavaScript without a source map,
 * and the JavaScript has other lines (exports, removed types), so a null access on line 4 of a cell
 * was reported at `cell:9:25`. Before compiling, each line of the cell gets a marker comment at its
 * end (` /*@dadalab:4*\/`: the TypeScript emitter keeps trailing comments; a comment at a line end
 * moves no line and no column, so diagnostics keep their positions); a stack frame's JavaScript line
 * is mapped back through the markers of the compiled output. Line ends inside a multi-line string,
 * template or block comment get no marker.
 */
const MARK = /\/\*@dadalab:(\d+)\*\//g;

/** The 0-based lines whose end is inside a multi-line token (a marker there would change the program). */
function unsafeLines(ts: any, src: string): Set<number> {
  const sf = ts.createSourceFile('cell.ts', src, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const spans: Array<[number, number]> = [];
  const seen = new Set<number>();
  const visit = (node: any): void => {
    if (!seen.has(node.pos)) {
      seen.add(node.pos);
      for (const c of ts.getLeadingCommentRanges(src, node.pos) ?? []) {
        if (c.kind === ts.SyntaxKind.MultiLineCommentTrivia) spans.push([c.pos, c.end]);
      }
    }
    const k = node.kind;
    if (k === ts.SyntaxKind.NoSubstitutionTemplateLiteral || k === ts.SyntaxKind.TemplateHead || k === ts.SyntaxKind.TemplateMiddle
      || k === ts.SyntaxKind.TemplateTail || k === ts.SyntaxKind.StringLiteral || k === ts.SyntaxKind.RegularExpressionLiteral
      || k === ts.SyntaxKind.JsxText) {
      spans.push([node.getStart(sf), node.end]);
    }
    for (const child of node.getChildren(sf)) visit(child);
  };
  visit(sf);
  const unsafe = new Set<number>();
  for (const [a, b] of spans) {
    const first = sf.getLineAndCharacterOfPosition(a).line;
    const last = sf.getLineAndCharacterOfPosition(b).line;
    for (let l = first; l < last; l++) unsafe.add(l);
  }
  return unsafe;
}

/** The cell with a line marker at the end of every line where one is harmless. */
export function markLines(ts: any, src: string): string {
  // tslab reads `/** @module name */` and `//%browser` headers from the first line: leave such cells alone
  if (/^\s*(\/\*\*\s*@module|\/\/%)/.test(src) || src.includes('/*@dadalab:')) return src;
  let unsafe: Set<number>;
  try {
    unsafe = unsafeLines(ts, src);
  } catch {
    return src;
  }
  return src.split('\n').map((line, i) => (unsafe.has(i) || line.trim() === '' ? line : `${line} /*@dadalab:${i + 1}*/`)).join('\n');
}

/**
 * Maps a line of the compiled output to the cell's line: the marker on that line, else the
 * nearest marker above plus the lines between (never past the next marker's line), else null.
 */
export function sourceLineOf(output: string, jsLine: number): number | null {
  const lines = output.split('\n');
  const markerOf = (i: number): number | null => {
    if (i < 0 || i >= lines.length) return null;
    let m: number | null = null;
    for (const x of lines[i].matchAll(MARK)) m = Number(x[1]);
    return m;
  };
  const at = markerOf(jsLine - 1);
  if (at !== null) return at;
  for (let i = jsLine - 2; i >= 0; i--) {
    const m = markerOf(i);
    if (m === null) continue;
    let guess = m + (jsLine - 1 - i);
    for (let j = jsLine; j < lines.length; j++) {
      const next = markerOf(j);
      if (next !== null) { guess = Math.min(guess, next); break; }
    }
    return guess;
  }
  for (let j = jsLine; j < lines.length; j++) {
    const next = markerOf(j);
    if (next !== null) return next;
  }
  return null;
}
