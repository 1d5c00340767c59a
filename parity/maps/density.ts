// Parity mappings for the density methods (DADApy name -> ours, outputs, comparators). See ../registry.ts.
export {};
