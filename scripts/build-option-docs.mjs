// The option documentation the kernel shows on Shift-Tab inside a call (kernel/inspect.ts): for every
// exported function and class method of lib/ whose last parameter is an options object, the option
// names, types, JSDoc and defaults. Defaults are read from the code (`opts.k ?? 30`, `{ k = 30 } = opts`,
// `opts: { ... } = { k: 30 }`) or an `@default` tag. Written to dist/kernel/option-docs.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(join(root, 'package.json'))('typescript');
const program = ts.createProgram([join(root, 'lib', 'index.ts')], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true });
const checker = program.getTypeChecker();
const docs = {};

function defaultsIn(body, paramName) {
  const found = {};
  if (!body) return found;
  const visit = (n) => {
    // opts.name ?? literal
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken && ts.isPropertyAccessExpression(n.left)
      && ts.isIdentifier(n.left.expression) && n.left.expression.text === paramName && !(n.left.name.text in found)) {
      const t = n.right.getText();
      if (t.length <= 40) found[n.left.name.text] = t;
    }
    // const { name = literal } = opts
    if (ts.isVariableDeclaration(n) && n.initializer && ts.isIdentifier(n.initializer) && n.initializer.text === paramName && ts.isObjectBindingPattern(n.name)) {
      for (const el of n.name.elements) {
        const name = (el.propertyName ?? el.name).getText();
        if (el.initializer && !(name in found)) found[name] = el.initializer.getText();
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(body);
  return found;
}

function describe(decl, key) {
  const params = decl.parameters;
  if (!params || params.length === 0) return;
  const last = params[params.length - 1];
  if (!ts.isIdentifier(last.name)) return;
  const type = checker.getTypeAtLocation(last);
  const nonNull = checker.getNonNullableType(type);
  if (!(nonNull.flags & ts.TypeFlags.Object) || checker.getSignaturesOfType(nonNull, ts.SignatureKind.Call).length) return;
  const props = checker.getPropertiesOfType(nonNull);
  if (props.length === 0 || props.length > 40) return;
  const defaults = defaultsIn(decl.body, last.name.text);
  if (last.initializer && ts.isObjectLiteralExpression(last.initializer)) {
    for (const p of last.initializer.properties) if (ts.isPropertyAssignment(p)) defaults[p.name.getText()] ??= p.initializer.getText();
  }
  const options = props.map((p) => {
    const d = p.valueDeclaration ?? p.declarations?.[0];
    const t = d ? checker.typeToString(checker.getTypeOfSymbolAtLocation(p, d)).replace(/ \| undefined$/, '') : '';
    const doc = ts.displayPartsToString(p.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim();
    const tag = p.getJsDocTags(checker).find((x) => x.name === 'default');
    // a default from the code, an @default tag, or the doc's own words ("DADApy's default 0.9")
    const said = /\bdefaults?(?: is| to|:)?\s+(-?\d[\d.e-]*|'[^']*'|true|false|null)(?![\w.])/i.exec(doc)?.[1];
    const dflt = defaults[p.name] ?? (tag ? ts.displayPartsToString(tag.text) : said);
    return { name: p.name, type: t.length > 60 ? t.slice(0, 57) + '...' : t, ...(dflt !== undefined ? { default: dflt } : {}), ...(doc ? { doc } : {}) };
  });
  docs[key] = { param: last.name.text, options };
}

for (const sf of program.getSourceFiles()) {
  if (sf.isDeclarationFile || !sf.fileName.startsWith(join(root, 'lib')) && !sf.fileName.startsWith(join(root, 'widgets'))) continue;
  const visit = (n) => {
    if (ts.isFunctionDeclaration(n) && n.name && n.body) describe(n, n.name.text);
    if (ts.isClassDeclaration(n) && n.name) {
      // a class without its own constructor documents its nearest ancestor's (new Data(...) is Base's)
      if (!n.members.some(ts.isConstructorDeclaration)) {
        let base = checker.getTypeAtLocation(n).getBaseTypes?.()?.[0];
        while (base) {
          const decl = base.getSymbol()?.valueDeclaration;
          const ctor = decl && ts.isClassDeclaration(decl) ? decl.members.find(ts.isConstructorDeclaration) : undefined;
          if (ctor && ctor.body) { describe(ctor, `${n.name.text}.constructor`); break; }
          base = base.getBaseTypes?.()?.[0];
        }
      }
      for (const m of n.members) {
        if ((ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m)) && m.body) {
          describe(m, `${n.name.text}.${ts.isConstructorDeclaration(m) ? 'constructor' : m.name.getText()}`);
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
}
mkdirSync(join(root, 'dist', 'kernel'), { recursive: true });
writeFileSync(join(root, 'dist', 'kernel', 'option-docs.json'), JSON.stringify(docs));
console.log(`option docs: ${Object.keys(docs).length} functions and methods`);
