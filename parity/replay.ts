import { Data } from '../lib/data';
import { Matrix } from '../lib/matrix';
import { ReplayRng } from '../lib/stats/rng';
import { decodeValue, loadCase, loadInputs, type CaseStep, type ParityCase, type StoredValue } from './case';
import { compareValues, type Comparator } from './compare';
import { attributeGetter, comparatorFor, methodMap, snakeToCamel, type StepContext } from './registry';
import './maps';

export type Status = 'PASS' | 'FAIL' | 'N/I';

/** One compared output: a line of the report. */
export interface OutputResult {
  caseName: string;
  stepIndex: number;
  /** DADApy's method name ('init' for object creation). */
  method: string;
  call: string;
  output: string;
  status: Status;
  err: number;
  tol: number | null;
  detail?: string;
}

/** Keyword arguments of a DADApy call as our options: `$input` references resolved, keys in camelCase. */
export function resolveKwargs(kwargs: Record<string, unknown> | undefined, inputs: Map<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs ?? {})) out[k] = resolveValue(v, inputs);
  return out;
}

function resolveValue(v: unknown, inputs: Map<string, unknown>): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && '$input' in (v as object)) {
    const key = (v as { $input: string }).$input;
    if (!inputs.has(key)) throw new Error(`kwarg refers to unknown input '${key}'`);
    return inputs.get(key);
  }
  return v;
}

export function camelKwargs(kw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kw)) out[snakeToCamel(k)] = v;
  return out;
}

/** DADApy's n_jobs / working_memory / verbose do not change any number: dropped. */
const IGNORED_INIT = new Set(['n_jobs', 'working_memory', 'verbose', 'rng_seed']);

function createObject(step: CaseStep, inputs: Map<string, unknown>): Data {
  if (step.class && step.class !== 'Data') throw new Error(`class ${step.class} is not supported by the replay`);
  const kw = resolveKwargs(step.kwargs, inputs);
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kw)) if (!IGNORED_INIT.has(k)) opts[snakeToCamel(k)] = v;
  if (typeof kw.rng_seed === 'number') opts.rng = kw.rng_seed;
  const coords = step.coordinates !== undefined && step.coordinates !== null ? inputs.get(step.coordinates) : null;
  if (step.coordinates && coords === undefined) throw new Error(`init refers to unknown input '${step.coordinates}'`);
  if (step.distances !== undefined && step.distances !== null) {
    const d = resolveValue(step.distances, inputs);
    opts.distances = d;
  }
  return new Data((coords as Matrix | null) ?? null, opts);
}

function describeCall(step: CaseStep): string {
  if (step.python) return step.python.replace(/^\w+\s*=\s*/, '');
  return `${step.method}(${Object.entries(step.kwargs ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})`;
}

function readReturned(ret: unknown, name: string, count: number, obj: unknown, getter?: (ret: any, obj: any) => unknown): unknown {
  if (getter) return getter(ret, obj);
  if (ret !== null && typeof ret === 'object' && !ArrayBuffer.isView(ret) && !Array.isArray(ret)) {
    const camel = snakeToCamel(name);
    if (camel in (ret as object)) return (ret as Record<string, unknown>)[camel];
    if (name in (ret as object)) return (ret as Record<string, unknown>)[name];
    if (count === 1 && 'value' in (ret as object)) return (ret as Record<string, unknown>).value;
    throw new Error(`our result has no '${camel}' (it has ${Object.keys(ret as object).join(', ')})`);
  }
  if (count === 1) return ret;
  throw new Error(`our result is not an object with the ${count} named outputs`);
}

function tolOf(c: Comparator): number | null {
  return c.kind === 'numeric' || c.kind === 'informational' ? c.rtol : null;
}

