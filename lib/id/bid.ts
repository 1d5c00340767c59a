import { checkOptionKeys, optionKeys } from '../options';
import { InputError } from '../errors';
import { asMatrix, type MatrixLike } from '../matrix';
import { nelderMead } from '../stats/neldermead';
import type { Rng } from '../stats/rng';
import { lgamma } from '../stats/special';
import type { Chart } from '../../widgets/chart';
import { fmt } from './format';
import { Chart as ChartClass } from '../../widgets/chart';

/**
 * The binary intrinsic dimension, BID (Acevedo et al.; DADApy's hamming.BID): the Hamming
 * distance r between two bit strings is modelled as P(r) ∝ C(d(r), r) / 2^d(r) with
 * d(r) = d0 + d1 r (independent random bits of length L give d0 = L, d1 = 0), fitted to the
 * empirical histogram of r up to its alphamax quantile by minimising the KL divergence.
 */
export interface HammingHistogram {
  /** Distinct distances r, ascending. */
  readonly values: Int32Array;
  readonly counts: Float64Array;
  readonly probs: Float64Array;
  /** Bits per string. */
  readonly L: number;
}

/**
 * The histogram of Hamming distances over all pairs a < b of the rows (entries ±1, as DADApy
 * asserts, or 0/1). Pairs at distance 0 (duplicate strings) are kept as DADApy keeps them.
 */
export function hammingHistogram(X: MatrixLike): HammingHistogram {
  const M = asMatrix(X);
  const N = M.rows, L = M.cols, x = M.data;
  let pm = true, zo = true;
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== 1 && x[i] !== -1) pm = false;
    if (x[i] !== 0 && x[i] !== 1) zo = false;
  }
  if (!pm && !zo) throw new InputError('BID needs spins (every entry +1 or -1) or bits (0 or 1)', 'Binarise the data first, e.g. x > 0 ? 1 : -1');
  const counts = new Float64Array(L + 1);
  for (let a = 0; a < N; a++) for (let b = a + 1; b < N; b++) {
    let r = 0;
    for (let t = 0; t < L; t++) if (x[a * L + t] !== x[b * L + t]) r++;
    counts[r]++;
  }
  const vals: number[] = [], cs: number[] = [];
  for (let r = 0; r <= L; r++) if (counts[r] > 0) { vals.push(r); cs.push(counts[r]); }
  const tot = cs.reduce((s, v) => s + v, 0);
  return Object.freeze({ values: Int32Array.from(vals), counts: Float64Array.from(cs), probs: Float64Array.from(cs, (c) => c / tot), L });
}

/** DADApy's set_r_quantile: the last index whose cumulative probability (rounded to 10 decimals) is <= alpha (0 if none). */
export function quantileIndex(probs: ArrayLike<number>, alpha: number): number {
  const round10 = (v: number) => Math.round(v * 1e10) / 1e10;
  const a = round10(alpha);
  let c = 0, idx = 0;
  for (let i = 0; i < probs.length; i++) {
    c += round10(probs[i]);
    if (c <= a + 1e-15) idx = i;
  }
  return idx;
}

/** log of the normalised model probabilities over r: P ∝ exp(lnΓ(d+1) − lnΓ(r+1) − lnΓ(d−r+1) − d ln 2), d = d0 + d1 r. */
export function bidModel(r: ArrayLike<number>, d0: number, d1: number): Float64Array {
  const lp = Float64Array.from(r, (rv) => { const d = d0 + d1 * rv; return lgamma(d + 1) - lgamma(rv + 1) - lgamma(d - rv + 1) - d * Math.LN2; });
  let m = -Infinity;
  for (const v of lp) m = Math.max(m, v);
  let s = 0;
  for (const v of lp) s += Math.exp(v - m);
  return Float64Array.from(lp, (v) => Math.exp(v - m) / s);
}

function kl(pEmp: Float64Array, pModel: Float64Array): number {
  let s = 0;
  for (let i = 0; i < pEmp.length; i++) if (pEmp[i] > 0) s += pEmp[i] * Math.log(pEmp[i] / pModel[i]);
  return s;
}

export interface BidOptions {
  alphamin?: number;
  /** The fit uses distances up to this quantile of the histogram (DADApy's 0.2). */
  alphamax?: number;
  /** Also try d0 = L (0.05, 0.1, ..., 0.95) with d1 = 2 - d0 / mean r as starting points (DADApy's L). */
  L?: number;
  /**
   * 'nelder-mead' (default, deterministic) or 'random' (DADApy's greedy multiplicative random
   * search: nSteps proposals d (1 + delta (u - 1/2)), kept when the KL does not grow; needs rng).
   */
  optimizer?: 'nelder-mead' | 'random';
  rng?: Rng;
  nSteps?: number;
  delta?: number;
}
const BID_KEYS = optionKeys<BidOptions>({ alphamin: 1, alphamax: 1, L: 1, optimizer: 1, rng: 1, nSteps: 1, delta: 1 });

