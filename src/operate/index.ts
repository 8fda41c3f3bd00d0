// Public entry point of the operate engine: run a deployed batch now, backfill a range, redrive dead letters, status and logs (AWS SDK calls, no projen).
export * from './clients';
export * from './schedule';
export * from './target';
export * from './event';
export * from './invoke';
export * from './durable';
export * from './log-lines';
export * from './logs';
export * from './backfill';
export * from './redrive';
export * from './status';
