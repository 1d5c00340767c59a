import { Clustering } from './clustering';

/** The MetricComparisons layer of the Data facade: issue 5 (information imbalance, overlaps, feature selection). */
export class MetricComparisons extends Clustering {}
