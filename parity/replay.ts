import { Matrix } from '../lib/matrix';
import { ReplayRng } from '../lib/stats/rng';
import { decodeValue, loadCase, loadInputs, type CaseStep, type ParityCase, type StoredValue } from './case';
import { compareValues, type Comparator } from './compare';
import { attributeGetter, classMap, comparatorFor, methodMap, snakeToCamel, unsupportedClassReason, type ClassMap, type StepContext } from './registry';
import './maps';

/** PASS / FAIL against the tolerance; N/I: not implemented here; INFO: compared by design without a verdict (e.g. unseeded p-values). */
export type Status = 'PASS' | 'FAIL' | 'N/I' | 'INFO';

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
  if (Array.isArray(v)) return v.map((x) => resolveValue(x, inputs));
  if (v && typeof v === 'object' && '$input' in (v as object)) {
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

function describeCall(step: CaseStep): string {
  if (step.python) return step.python.replace(/^\w+\s*=\s*/, '');
  if (step.op === 'init') return `${step.class ?? 'Data'}(...)`;
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

/** The object a step acts on, and its DADApy class. */
interface Current {
  obj: Record<string, unknown> | null;
  className: string;
  /** Why there is no object (its init failed or its class is not replayed). */
  missing?: { status: Status; detail: string };
}

/** Replays every step of a case in order and compares every recorded output. */
export async function replayCase(c: ParityCase): Promise<OutputResult[]> {
  const inputs = loadInputs(c) as Map<string, unknown>;
  const results: OutputResult[] = [];
  let cur: Current = { obj: null, className: 'Data', missing: { status: 'FAIL', detail: 'no init step before the first call' } };
  let history: string[] = [];
  for (let s = 0; s < c.steps.length; s++) {
    const step = c.steps[s];
    const call = describeCall(step);
    const method = step.op === 'init' ? 'init' : step.method ?? step.op;
    const push = (output: string, status: Status, err: number, tol: number | null, detail?: string) =>
      results.push({ caseName: c.case, stepIndex: s, method, call, output, status, err, tol, detail });
    const outputs: [string, StoredValue, 'returned' | 'attribute'][] = [
      ...Object.entries(step.returned ?? {}).map(([k, v]) => [k, v, 'returned'] as [string, StoredValue, 'returned']),
      ...Object.entries(step.attributes ?? {}).map(([k, v]) => [k, v, 'attribute'] as [string, StoredValue, 'attribute']),
    ];
    const labels = outputs.length ? outputs.map(([k]) => k) : [step.op === 'init' ? '(init)' : '(call)'];
    const ctx: StepContext = { caseName: c.case, className: step.op === 'init' ? step.class ?? 'Data' : cur.className, step, stepIndex: s, history: [...history], inputs };
    let ret: unknown;
    let replay: ReplayRng | null = null;
    if (step.op === 'init') {
      history = [];
      const className = step.class ?? 'Data';
      const unsupported = unsupportedClassReason(className);
      const map = classMap(className);
      if (unsupported || !map) {
        const detail = unsupported ?? `the replay has no mapping for DADApy's class ${className}`;
        cur = { obj: null, className, missing: { status: 'N/I', detail: `class ${className}: ${detail}` } };
        for (const l of labels) push(l, 'N/I', NaN, null, `class ${className}: ${detail}`);
        continue;
      }
      try {
        cur = { obj: createObject(step, inputs, map) as Record<string, unknown>, className };
      } catch (e) {
        cur = { obj: null, className, missing: { status: 'FAIL', detail: `no object (its init failed: ${(e as Error).message})` } };
        push('(init)', 'FAIL', Infinity, null, (e as Error).message);
        continue;
      }
      ret = cur.obj;
      if (step.rng_draws && step.rng_draws.length) {
        push('(rng draws)', 'FAIL', Infinity, null, `${step.rng_draws.length} random draws were recorded at init; ours draws none there`);
      }
      if (outputs.length === 0) continue;
    } else {
      if (step.op !== 'call' || !step.method) {
        for (const l of labels) push(l, 'N/I', NaN, null, `step op '${step.op}' is not replayed (the format has init and call)`);
        continue;
      }
      const map = methodMap(step.method, cur.className);
      const ours = map.name ?? snakeToCamel(step.method);
      const obj = cur.obj;
      if (!obj) {
        const m = cur.missing as NonNullable<Current['missing']>;
        for (const l of labels) push(l, m.status, m.status === 'FAIL' ? Infinity : NaN, null, m.detail);
        history.push(step.method);
        continue;
      }
      if (typeof obj[ours] !== 'function') {
        for (const l of labels) push(l, 'N/I', NaN, null, `${cur.className}.${ours} does not exist`);
        history.push(step.method);
        continue;
      }
      replay = step.rng_draws && step.rng_draws.length ? new ReplayRng(step.rng_draws) : null;
      const savedRng = obj.rng;
      try {
        if (replay) obj.rng = replay;
        const kw = resolveKwargs(step.kwargs, inputs);
        const args = map.args ? map.args(kw, ctx) : [camelKwargs(kw)];
        ret = await (obj[ours] as (...a: unknown[]) => unknown).apply(obj, args);
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
    }
    const map = step.op === 'init' ? {} as ReturnType<typeof methodMap> : methodMap(step.method as string, cur.className);
    const nReturned = Object.keys(step.returned ?? {}).length;
    for (const [name, stored, where] of outputs) {
      const cmp = comparatorFor(name, stored.dtype, ctx);
      let actual: unknown;
      try {
        actual = where === 'returned'
          ? readReturned(ret, name, nReturned, cur.obj, map.returned?.[name])
          : attributeGetter(name)(cur.obj);
      } catch (e) {
        push(name, 'FAIL', Infinity, tolOf(cmp), (e as Error).message);
        continue;
      }
      if (actual === undefined) {
        push(name, 'N/I', NaN, tolOf(cmp), where === 'attribute' ? `attribute ${snakeToCamel(name)} not set` : 'not returned');
        continue;
      }
      const r = compareValues(actual, decodeValue(stored), cmp);
      const status: Status = cmp.kind === 'informational' ? 'INFO' : r.pass ? 'PASS' : 'FAIL';
      push(name, status, r.err, tolOf(cmp), r.detail);
    }
  }
  return results;
}

/** Creates our object for an init step through its class mapping. */
function createObject(step: CaseStep, inputs: Map<string, unknown>, map: ClassMap): object {
  const kwargs = resolveKwargs(step.kwargs, inputs);
  const coordinates = step.coordinates !== undefined && step.coordinates !== null ? inputs.get(step.coordinates) : null;
  if (step.coordinates && coordinates === undefined) throw new Error(`init refers to unknown input '${step.coordinates}'`);
  const distances = step.distances !== undefined && step.distances !== null ? resolveDistances(step.distances, inputs) : undefined;
  return map.create({ coordinates, distances, kwargs });
}

/** An init's `distances`: an input name, a `$input`, or a pair of them ([distances, indices]); matrices as rows. */
function resolveDistances(d: unknown, inputs: Map<string, unknown>): unknown {
  const one = (x: unknown): unknown => {
    const v = typeof x === 'string' ? inputs.get(x) : resolveValue(x, inputs);
    if (typeof x === 'string' && v === undefined) throw new Error(`init refers to unknown input '${x}'`);
    return v instanceof Matrix ? v.toRows() : v;
  };
  if (Array.isArray(d) && d.length === 2 && d.every((x) => typeof x === 'string' || (x && typeof x === 'object' && '$input' in (x as object)))) {
    return [one(d[0]), one(d[1])];
  }
  return one(d);
}

export async function replayFile(file: string): Promise<OutputResult[]> {
  return replayCase(loadCase(file));
}

export function formatResult(r: OutputResult): string {
  const err = Number.isNaN(r.err) ? '-' : r.err === Infinity ? 'inf' : r.err.toExponential(1);
  const tol = r.tol === null ? '' : ` (tol ${r.tol.toExponential(0)})`;
  const status = r.status.padEnd(4);
  return `${status} ${r.caseName} #${r.stepIndex} ${r.call} -> ${r.output}: max err ${err}${tol}${r.detail ? ` [${r.detail}]` : ''}`;
}

export interface Summary {
  passed: number;
  failed: number;
  notImplemented: number;
  informational: number;
}

export function summarize(results: OutputResult[]): Summary {
  const s: Summary = { passed: 0, failed: 0, notImplemented: 0, informational: 0 };
  for (const r of results) {
    if (r.status === 'PASS') s.passed++;
    else if (r.status === 'FAIL') s.failed++;
    else if (r.status === 'INFO') s.informational++;
    else s.notImplemented++;
  }
  return s;
}

/** The summary line: `N passed, M failed, K not implemented, I informational`. */
export function summaryLine(s: Summary): string {
  return `${s.passed} passed, ${s.failed} failed, ${s.notImplemented} not implemented, ${s.informational} informational`;
}
