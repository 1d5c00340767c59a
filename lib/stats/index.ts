export { SeededRng, ReplayRng, type Rng, type RecordedDraw } from './rng';
export * from './special';
