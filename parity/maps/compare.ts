// Parity mappings for the compare methods (DADApy name -> ours, outputs, comparators). See ../registry.ts.
export {};
