// The nbconvert template with its scripts: copies kernel/nbconvert/templates/ to dist/nbconvert/templates/
// and writes dadalab/vega-scripts.html.j2, the inline <script> blocks of vega, vega-lite and vega-embed
// (the interactive charts of `dadalab html` / `--template dadalab` load nothing from the network).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const out = join(root, 'dist', 'nbconvert', 'templates');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(root, 'kernel', 'nbconvert', 'templates'), out, { recursive: true });

function vendor(pkg, file) {
  for (const base of require.resolve.paths(pkg) ?? []) {
    const p = join(base, pkg, file);
    if (existsSync(p)) return readFileSync(p, 'utf8');
  }
  throw new Error(`cannot find ${pkg}/${file} in node_modules`);
}
const scripts = [['vega', 'build/vega.min.js'], ['vega-lite', 'build/vega-lite.min.js'], ['vega-embed', 'build/vega-embed.min.js']]
  .map(([p, f]) => `<script>${vendor(p, f).replace(/<\/script/gi, '<\\/script')}</script>`).join('\n');
if (scripts.includes('{% endraw %}')) throw new Error('a vendored script contains "{% endraw %}"');
writeFileSync(join(out, 'dadalab', 'vega-scripts.html.j2'), `{% raw %}${scripts}{% endraw %}\n`);
console.log(`nbconvert template written to ${out}`);
