import { checkOptionKeys } from '../options';
import { InputError } from '../errors';
import { asMatrix, type MatrixLike } from '../matrix';
import type { Chart } from '../../widgets/chart';
import { idProfileChart, scaleCurvesChart } from '../../widgets/id/charts';
import { grideScaling, type GrideScalingResult } from './gride';
import { fmt } from './format';

/**
 * The ID profile of a network's layers (the seed papers' plot): the Gride scale curve of every
 * representation, and the ID of each at one neighbour rank n2 (default 2 * 8: the scale of the
 * 8th and 16th neighbours, past the noise-dominated smallest scales).
 */
export interface IdProfileResult {
  readonly names: string[];
  readonly curves: readonly GrideScalingResult[];
  /** The rank n2 at which the profile is read. */
  readonly rank: number;
  readonly ids: Float64Array;
  readonly idsErr: Float64Array;
  summary(): string;
  /** 'profile' (ID per layer at the chosen rank, default) or 'curves' (all scale curves overlaid). */
  plot(options?: { kind?: 'profile' | 'curves'; x?: 'radius' | 'rank' }): Chart;
}

export async function idProfile(layers: { name: string; X: MatrixLike }[] | MatrixLike[], opts: { rangeMax?: number; rank?: number; signal?: AbortSignal } = {}): Promise<IdProfileResult> {
  checkOptionKeys(opts, ['rangeMax', 'rank', 'signal'], 'idProfile');
  if (layers.length === 0) throw new InputError('idProfile was given no layers', 'Pass an array of matrices or of { name, X }');
  const named = (layers as unknown[]).map((l, i) => {
    const o = l as { name?: string; X?: MatrixLike };
    return o && typeof o === 'object' && 'X' in o && o.X !== undefined ? { name: o.name ?? `layer ${i}`, X: o.X } : { name: `layer ${i}`, X: l as MatrixLike };
  });
  const rangeMax = opts.rangeMax ?? 64;
  const rank = opts.rank ?? 16;
  const curves: GrideScalingResult[] = [];
  for (const l of named) {
    const { result } = await grideScaling(asMatrix(l.X), { rangeMax, signal: opts.signal });
    curves.push(result);
  }
  const ids = new Float64Array(named.length), idsErr = new Float64Array(named.length);
  curves.forEach((c, i) => {
    const j = Array.from(c.ranks).indexOf(rank);
    if (j < 0) throw new InputError(`Rank ${rank} is not among the Gride ranks ${Array.from(c.ranks).join(', ')} of ${named[i].name}`, 'Pass rank = a power of two between 2 and rangeMax');
    ids[i] = c.ids[j]; idsErr[i] = c.idsErr[j];
  });
  const names = named.map((l) => l.name);
  const r: IdProfileResult = {
    names, curves: Object.freeze(curves), rank, ids, idsErr,
    summary: () => `ID profile at n2 = ${rank}: ${names.map((n, i) => `${n} ${fmt(ids[i])} ± ${fmt(idsErr[i])}`).join(', ')}`,
    plot: (o = {}) => (o.kind === 'curves'
      ? scaleCurvesChart({ series: curves.map((c, i) => ({ name: names[i], ids: c.ids, idsErr: c.idsErr, radii: c.radii, ranks: c.ranks })), x: o.x })
      : idProfileChart({ names, ids, idsErr, title: `Intrinsic dimension profile (Gride, n2 = ${rank})` })),
  };
  return Object.freeze(r);
}
