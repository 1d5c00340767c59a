/**
 * `dadalab run` on several notebooks without --out writes each executed copy beside its input as
 * <name>.out.ipynb; in this project those copies are git-ignored, so running the shipped notebooks
 * leaves `git status` clean (issue 12). Checked with git itself on the paths the runner writes.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { defaultOutPath } from '../../kernel/outputs';
import { SHIPPED } from './executed';
import { describeWith, ROOT } from './helpers';

function missingGitCheckout(): string | null {
  const r = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: ROOT, encoding: 'utf8' });
  return !r.error && r.status === 0 && r.stdout.trim() === 'true' ? null : 'not a git checkout (or no git)';
}

describeWith('executed copies beside their input', [missingGitCheckout()], () => {
  it('are git-ignored for every shipped notebook, and the notebooks themselves are not', () => {
    const outs = SHIPPED.map((n) => path.relative(ROOT, defaultOutPath(path.join(ROOT, 'notebooks', n))));
    expect(outs.every((o) => o.endsWith('.out.ipynb'))).toBe(true);
    const ignored = spawnSync('git', ['check-ignore', '--no-index', ...outs], { cwd: ROOT, encoding: 'utf8' });
    expect(ignored.stdout.trim().split('\n').sort()).toEqual([...outs].sort());
    const inputs = SHIPPED.map((n) => path.join('notebooks', n));
    const kept = spawnSync('git', ['check-ignore', '--no-index', ...inputs], { cwd: ROOT, encoding: 'utf8' });
    expect(kept.stdout.trim()).toBe('');
  });
});
