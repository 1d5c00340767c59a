import { DensityEstimation } from './density';

/** The Clustering layer of the Data facade: issue 4 (density-peak clustering). */
export class Clustering extends DensityEstimation {}
