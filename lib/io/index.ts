export { loadNpy, parseNpy, npyToMatrix, type NpyArray } from './npy';
