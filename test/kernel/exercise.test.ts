/**
 * The exercise kit: sheets with solution regions, the student version and the teacher's key,
 * checks with specific feedback and hints (pass/fail in the output metadata), per-cell seeded
 * generators, and `dadalab grade` on real kernels: the shipped exercises sheet graded against its
 * key, and a small sheet with a tampered, a crashing and a hanging submission.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { transformSource, makeVersion } from '../../kernel/exercise/sheet';
import { readNotebook, sourceText, type Notebook } from '../../kernel/notebook';
import { allOf, between, check, equals, exercise, exerciseRng, hint, near, satisfies, todo } from '../../lib/exercise';
import { CLI, DIST, NOTEBOOKS, requireBuilt, tempDir, spawnAsync } from './helpers';

const SHEET = path.join(NOTEBOOKS, 'exercises.ipynb');

describe('sheets: solution regions, the student version and the key', () => {
  it('replaces a line region by its stub lines, or by a placeholder; the key keeps the solution', () => {
    const src = 'const a = 1;\n  // BEGIN SOLUTION\n  //> const b: number = todo(\'b\');\n  const b = a + 1;\n  // END SOLUTION\nb';
    expect(transformSource(src, 'student').source).toBe("const a = 1;\n  const b: number = todo('b');\nb");
    expect(transformSource(src, 'teacher').source).toBe('const a = 1;\n  const b = a + 1;\nb');
    const bare = '// BEGIN SOLUTION\nconst x = 2;\n// END SOLUTION';
    expect(transformSource(bare, 'student').source).toBe('// YOUR CODE HERE\ntodo();');
  });

  it('replaces an inline region by todo(), and drops hidden checks from the student version only', () => {
    const src = "const answer = /* BEGIN SOLUTION */ 6 * 7 /* END SOLUTION */;\ncheck('q', answer, equals(42));\n// BEGIN HIDDEN CHECKS\ncheck('q', answer, near(42, 0));\n// END HIDDEN CHECKS";
    expect(transformSource(src, 'student').source).toBe("const answer = todo();\ncheck('q', answer, equals(42));");
    expect(transformSource(src, 'teacher').source).toBe("const answer = 6 * 7;\ncheck('q', answer, equals(42));\ncheck('q', answer, near(42, 0));");
  });

  it('refuses unbalanced regions, naming the cell and the line', () => {
    expect(() => transformSource('// BEGIN SOLUTION\nx', 'student', 'cell 4')).toThrow(/cell 4: the BEGIN SOLUTION on line 1 has no END SOLUTION/);
    expect(() => transformSource('x\n// END SOLUTION', 'student', 'cell 2')).toThrow(/cell 2: END SOLUTION on line 2 without a BEGIN SOLUTION/);
  });

  it('the shipped sheet: no solution in the student version, locked checks identical to the sheet\'s, a clean key', () => {
    const sheet = readNotebook(SHEET);
    const { notebook: student, summary } = makeVersion(sheet, 'student');
    const { notebook: key } = makeVersion(sheet, 'teacher');
    expect(summary.solutions).toBe(5);
    expect([...new Set(summary.exercises)]).toEqual(['circle-id', 'lattice', 'sheet-small', 'sheet-large', 'clusters-z', 'imbalance']);
    const code = (nb: Notebook) => nb.cells.filter((c) => c.cell_type === 'code');
    const studentText = code(student).map(sourceText).join('\n');
    const solutionCells = code(student).filter((c) => (c.metadata.dadalab as any)?.exercise?.role === 'solution').map(sourceText).join('\n');
    for (const solution of ['computeId2NN()).id', 'returnIdScalingGride({ rangeMax: 64 })', 'computeClusteringADP({ Z: 1.65 })', 'imbalance.imbXToY[0]']) {
      expect(solutionCells).not.toContain(solution);
    }
    expect(studentText).not.toMatch(/BEGIN SOLUTION|END SOLUTION|\/\/>/);
    expect(studentText.match(/todo\(/g)!.length).toBeGreaterThanOrEqual(9);
    const keyText = code(key).map(sourceText).join('\n');
    expect(keyText).not.toMatch(/BEGIN SOLUTION|END SOLUTION|\/\/>|todo\(/);
    // locked cells (setup and checks): the same source in both versions, tagged, read-only
    const locked = code(student).filter((c) => (c.metadata.dadalab as any)?.exercise?.role !== 'solution' && (c.metadata.dadalab as any)?.exercise);
    expect(locked.length).toBe(6);
    for (const c of locked) {
      const twin = code(key).find((k) => (k.metadata.dadalab as any)?.exercise?.key === (c.metadata.dadalab as any).exercise.key)!;
      expect(sourceText(c)).toBe(sourceText(twin));
      expect(c.metadata.editable).toBe(false);
    }
    expect(code(student).every((c) => (c.outputs ?? []).length === 0 && c.execution_count === null)).toBe(true);
  });

  it('`dadalab exercise student|teacher` writes the two versions, never over the sheet', async () => {
    requireBuilt();
    const dir = tempDir('dadalab-sheet-');
    const sheet = path.join(dir, 'sheet.ipynb');
    writeFileSync(sheet, readFileSync(SHEET));
    for (const version of ['student', 'teacher']) {
      const r = await spawnAsync(process.execPath, [CLI, 'exercise', version, sheet], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    const codeOf = (f: string) => readNotebook(path.join(dir, f)).cells.filter((c) => c.cell_type === 'code').map(sourceText).join('\n');
    expect(codeOf('sheet.student.ipynb')).toContain('todo(');
    expect(codeOf('sheet.key.ipynb')).not.toContain('todo(');
    const same = await spawnAsync(process.execPath, [CLI, 'exercise', 'student', sheet, '--out', sheet], { encoding: 'utf8' });
    expect(same.status).toBe(1);
    expect(same.stderr).toMatch(/is the sheet itself/);
    const bad = await spawnAsync(process.execPath, [CLI, 'exercise', 'pupil', sheet], { encoding: 'utf8' });
    expect(bad.stderr).toMatch(/unknown version.*dadalab exercise student/s);
  });
});

describe('checks and hints in the kernel', () => {
  const shown: Array<{ data: Record<string, unknown>; metadata: any }> = [];
  const hooks = { display: (b: { data: Record<string, unknown>; metadata: any }) => { shown.push(b); } };
  (globalThis as any).__dadalab_kernel__ = hooks;
  afterEach(() => { shown.length = 0; });

  it('a failing check gives the teacher\'s specific feedback and records the verdict in the metadata', () => {
    exercise('scale', { title: 'Scale', points: 2, hints: ['look at n2 = 64', 'the last entry of ids'] });
    check('scale', 4.1, between(1.8, 2.3, { what: 'your ID', high: (v) => `your ID is ${v}; the data lie on a 2-D surface; look at the scale at which you measured` }));
    expect(shown[0].data['text/plain']).toBe("✘ Scale: your ID is 4.1; the data lie on a 2-D surface; look at the scale at which you measured. Ask for a hint with hint('scale').");
    expect(shown[0].metadata.dadalab.check).toEqual({ exercise: 'scale', title: 'Scale', passed: false, points: 2, score: 0,
      message: 'your ID is 4.1; the data lie on a 2-D surface; look at the scale at which you measured', hints: 0 });
    expect(String(shown[0].data['text/html'])).toContain('dadalab-check');
  });

  it('hints come one at a time, are counted in the next check, and a passing check scores the points', () => {
    hint('scale');
    hint('scale');
    hint('scale');
    expect(shown.map((b) => b.metadata.dadalab.hint.index)).toEqual([1, 2, 2]);
    expect(shown[0].data['text/plain']).toBe("Hint 1 of 2 for Scale: look at n2 = 64 (hint('scale') again for the next)");
    expect(shown[1].data['text/plain']).toContain('(the last hint)');
    check('scale', 2.05, between(1.8, 2.3));
    expect(shown[3].metadata.dadalab.check).toMatchObject({ passed: true, score: 2, hints: 2 });
    expect(shown[3].data['text/plain']).toBe('✔ Scale: your answer is 2.05: right.');
  });

  it('says what is wrong with answers of the wrong kind, forgotten awaits and rules that throw', () => {
    exercise('n', { title: 'N' });
    check('n', undefined, near(1, 0.1));
    check('n', '1', near(1, 0.1));
    check('n', Promise.resolve(1), near(1, 0.1));
    check('n', null, (v: any) => equals(1)(v.length));
    check('n', [1, 2], allOf(satisfies((v) => v.length === 2, 'two values'), equals([1, 3], { otherwise: (v) => `you gave ${v}` })));
    const msgs = shown.map((b) => b.metadata.dadalab.check.message);
    expect(msgs[0]).toBe('your answer should be a finite number; it is undefined (nothing was assigned)');
    expect(msgs[1]).toBe('your answer should be a finite number; it is the string "1"');
    expect(msgs[2]).toMatch(/Promise.*put `await` before the call/);
    expect(msgs[3]).toMatch(/^checking your answer \(null\) failed: Cannot read properties of null/);
    expect(msgs[4]).toBe('you gave 1,2');
    expect(shown.every((b) => b.metadata.dadalab.check.passed === false)).toBe(true);
    expect(() => check('nope', 1, near(1, 1))).toThrow(/There is no exercise "nope" \(this sheet has: .*scale/);
    expect(() => todo('the ID of the circle')).toThrow(/Not done yet: the ID of the circle\. Replace todo\(\.\.\.\) with your code/);
  });

  it('per-cell generators: the same name gives the same draws, whatever ran before', () => {
    const a = exerciseRng('circle');
    const first = [a.random(), a.gauss(), a.uniform(2, 3)];
    exerciseRng('other').random();
    const b = exerciseRng('circle');
    expect([b.random(), b.gauss(), b.uniform(2, 3)]).toEqual(first);
    expect(exerciseRng('circle2').random()).not.toBe(first[0]);
  });
});

interface Row { student: string; exercise: string; points: string; score: string; passed: string; status: string; message: string }

function parseCsv(text: string): Row[] {
  const lines: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\n') { row.push(field); lines.push(row); row = []; field = ''; } else field += ch;
  }
  const [head, ...rest] = lines;
  return rest.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])) as unknown as Row);
}

