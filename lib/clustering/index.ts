// Public surface of lib/clustering (each algorithm file re-exported here).
export * from './adp';
export * from './dp';
export * from './metrics';
