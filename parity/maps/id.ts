// Parity mappings for the id methods (DADApy name -> ours, outputs, comparators). See ../registry.ts.
export {};