describe('dadalab grade', () => {
  it('grades a small sheet: full marks, a tampered check, a crash and a hang each score what they reached', async () => {
    requireBuilt();
    const dir = tempDir('dadalab-grade-');
    const cell = (source: string) => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source });
    const sheet = {
      nbformat: 4, nbformat_minor: 5, metadata: {},
      cells: [
        { cell_type: 'markdown', metadata: {}, source: '# A small sheet' },
        cell("exercise('a', { title: 'A', points: 1, hints: ['6 times 7'] });\nexercise('b', { title: 'B', points: 2 });\nexercise('c', { title: 'C', points: 3 });"),
        cell('const a = /* BEGIN SOLUTION */ 6 * 7 /* END SOLUTION */;'),
        cell("check('a', a, equals(42))"),
        cell('// BEGIN SOLUTION\nconst b = exerciseRng(\'b\').random();\n// END SOLUTION'),
        cell("check('b', b, equals(exerciseRng('b').random()))"),
        cell('const c = /* BEGIN SOLUTION */ [1, 2, 3].length /* END SOLUTION */;'),
        cell("check('c', c, equals(3))\n// BEGIN HIDDEN CHECKS\ncheck('c', c, satisfies((v) => Number.isInteger(v), 'a whole number'))\n// END HIDDEN CHECKS"),
      ],
    };
    const sheetFile = path.join(dir, 'sheet.ipynb');
    writeFileSync(sheetFile, JSON.stringify(sheet));
    const { notebook: key } = makeVersion(sheet as Notebook, 'teacher');
    const { notebook: student } = makeVersion(sheet as Notebook, 'student');
    const subs = path.join(dir, 'submissions');
    mkdirSync(path.join(subs, 'frank'), { recursive: true });
    const save = (name: string, nb: Notebook) => writeFileSync(path.join(subs, name), JSON.stringify(nb));
    const edit = (nb: Notebook, index: number, source: string) => {
      const copy: Notebook = JSON.parse(JSON.stringify(nb));
      copy.cells[index].source = source;
      return copy;
    };
    const insertAfter = (nb: Notebook, index: number, source: string) => {
      const copy: Notebook = JSON.parse(JSON.stringify(nb));
      copy.cells.splice(index + 1, 0, cell(source) as any);
      return copy;
    };
    save('alice.ipynb', key);
    save('bob.ipynb', student);
    // carol: a right answer for a, a wrong b, and the check of b edited to pass anything (the key's is used)
    save('carol.ipynb', edit(edit(edit(student, 2, 'const a = 42;'), 4, 'const b = 0.5;'), 5, "check('b', b, satisfies(() => true, ''))"));
    // dave: the kernel dies after exercise a
    save('dave.ipynb', insertAfter(key, 3, 'process.exit(3)'));
    // erin: a cell that cannot be interrupted (blocked in a child process) after exercise b
    save('erin.ipynb', insertAfter(key, 5, "require('node:child_process').execSync('sleep 30')"));
    // frank: in a folder of his own, an answer that is a forgotten promise
    writeFileSync(path.join(subs, 'frank', 'my-work.ipynb'), JSON.stringify(edit(key, 2, 'const a: any = Promise.resolve(42);')));

    const { gradeSubmissions } = require(path.join(DIST, 'kernel', 'exercise', 'grade.js'));
    const report = await gradeSubmissions(subs, { key: sheetFile, timeout: 10 });
    expect(report.exercises).toEqual([{ exercise: 'a', title: 'A', points: 1 }, { exercise: 'b', title: 'B', points: 2 }, { exercise: 'c', title: 'C', points: 3 }]);
    expect(report.key.total).toBe(6);
    const by = Object.fromEntries(report.submissions.map((s: any) => [s.student, s]));
    expect(Object.keys(by).sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
    expect([by.alice.total, by.alice.status]).toEqual([6, 'complete']);
    expect([by.bob.total, by.bob.status]).toEqual([0, 'complete']);
    expect(by.bob.errors.length).toBeGreaterThanOrEqual(3);
    expect(by.carol.total).toBe(1);
    expect(by.carol.scores.find((x: any) => x.exercise === 'b').message).toBe('your answer is 0.5; that is not it');
    expect(by.dave.total).toBe(1);
    expect(by.dave.status).toMatch(/^crashed at cell 5: The kernel died/);
    expect(by.erin.total).toBe(3);
    expect(by.erin.status).toMatch(/^timed out at cell 7/);
    expect(by.erin.scores.find((x: any) => x.exercise === 'c').message).toBe('not checked (the check did not run)');
    expect(by.frank.total).toBe(5);
    expect(by.frank.scores.find((x: any) => x.exercise === 'a').message).toMatch(/Promise/);
    // the CSV: one row per student and exercise; the summary per student and per exercise
    const rows = parseCsv(readFileSync(path.join(subs, 'graded', 'grades.csv'), 'utf8'));
    expect(rows.length).toBe(18);
    expect(rows.filter((r) => r.student === 'erin').map((r) => r.score)).toEqual(['1', '2', '0']);
    const summary = readFileSync(path.join(subs, 'graded', 'summary.md'), 'utf8');
    expect(summary).toContain('| dave | 1/6 | crashed at cell 5');
    expect(summary).toMatch(/\| a \(A\) \| 1 \| 4\/6 \|/);
    expect(summary).toMatch(/\| c \(C\) \| 3 \| 2\/6 \|/);
    // the executed submissions are kept for the teacher
    expect(JSON.parse(readFileSync(path.join(subs, 'graded', 'carol.ipynb'), 'utf8')).cells[5].source.join('')).toContain('equals(exerciseRng');
  }, 300_000);

  it('grades the shipped exercises sheet: its key scores full marks, the untouched student version nothing', async () => {
    requireBuilt();
    const dir = tempDir('dadalab-grade-sheet-');
    const subs = path.join(dir, 'submissions');
    mkdirSync(subs);
    const sheet = readNotebook(SHEET);
    writeFileSync(path.join(subs, 'key.ipynb'), JSON.stringify(makeVersion(sheet, 'teacher').notebook));
    writeFileSync(path.join(subs, 'blank.ipynb'), JSON.stringify(makeVersion(sheet, 'student').notebook));
    const r = await spawnAsync(process.execPath, [CLI, 'grade', subs, '--key', SHEET, '--timeout', '300', '--out', path.join(dir, 'graded')],
      { cwd: NOTEBOOKS, encoding: 'utf8', timeout: 600_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| key \| 9\/9 \| complete \|/);
    expect(r.stdout).toMatch(/\| blank \| 0\/9 \| complete \|/);
    const rows = parseCsv(readFileSync(path.join(dir, 'graded', 'grades.csv'), 'utf8'));
    expect(rows.filter((x) => x.student === 'key').every((x) => x.passed === 'true')).toBe(true);
    expect(rows.filter((x) => x.student === 'blank').every((x) => x.passed === 'false')).toBe(true);
  }, 600_000);
});
