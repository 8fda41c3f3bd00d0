import { batch, secret } from 'batchform/runtime';

export const handler = batch(async (run) => {
  const password = await secret('DB_PASSWORD');
  run.logger.info('connecting', { passwordLength: password.length }); // never log the value itself
});
export {};

