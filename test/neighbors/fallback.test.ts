import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The same neighbour searches (tables of every WebAssembly path, the ranks mode, rank counts,
// cross queries, and the same with many points tied at the k-th distance) in child processes running the built package with the engine switches flipped:
// the relaxed-SIMD kernels, the plain WebAssembly kernels (DADALAB_WASM_FMA=0) and the plain
// JavaScript engines (DADALAB_WASM=0) must give the same bytes.
const root = join(__dirname, '..', '..');
const script = join(__dirname, 'fixtures', 'engine-results.cjs');
const fmaWasm = join(root, 'dist', 'wasm', 'knn-fma.wasm');

interface ChildResult {
  hash: string;
  kernels: (string | null)[];
  parts: Record<string, string>;
  refined: number[];
  fma: boolean;
  wasm: boolean;
  fmaBefore: boolean | null;
  fmaAfter: boolean | null;
  warnings: { category: string; message: string }[];
}

function run(env: Record<string, string>, nodeFlags: string[] = []): ChildResult {
  const out = execFileSync(process.execPath, [...nodeFlags, script], {
    env: { ...process.env, DADALAB_WASM: '', DADALAB_WASM_FMA: '', DADALAB_NATIVE: '', DADALAB_STRIPS: '', DADALAB_FUSED: '', ...env }, encoding: 'utf8', timeout: 240_000,
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as ChildResult;
}

/** Whether this runtime compiles the relaxed-SIMD kernels without any flag (Node >= 22). */
function fmaBuiltIn(): boolean {
  try {
    new WebAssembly.Module(readFileSync(fmaWasm));
    return true;
  } catch {
    return false;
  }
}

// dist/ is built by test/globalSetup.ts before any test, so this never skips
describe('engines in child processes (the built package)', () => {
  it('relaxed-SIMD kernels, plain kernels and plain JavaScript give the same bytes; only the JavaScript fallback warns, once', () => {
    // the relaxed-SIMD kernels: built into the runtime, or given V8's flag at start-up (Node 20)
    const fma = run({}, fmaBuiltIn() ? [] : ['--experimental-wasm-relaxed-simd']);
    const plain = run({ DADALAB_WASM_FMA: '0', DADALAB_NATIVE: '0' });
    const js = run({ DADALAB_WASM: '0' });
    expect(fma.wasm && fma.fma).toBe(true);
    expect(plain.wasm).toBe(true);
    expect(plain.fma).toBe(false);
    expect(plain.kernels).toEqual(['wasm', 'wasm']);
    expect(js.wasm).toBe(false);
    expect(plain.parts).toEqual(fma.parts);
    expect(js.parts).toEqual(fma.parts);
    expect(plain.hash).toBe(fma.hash);
    expect(js.hash).toBe(fma.hash);
    // the tie cases went through the second pass on the WebAssembly engine (the JavaScript engines have none)
    expect(fma.refined.length).toBe(16);
    expect(fma.refined.every((n) => n > 0)).toBe(true);
    expect(plain.refined.every((n) => n > 0)).toBe(true);
    expect(fma.warnings).toEqual([]);
    expect(plain.warnings).toEqual([]);
    expect(js.warnings).toHaveLength(1);
    expect(js.warnings[0].category).toBe('performance');
    expect(js.warnings[0].message).toContain('DADALAB_WASM=0');
    expect(js.warnings[0].message).toContain('plain JavaScript');
  }, 600_000);

  it('loading the kernels changes no V8 flag (a runtime without relaxed SIMD keeps the plain kernels)', () => {
    const r = run({});
    expect(r.fmaAfter).toBe(r.fmaBefore);
    expect(r.fma).toBe(r.fmaBefore);
  }, 300_000);
});

describe.runIf(existsSync(join(root, 'dist', 'native', 'knn.node')))('the optional native accelerator (built here: dist/native/knn.node)', () => {
  it('gives the same bytes as the WebAssembly kernels', () => {
    const native = run({});
    const wasm = run({ DADALAB_NATIVE: '0' });
    const avx2 = run({ DADALAB_NATIVE_AVX512: '0' }); // the AVX2 strip kernel where the CPU also has AVX-512
    expect(native.kernels).toEqual(['native', 'native']); // the tiles and the strips
    expect(avx2.hash).toBe(wasm.hash);
    expect(wasm.kernels[0]).not.toBe('native');
    expect(native.parts).toEqual(wasm.parts);
    expect(native.hash).toBe(wasm.hash);
    expect(native.refined.every((n) => n > 0) && avx2.refined.every((n) => n > 0)).toBe(true);
  }, 600_000);
});
