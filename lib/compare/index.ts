// Public surface of lib/compare (each algorithm file re-exported here).
export {};
