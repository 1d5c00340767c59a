import { warn } from '../runtime/warnings';
import { checkOptionKeys } from '../options';
import { InputError } from '../errors';
import type { NeighborTable } from '../neighbors/table';
import { checkId, checkK, kstarNNCore } from './knn';
import { KSTAR_KEYS, kstarThreshold, type KstarOptions } from './kstar';
import { PAK_KEYS, pakCore, type PakOptions } from './pak';
import { logUnitBallVolume } from '../stats/special';
import { makeDensityResult, type DensityResult } from './result';

/**
 * The neighbours of new points among the data (DADApy's compute_cross_nn_distances): `width`
 * columns per new point, column 0 the nearest data point.
 */
export interface CrossTable {
  readonly n: number;
  readonly width: number;
  readonly distances: Float64Array;
  readonly indices: Int32Array;
}

function checkCross(cross: CrossTable, nn: NeighborTable): void {
  if (cross.width < nn.maxk) {
    throw new InputError(`The cross table has ${cross.width} columns but the data table holds maxk = ${nn.maxk}`,
      'Compute the neighbours of the new points with as many columns as maxk');
  }
}

/**
 * k* at new points (DADApy's Cython _compute_kstar_interp): the test of §4 with V_i from the new
 * point's cross distance cross[i, k] and V_j from the data table of its j-th data neighbour,
 * data[cross_idx[i, j], k]; j from 4 while j < maxk; k* = j − 1.
 */
export function crossKstar(cross: CrossTable, nn: NeighborTable, id: number, opts: KstarOptions = {}): Int32Array {
  checkOptionKeys(opts, KSTAR_KEYS, 'crossKstar');
  checkId(id);
  checkCross(cross, nn);
  const alpha = opts.alpha ?? 1e-6;
  const alphaEff = opts.bonferroniDeloc ? alpha / nn.n : alpha;
  const maxk = nn.maxk, w = maxk + 1, cw = cross.width;
  const thr = new Float64Array(maxk);
  for (let h = 0; h < maxk; h++) thr[h] = opts.bonferroniLoc ? kstarThreshold(alphaEff / (h + 1)) : kstarThreshold(alphaEff);
  const omega = Math.exp(logUnitBallVolume(id));
  const LOG4 = Math.log(4);
  const out = new Int32Array(cross.n);
  for (let i = 0; i < cross.n; i++) {
    let j = 4, h = 0;
    while (j < maxk) {
      const k = j - 1;
      const Vi = omega * Math.pow(cross.distances[i * cw + k], id);
      const Vj = omega * Math.pow(nn.distances[cross.indices[i * cw + j] * w + k], id);
      const dL = -2 * k * (Math.log(Vi) + Math.log(Vj) - 2 * Math.log(Vi + Vj) + LOG4);
      if (dL > thr[h]) break;
      j++; h++;
    }
    out[i] = j - 1;
  }
  return out;
}

/**
 * kNN density at new points (DADApy's return_interpolated_density_kNN):
 * log ρ = log(k − 1) − log ω_d − d log cross[:, k] − log N, error 1/√(k − 1), N = data points.
 * With the data themselves as new points this is compute_density_kNN shifted by log k − log(k − 1).
 */
export function interpolatedDensityKNN(cross: CrossTable, nn: NeighborTable, id: number, k: number): DensityResult {
  checkId(id);
  checkK(k, cross.width - 1, 2);
  const ks = new Int32Array(cross.n).fill(k);
  const r = kstarNNCore(cross.distances, cross.width, cross.n, id, ks, { interpolation: true, normaliseBy: nn.n });
  return makeDensityResult('kNN', r.logDen, r.logDenErr, r.dc, ks, id);
}

/** k*NN density at new points (DADApy's return_interpolated_density_kstarNN), k* from crossKstar. */
export function interpolatedDensityKstarNN(cross: CrossTable, nn: NeighborTable, id: number, opts: KstarOptions = {}): DensityResult {
  checkOptionKeys(opts, KSTAR_KEYS, 'interpolatedDensityKstarNN');
  const ks = crossKstar(cross, nn, id, opts);
  const r = kstarNNCore(cross.distances, cross.width, cross.n, id, ks, { interpolation: true, normaliseBy: nn.n });
  return makeDensityResult('kstarNN', r.logDen, r.logDenErr, r.dc, ks, id);
}

/**
 * PAk density at new points. DADApy's return_interpolated_density_PAk raises a TypeError (it
 * passes an extra positional argument to its PAk helper), and its interpolation helper starts the
 * Newton iteration from 1/log(k* − 1) instead of log(k* − 1). Here it does what was intended: the
 * PAk likelihood over the k* shells of the cross table (columns 0..k*, k* from crossKstar), started
 * from the interpolated k*NN estimate, error sqrt((4(k−1)+2)/((k−1)(k−2))) as in DADApy's helper.
 * With the data themselves as new points it gives the data's PAk densities (same likelihood).
 */
export function interpolatedDensityPAk(cross: CrossTable, nn: NeighborTable, id: number,
  opts: KstarOptions & PakOptions = {}): DensityResult {
  checkOptionKeys(opts, [...KSTAR_KEYS, ...PAK_KEYS], 'interpolatedDensityPAk');
  const ks = crossKstar(cross, nn, id, { alpha: opts.alpha, bonferroniDeloc: opts.bonferroniDeloc, bonferroniLoc: opts.bonferroniLoc });
  const r = pakCore(cross.distances, cross.width, cross.n, id, ks, { ...opts, interpolation: true, normaliseBy: nn.n });
  for (const m of r.warnings) warn(m, 'numerical');
  return makeDensityResult('PAk', r.logDen, r.logDenErr, r.dc, ks, id, r.diagnostics);
}
