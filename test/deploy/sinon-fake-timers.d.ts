// Type shim: @types/sinon (via aws-sdk-client-mock) names FakeTimerInstallOpts, which the @sinonjs/fake-timers 15 hoisted for jest 30 no longer exports.
// Remove once the project sets skipLibCheck or @types/sinon catches up.
import '@sinonjs/fake-timers';

declare module '@sinonjs/fake-timers' {
  export type FakeTimerInstallOpts = Record<string, unknown>;
}
