// The entry of the stage watchdog's code zip (`package:batches` bundles it with `watchdog.json`):
// Lambda calls `index.handler`. Not exported by any entry point: loading it creates the handler.
import { watchdogHandler } from './watchdog';

/** The deployed watchdog's handler: its stage from `BATCHFORM_STAGE`, its configuration from `watchdog.json` next to it. */
export const handler = watchdogHandler();