/** Replays every step of a case in order and compares every recorded output. */
export async function replayCase(c: ParityCase): Promise<OutputResult[]> {
  const inputs = loadInputs(c) as Map<string, unknown>;
  const results: OutputResult[] = [];
  let obj: Data | null = null;
  let history: string[] = [];
  for (let s = 0; s < c.steps.length; s++) {
    const step = c.steps[s];
    const call = describeCall(step);
    const push = (output: string, status: Status, err: number, tol: number | null, detail?: string) =>
      results.push({ caseName: c.case, stepIndex: s, method: step.method ?? step.op, call, output, status, err, tol, detail });
    if (step.op === 'init') {
      try {
        obj = createObject(step, inputs);
      } catch (e) {
        obj = null;
        push('(init)', 'FAIL', Infinity, null, (e as Error).message);
      }
      history = [];
      continue;
    }
    if (step.op !== 'call' || !step.method) {
      push('(step)', 'FAIL', Infinity, null, `unknown step op '${step.op}'`);
      continue;
    }
    const outputs: [string, StoredValue, 'returned' | 'attribute'][] = [
      ...Object.entries(step.returned ?? {}).map(([k, v]) => [k, v, 'returned'] as [string, StoredValue, 'returned']),
      ...Object.entries(step.attributes ?? {}).map(([k, v]) => [k, v, 'attribute'] as [string, StoredValue, 'attribute']),
    ];
    const labels = outputs.length ? outputs.map(([k]) => k) : ['(call)'];
    const map = methodMap(step.method);
    const ours = map.name ?? snakeToCamel(step.method);
    if (!obj) {
      for (const l of labels) push(l, 'FAIL', Infinity, null, 'no object (its init failed)');
      continue;
    }
    if (typeof (obj as unknown as Record<string, unknown>)[ours] !== 'function') {
      for (const l of labels) push(l, 'N/I', NaN, null, `Data.${ours} does not exist`);
      history.push(step.method);
      continue;
    }
    const ctx: StepContext = { caseName: c.case, step, stepIndex: s, history: [...history], inputs };
    let ret: unknown;
    const replay = step.rng_draws && step.rng_draws.length ? new ReplayRng(step.rng_draws) : null;
    const savedRng = obj.rng;
    try {
      if (replay) obj.rng = replay;
      const kw = resolveKwargs(step.kwargs, inputs);
      const args = map.args ? map.args(kw, ctx) : [camelKwargs(kw)];
      ret = await (obj as unknown as Record<string, (...a: unknown[]) => unknown>)[ours](...args);
    } catch (e) {
      for (const l of labels) push(l, 'FAIL', Infinity, null, `threw: ${(e as Error).message}`);
      history.push(step.method);
      obj.rng = savedRng;
      continue;
    } finally {
      if (replay) obj.rng = savedRng;
    }
    history.push(step.method);
    if (replay && replay.remaining > 0) {
      push('(rng draws)', 'FAIL', Infinity, null, `${replay.remaining} recorded random draws were not used`);
    }
    const nReturned = Object.keys(step.returned ?? {}).length;
    for (const [name, stored, where] of outputs) {
      const cmp = comparatorFor(name, stored.dtype, ctx);
      let actual: unknown;
      try {
        actual = where === 'returned'
          ? readReturned(ret, name, nReturned, obj, map.returned?.[name])
          : attributeGetter(name)(obj);
      } catch (e) {
        push(name, 'FAIL', Infinity, tolOf(cmp), (e as Error).message);
        continue;
      }
      if (actual === undefined) {
        push(name, 'N/I', NaN, tolOf(cmp), where === 'attribute' ? `attribute ${snakeToCamel(name)} not set` : 'not returned');
        continue;
      }
      const r = compareValues(actual, decodeValue(stored), cmp);
      push(name, r.pass ? 'PASS' : 'FAIL', r.err, tolOf(cmp), r.detail);
    }
  }
  return results;
}

export async function replayFile(file: string): Promise<OutputResult[]> {
  return replayCase(loadCase(file));
}

export function formatResult(r: OutputResult): string {
  const err = Number.isNaN(r.err) ? '-' : r.err === Infinity ? 'inf' : r.err.toExponential(1);
  const tol = r.tol === null ? '' : ` (tol ${r.tol.toExponential(0)})`;
  const status = r.status.padEnd(4);
  return `${status} ${r.caseName} #${r.stepIndex} ${r.call} -> ${r.output}: max rel err ${err}${tol}${r.detail ? ` [${r.detail}]` : ''}`;
}

export function summarize(results: OutputResult[]): { passed: number; failed: number; notImplemented: number } {
  let passed = 0, failed = 0, notImplemented = 0;
  for (const r of results) {
    if (r.status === 'PASS') passed++;
    else if (r.status === 'FAIL') failed++;
    else notImplemented++;
  }
  return { passed, failed, notImplemented };
}
