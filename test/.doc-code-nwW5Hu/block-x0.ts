import { Schedule, type BatchOptions } from 'batchform';
export const example: BatchOptions = (
{
  name: 'a',
  handler: 42,
}
);

