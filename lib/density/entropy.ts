import { InputError } from '../errors';

/** DADApy's return_entropy: H = −mean(log ρ_i), the plug-in estimate of the differential entropy. */
export function entropy(logDen: ArrayLike<number>): number {
  if (logDen.length === 0) throw new InputError('The entropy needs log densities, got an empty array', 'Compute a density first');
  let s = 0;
  for (let i = 0; i < logDen.length; i++) s += logDen[i];
  return -(s / logDen.length);
}
