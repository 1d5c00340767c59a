/**
 * Three Roessler systems, system k driven through its x variable by system drivers[k] (default a
 * chain 0 -> 1 -> 2; -1: not driven), integrated with RK4. Columns 3s..3s+2 are system s's (x, y, z).
 */
export function roesslerChain(opts: { steps?: number; dt?: number; every?: number; eps?: number; transient?: number; drivers?: number[] } = {}): { data: Float64Array; T: number; D: number } {
  const dt = opts.dt ?? 0.05, every = opts.every ?? 4, eps = opts.eps ?? 0.1;
  const steps = opts.steps ?? 1500, transient = opts.transient ?? 1000;
  const drivers = opts.drivers ?? [-1, 0, 1];
  const om = [1.015, 0.985, 0.95], a = 0.15, b = 0.2, c = 10;
  const f = (s: Float64Array, out: Float64Array) => {
    for (let k = 0; k < 3; k++) {
      const x = s[3 * k], y = s[3 * k + 1], z = s[3 * k + 2];
      const drive = drivers[k] < 0 ? 0 : eps * (s[3 * drivers[k]] - x);
      out[3 * k] = -om[k] * y - z + drive;
      out[3 * k + 1] = om[k] * x + a * y;
      out[3 * k + 2] = b + z * (x - c);
    }
  };
  let s = Float64Array.from([1, 0, 0, 0.5, 0.2, 0, -0.3, 0.4, 0]);
  const k1 = new Float64Array(9), k2 = new Float64Array(9), k3 = new Float64Array(9), k4 = new Float64Array(9), tmp = new Float64Array(9);
  const T = steps, data = new Float64Array(T * 9);
  let t = 0;
  for (let it = 0; it < transient + T * every; it++) {
    f(s, k1);
    for (let i = 0; i < 9; i++) tmp[i] = s[i] + 0.5 * dt * k1[i];
    f(tmp, k2);
    for (let i = 0; i < 9; i++) tmp[i] = s[i] + 0.5 * dt * k2[i];
    f(tmp, k3);
    for (let i = 0; i < 9; i++) tmp[i] = s[i] + dt * k3[i];
    f(tmp, k4);
    const ns = new Float64Array(9);
    for (let i = 0; i < 9; i++) ns[i] = s[i] + (dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    s = ns;
    if (it >= transient && (it - transient) % every === 0 && t < T) data.set(s, 9 * t++);
  }
  return { data, T, D: 9 };
}
