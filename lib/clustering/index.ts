// Public surface of lib/clustering (each algorithm file re-exported here).
export {};
