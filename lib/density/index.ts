// Public surface of lib/density (each algorithm file re-exported here).
export * from './kstar';
