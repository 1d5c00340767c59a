// Type declarations for the parts of lz4js (0.2.0, plain JS, no types shipped) that dadalab uses.
declare module 'lz4js' {
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array | number[];
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array | number[];
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
  export function compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  export function compressBound(n: number): number;
}
