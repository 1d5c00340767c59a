import { checkOptionKeys, optionKeys } from '../options';
import { InputError } from '../errors';
import { assertNoZeroDistances, type NeighborTable } from '../neighbors/table';
import type { Chart } from '../../widgets/chart';
import { idCurveChart } from '../../widgets/id/charts';
import { fmt } from './format';

/**
 * Levina-Bickel maximum likelihood ID (Levina & Bickel 2004) with the MacKay-Ghahramani
 * correction (2005): at each point the inverse local estimate
 *   l_i(k) = 1/(k-1) sum_{j<k} log(T_k / T_j)
 * (T_j the distance to the j-th neighbour) and the global estimate 1 / mean_i l_i(k), i.e. the
 * inverses are averaged (Levina-Bickel's original averages the local estimates themselves, which
 * is biased upwards; averaging: 'local' gives it, with the unbiased (k - 2) normalisation).
 * Over a range k1..k2 the estimates are averaged, as in the paper.
 */
export interface LevinaBickelOptions {
  /** Neighbours used (default 20); or give k1 and k2 for a range. */
  k?: number;
  k1?: number;
  k2?: number;
  /** 'inverse' (MacKay-Ghahramani, default) or 'local' (the mean of the local estimates). */
  averaging?: 'inverse' | 'local';
}
export const LEVINA_BICKEL_KEYS = optionKeys<LevinaBickelOptions>({ k: 1, k1: 1, k2: 1, averaging: 1 });

export interface LevinaBickelResult {
  readonly id: number;
  /** Delta-method standard error over points (points treated as independent). */
  readonly idErr: number;
  /** Mean distance to the k-th neighbour (k2 for a range). */
  readonly scale: number;
  /** The estimate at each k of the range. */
  readonly ks: Int32Array;
  readonly idsByK: Float64Array;
  /** Local estimates 1 / l_i at the largest k. */
  readonly localIds: Float64Array;
  readonly averaging: 'inverse' | 'local';
  summary(): string;
  plot(): Chart;
}

export function levinaBickel(nn: NeighborTable, opts: LevinaBickelOptions = {}): LevinaBickelResult {
  checkOptionKeys(opts, LEVINA_BICKEL_KEYS, 'levinaBickel');
  const k1 = opts.k1 ?? opts.k ?? Math.min(20, nn.maxk);
  const k2 = opts.k2 ?? opts.k ?? k1;
  const averaging = opts.averaging ?? 'inverse';
  if (!(Number.isInteger(k1) && Number.isInteger(k2) && k1 >= 3 && k2 >= k1 && k2 <= nn.maxk)) {
    throw new InputError(`Levina-Bickel needs 3 <= k1 <= k2 <= maxk = ${nn.maxk}, got k1 = ${k1}, k2 = ${k2}`,
      'Pass k (or k1 <= k2) within the neighbour table, or compute more neighbours');
  }
  assertNoZeroDistances(nn, 'Levina-Bickel MLE');
  const N = nn.n, w = nn.maxk + 1, D = nn.distances;
  const ks: number[] = [], ids: number[] = [];
  let localIds = new Float64Array(N), errAtLast = 0;
  const logs = new Float64Array(w);
  for (let k = k1; k <= k2; k++) {
    const l = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let j = 1; j <= k; j++) logs[j] = Math.log(D[i * w + j]);
      for (let j = 1; j < k; j++) s += logs[k] - logs[j];
      l[i] = s;
    }
    let id: number, err: number;
    if (averaging === 'inverse') {
      let m = 0;
      for (const v of l) m += v / (k - 1);
      m /= N;
      let v2 = 0;
      for (const v of l) v2 += (v / (k - 1) - m) ** 2;
      id = 1 / m;
      err = (Math.sqrt(v2 / N) / Math.sqrt(N)) / (m * m);
    } else {
      let m = 0;
      for (const v of l) m += (k - 2) / v;
      m /= N;
      let v2 = 0;
      for (const v of l) v2 += ((k - 2) / v - m) ** 2;
      id = m;
      err = Math.sqrt(v2 / N) / Math.sqrt(N);
    }
    ks.push(k); ids.push(id);
    if (k === k2) {
      localIds = Float64Array.from(l, (v) => (averaging === 'inverse' ? (k - 1) / v : (k - 2) / v));
      errAtLast = err;
    }
  }
  let id = 0;
  for (const v of ids) id += v;
  id /= ids.length;
  let scale = 0;
  for (let i = 0; i < N; i++) scale += D[i * w + k2];
  scale /= N;
  const idsByK = Float64Array.from(ids), ksA = Int32Array.from(ks);
  const r: LevinaBickelResult = {
    id, idErr: errAtLast, scale, ks: ksA, idsByK, localIds, averaging,
    summary: () => `ID ${fmt(id)} ± ${fmt(errAtLast)} at r = ${fmt(scale)} (Levina-Bickel MLE, ${averaging === 'inverse' ? 'MacKay-Ghahramani' : 'local mean'}, k = ${k1 === k2 ? k1 : `${k1}..${k2}`})`,
    plot: () => idCurveChart({ x: ksA, ids: idsByK, xTitle: 'k', title: r.summary() }),
  };
  return Object.freeze(r);
}
