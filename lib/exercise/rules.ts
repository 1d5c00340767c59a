/**
 * What a check asks of an answer: rules that turn a student's value into a verdict with a specific
 * message ("your ID is 4.1; the points lie on a closed curve, a 1-D object; ..."). A rule is a
 * function of the value returning a Verdict; the builders below cover numbers (near, between),
 * equality and predicates, and take the teacher's feedback as text or as a function of the value.
 */
export interface Verdict {
  readonly passed: boolean;
  readonly message: string;
}

export type Rule = (value: any) => Verdict;

/** Feedback: fixed text, or text built from the student's value. */
export type Feedback = string | ((value: any) => string);

export function right(message = 'correct'): Verdict {
  return Object.freeze({ passed: true, message });
}

export function wrong(message: string): Verdict {
  return Object.freeze({ passed: false, message });
}

function say(f: Feedback | undefined, value: unknown, dflt: string): string {
  if (f === undefined) return dflt;
  return typeof f === 'function' ? f(value) : f;
}

/** A short description of any value, for messages ("a string", "undefined", "a Promise"). */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined (nothing was assigned)';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? formatNumber(v) : String(v);
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 30 ? v.slice(0, 27) + '...' : v)}`;
  if (typeof v === 'boolean') return String(v);
  if (typeof (v as { then?: unknown }).then === 'function') return 'a Promise (a computation not awaited)';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'function') return 'a function';
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** A number as a reader writes it: 3 significant digits, no trailing zeros. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(3)));
}

export interface NumberFeedback {
  /** What the number is, in messages ("your ID"); default "your answer". */
  what?: string;
  /** When the value is below the accepted range. */
  low?: Feedback;
  /** When the value is above the accepted range. */
  high?: Feedback;
  /** When it passes. */
  ok?: Feedback;
}

function numberRule(lo: number, hi: number, target: string, fb: NumberFeedback): Rule {
  const what = fb.what ?? 'your answer';
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const hint = typeof (v as { then?: unknown })?.then === 'function' ? ': put `await` before the call that computes it' : '';
      return wrong(`${what} should be a finite number; it is ${describeValue(v)}${hint}`);
    }
    if (v < lo) return wrong(say(fb.low, v, `${what} is ${formatNumber(v)}; it should be ${target}`));
    if (v > hi) return wrong(say(fb.high, v, `${what} is ${formatNumber(v)}; it should be ${target}`));
    return right(say(fb.ok, v, `${what} is ${formatNumber(v)}: right`));
  };
}

/** A number within `tolerance` of `expected`. */
export function near(expected: number, tolerance: number, feedback: NumberFeedback = {}): Rule {
  return numberRule(expected - tolerance, expected + tolerance, `about ${formatNumber(expected)} (± ${formatNumber(tolerance)})`, feedback);
}

/** A number in [lo, hi]. */
export function between(lo: number, hi: number, feedback: NumberFeedback = {}): Rule {
  return numberRule(lo, hi, `between ${formatNumber(lo)} and ${formatNumber(hi)}`, feedback);
}

/** Equal to `expected` (numbers, strings, booleans; arrays element by element). */
export function equals(expected: unknown, feedback: { otherwise?: Feedback; ok?: Feedback; what?: string } = {}): Rule {
  const what = feedback.what ?? 'your answer';
  const same = (a: unknown, b: unknown): boolean => {
    if (Array.isArray(a) || ArrayBuffer.isView(a)) {
      const x = Array.from(a as ArrayLike<unknown>);
      const y = Array.isArray(b) || ArrayBuffer.isView(b) ? Array.from(b as ArrayLike<unknown>) : null;
      return !!y && x.length === y.length && x.every((v, i) => same(v, y[i]));
    }
    return Object.is(a, b);
  };
  return (v) => same(v, expected)
    ? right(say(feedback.ok, v, `${what} is ${describeValue(v)}: right`))
    : wrong(say(feedback.otherwise, v, `${what} is ${describeValue(v)}; that is not it`));
}

/** Passes when `test(value)` is true. */
export function satisfies(test: (value: any) => boolean, otherwise: Feedback, ok: Feedback = 'right'): Rule {
  return (v) => (test(v) ? right(say(ok, v, 'right')) : wrong(say(otherwise, v, 'not right')));
}

/** Every rule, in order: the first failure is the verdict; when all pass, the last pass message. */
export function allOf(...rules: Rule[]): Rule {
  return (v) => {
    let last = right();
    for (const r of rules) {
      last = r(v);
      if (!last.passed) return last;
    }
    return last;
  };
}
