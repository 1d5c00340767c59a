// Parity mappings for the clustering methods (DADApy name -> ours, outputs, comparators). See ../registry.ts.
export {};
