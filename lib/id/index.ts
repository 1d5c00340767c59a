// Public surface of lib/id (each algorithm file re-exported here).
export * from './twonn';
export * from './gride';
export * from './binomial';
export * from './mle';
export * from './pca';
export * from './correlation';
export * from './discrete';
export * from './bid';
export * from './profile';
