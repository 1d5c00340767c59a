import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { clearFilesRead, filesRead } from '../../lib/runtime/provenance';
import { loadData } from '../../lib/io/load';
import { loadCsv } from '../../lib/io/csv';
import { tempDir } from '../kernel/helpers';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('provenance: the files the loaders read', () => {
  beforeEach(() => clearFilesRead());

  it('lists each file once with the SHA-256 of its bytes on disk (gzipped as stored)', () => {
    const fig1 = path.resolve(__dirname, '..', '..', 'data', 'Fig1.dat.gz');
    loadData(fig1);
    loadData(fig1);
    const reads = filesRead();
    expect(reads.length).toBe(1);
    expect(reads[0].sha256).toBe(sha(fig1));
    expect(reads[0].bytes).toBe(readFileSync(fig1).length);
    expect(reads[0].path).toBe(path.relative(process.cwd(), fig1));
  });

  it('a file changed between two reads is listed twice; a file in the temporary folder is named $TMPDIR/<name>', () => {
    const dir = tempDir('dadalab-prov-');
    const f = path.join(dir, 'x.csv');
    writeFileSync(f, 'a,b\n1,2\n3,4\n');
    const first = sha(f);
    loadCsv(f);
    writeFileSync(f, 'a,b\n1,2\n3,5\n');
    loadCsv(f);
    expect(first).not.toBe(sha(f));
    expect(filesRead().map((r) => [r.path, r.sha256])).toEqual([['$TMPDIR/x.csv', first], ['$TMPDIR/x.csv', sha(f)]]);
  });
});
