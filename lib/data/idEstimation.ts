import { Base } from './base';

/** The IdEstimation layer of the Data facade: issue 3 (intrinsic dimension). */
export class IdEstimation extends Base {}