export interface BidResult {
  /** The BID, d0. */
  readonly id: number;
  readonly d0: number;
  readonly d1: number;
  readonly logKL: number;
  readonly rEmp: Int32Array;
  readonly pEmp: Float64Array;
  readonly pModel: Float64Array;
  summary(): string;
  /** Empirical and fitted distributions of the Hamming distance. */
  plot(): Chart;
}

/** Fits the BID to a Hamming-distance histogram (DADApy's BID.computeBID, with a deterministic optimiser by default). */
export function bid(h: HammingHistogram, opts: BidOptions = {}): BidResult {
  checkOptionKeys(opts, BID_KEYS, 'bid');
  const alphamin = opts.alphamin ?? 0, alphamax = opts.alphamax ?? 0.2;
  if (!(alphamax > alphamin && alphamax <= 1)) throw new InputError(`Need 0 <= alphamin < alphamax <= 1, got ${alphamin}, ${alphamax}`, 'Pass e.g. alphamax = 0.2');
  const idmin = Math.abs(alphamin) < 1e-9 ? 0 : quantileIndex(h.probs, alphamin);
  const idmax = quantileIndex(h.probs, alphamax);
  if (idmax - idmin < 1) throw new InputError(`Only ${idmax - idmin + 1} distinct distance(s) below the alphamax quantile`, 'Increase alphamax');
  const rEmp = h.values.slice(idmin, idmax + 1);
  const pRaw = h.probs.slice(idmin, idmax + 1);
  const tot = pRaw.reduce((s, v) => s + v, 0);
  const pEmp = Float64Array.from(pRaw, (v) => v / tot);
  let meanAll = 0;
  for (let i = 0; i < h.values.length; i++) meanAll += h.values[i] * h.probs[i];
  const f = (d0: number, d1: number) => kl(pEmp, bidModel(rEmp, d0, d1));
  // initial condition as DADApy
  const cands: [number, number][] = [[rEmp[rEmp.length - 1], 1]];
  if (opts.L) for (let t = 0.05; t <= 0.95 + 1e-7; t += 0.05) { const d0 = opts.L * t; cands.push([d0, 2 - d0 / meanAll]); }
  let best = cands[0], bestKL = Infinity;
  for (const c of cands) {
    const v = Math.log(f(c[0], c[1]));
    if (Number.isFinite(v) && v < bestKL) { bestKL = v; best = c; }
  }
  let d0 = best[0], d1 = best[1];
  if ((opts.optimizer ?? 'nelder-mead') === 'random') {
    if (!opts.rng) throw new InputError("optimizer 'random' needs an rng", 'Pass rng: new SeededRng(seed)');
    const delta = opts.delta ?? 5e-4, steps = opts.nSteps ?? 100000;
    let cur = f(d0, d1);
    for (let s = 0; s < steps; s++) {
      const n0 = d0 * (1 + delta * (opts.rng.random() - 0.5)), n1 = d1 * (1 + delta * (opts.rng.random() - 0.5));
      const v = f(n0, n1);
      if (v <= cur) { cur = v; d0 = n0; d1 = n1; }
    }
  } else {
    const obj = (p: number[]) => { const v = f(p[0], p[1]); return Number.isFinite(v) ? v : 1e300; };
    const r = nelderMead(obj, [d0, d1], { step: [0.05 * Math.max(1, Math.abs(d0)), 0.05 * Math.max(0.1, Math.abs(d1))], xtol: 1e-10, ftol: 1e-16, maxIter: 5000 });
    [d0, d1] = r.x;
  }
  const pModel = bidModel(rEmp, d0, d1);
  const logKL = Math.log(kl(pEmp, pModel));
  const res: BidResult = {
    id: d0, d0, d1, logKL, rEmp, pEmp, pModel,
    summary: () => `BID ${fmt(d0)} (slope d1 = ${fmt(d1)}, log KL ${fmt(logKL)}, distances up to r = ${rEmp[rEmp.length - 1]})`,
    plot: () => {
      const values: object[] = [];
      for (let i = 0; i < rEmp.length; i++) {
        values.push({ r: rEmp[i], P: Number(pEmp[i].toPrecision(6)), which: 'empirical' });
        values.push({ r: rEmp[i], P: Number(pModel[i].toPrecision(6)), which: 'model' });
      }
      const title = res.summary();
      return new ChartClass({
        title, width: 420, height: 280, data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'r', type: 'quantitative', title: 'Hamming distance r' },
          y: { field: 'P', type: 'quantitative', title: 'P(r)', scale: { type: 'log' } },
          color: { field: 'which', type: 'nominal', title: null },
        },
      }, title);
    },
  };
  return Object.freeze(res);
}
