// Public entry point of the schedule module: validate, build, describe and preview EventBridge schedules.

export * from './expression';
export * from './builder';
export * from './next-runs';
export * from './describe';
export * from './timezone';
export * from './gaps';
export * from './run-rows';
