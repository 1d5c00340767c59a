import { IdEstimation } from './idEstimation';

/** The DensityEstimation layer of the Data facade: issue 4 (k*, densities). */
export class DensityEstimation extends IdEstimation {}
