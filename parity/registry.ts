import type { Comparator } from './compare';
import type { CaseStep } from './case';

/** What the replay knows about the object and step being replayed. */
export interface StepContext {
  caseName: string;
  /** The DADApy class of the object the step acts on. */
  className?: string;
  step: CaseStep;
  stepIndex: number;
  /** DADApy methods already called on this object, in order. */
  history: string[];
  /** The input arrays of the case, by key. */
  inputs: Map<string, unknown>;
}

/** How one DADApy method maps onto ours. Everything is optional: the defaults are the conventions. */
export interface MethodMap {
  /** Our method name on Data (default: DADApy's in camelCase, e.g. compute_id_2NN -> computeId2NN). */
  name?: string;
  /** Builds our call's arguments from DADApy's kwargs (default: one options object, keys in camelCase). */
  args?: (kwargs: Record<string, unknown>, ctx: StepContext) => unknown[];
  /** Reads a named output from our return value (default: ret[camel(name)], or ret itself for a single output). */
  returned?: Record<string, (ret: any, obj: any) => unknown>;
  /** The comparator of an output (default: see defaultComparator). */
  compare?: (output: string, ctx: StepContext) => Comparator | undefined;
}

/** How a DADApy class maps onto ours: builds our object from the init step. */
export interface ClassMap {
  /**
   * Our object for the init step: `coordinates` (the input the step names, or null), `distances`
   * (resolved, or undefined), `kwargs` (DADApy's constructor keywords, `$input`s resolved, keys as
   * DADApy wrote them).
   */
  create: (init: { coordinates: unknown; distances: unknown; kwargs: Record<string, unknown> }) => object;
}

const classes = new Map<string, ClassMap>();

/** Declares how one or more DADApy classes are created (parity/maps/*.ts). */
export function registerClass(names: string | string[], map: ClassMap): void {
  for (const n of Array.isArray(names) ? names : [names]) classes.set(n, map);
}
export function classMap(name: string): ClassMap | undefined {
  return classes.get(name);
}

/**
 * DADApy classes the replay does not create, with the reason (reported as not implemented, the
 * reason shown): classes that need JAX in DADApy, whose numbers are float32 and depend on JAX's
 * generator.
 */
const unsupported = new Map<string, string>();
export function registerUnsupportedClass(names: string[], reason: string): void {
  for (const n of names) unsupported.set(n, reason);
}
export function unsupportedClassReason(name: string): string | undefined {
  return unsupported.get(name);
}

const methods = new Map<string, MethodMap>();
const attributes = new Map<string, string | ((obj: any) => unknown)>();
const comparators: ((output: string, ctx: StepContext) => Comparator | undefined)[] = [];
const complete = new Set<string>();

/**
 * Declares DADApy methods as landed: `npm test` then requires every output of them, in every
 * case, to be implemented and to pass (for the others, not-implemented is allowed, FAIL never).
 */
export function registerComplete(names: string[]): void {
  for (const n of names) complete.add(n);
}
export function completeMethods(): ReadonlySet<string> {
  return complete;
}

/** Method mappings by DADApy name, or 'Class.method' for one class only (consulted first). */
export function registerMethods(map: Record<string, MethodMap>): void {
  for (const [k, v] of Object.entries(map)) methods.set(k, v);
}
/** DADApy attribute name -> our property name or a getter. */
export function registerAttributes(map: Record<string, string | ((obj: any) => unknown)>): void {
  for (const [k, v] of Object.entries(map)) attributes.set(k, v);
}
/** A comparator rule consulted before the defaults (first match wins). */
export function registerComparator(rule: (output: string, ctx: StepContext) => Comparator | undefined): void {
  comparators.push(rule);
}

export function methodMap(name: string, className?: string): MethodMap {
  return (className ? methods.get(`${className}.${name}`) : undefined) ?? methods.get(name) ?? {};
}
export function attributeGetter(name: string): (obj: any) => unknown {
  const a = attributes.get(name);
  if (typeof a === 'function') return a;
  const prop = a ?? snakeToCamel(name);
  return (obj) => obj[prop];
}

/** compute_id_2NN -> computeId2NN, log_den_err -> logDenErr, mu_fraction -> muFraction, Z -> Z. */
export function snakeToCamel(s: string): string {
  const parts = s.split('_').filter((p) => p.length > 0);
  if (parts.length === 0) return s;
  return parts[0] + parts.slice(1).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

export function comparatorFor(output: string, dtype: string, ctx: StepContext): Comparator {
  const m = methodMap(ctx.step.method ?? '', ctx.className);
  const fromMethod = m.compare?.(output, ctx);
  if (fromMethod) return fromMethod;
  for (const rule of comparators) {
    const c = rule(output, ctx);
    if (c) return c;
  }
  if (/int|bool|str|unicode|object|<U|^U/i.test(dtype)) return { kind: 'exact' };
  return { kind: 'numeric', rtol: 1e-9 };
}
