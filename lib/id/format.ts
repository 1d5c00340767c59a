/** Numbers for summaries: 3 significant digits, no trailing zeros ("6.3", "0.214", "1.2e-5"). */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(3)));
}
