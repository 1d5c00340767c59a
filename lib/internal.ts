/**
 * `dadalab/internal`: every module's exports, the building blocks behind the public surface
 * (lib/index.ts): Gride's likelihood and argmax, the PAk Newton step, the neighbour engine's
 * option resolution and kd-tree, the codecs, the renderer, the option-key lists, ... They are
 * what the tests and benchmarks call; they may change between versions without notice.
 *
 *     import { grideArgmax, pakNewton, resolveNeighborOptions } from 'dadalab/internal';
 */
export * from './index';
export { Matrix, asMatrix, validateCoordinates } from './matrix';
export * from './errors';
export * from './options';
export * from './neighbors';
export * from './runtime/progress';
export * from './runtime/warnings';
export * from './runtime/memory';
export * from './data';
export * from './io';
export * from './id';
export * from './density';
export * from './clustering';
export * from './compare';
export * from './layers';
export * from './stats';
export * from '../widgets';
export * from './exercise';
