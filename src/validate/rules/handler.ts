// Rules for the handler file: under handlers/, TypeScript or JavaScript, present on disk.
import * as path from 'path';
import { BatchRule, show } from './types';

/** Folder every handler lives in, relative to the project root. */
export const HANDLERS_DIR = 'handlers';

/** Normalizes a handler path to forward slashes relative to the project root. */
export function normalizeHandlerPath(handler: string): string {
  return path.posix.normalize(handler.replace(/\\/g, '/')).replace(/^\.\//, '');
}

export const handlerFile: BatchRule = (batch, ctx) => {
  if (typeof batch.handler !== 'string' || batch.handler.trim() === '') {
    return [{
      field: 'handler',
      message: 'is missing.',
      fix: `set handler to a file under ${HANDLERS_DIR}/, e.g. "${HANDLERS_DIR}/${batch.name ?? 'my-batch'}.ts".`,
    }];
  }
  const rel = normalizeHandlerPath(batch.handler);
  if (path.posix.isAbsolute(rel) || !rel.startsWith(`${HANDLERS_DIR}/`)) {
    return [{
      field: 'handler',
      message: `${show(batch.handler)} is outside ${HANDLERS_DIR}/.`,
      fix: `move the file under ${HANDLERS_DIR}/ and write its path relative to the project root, e.g. "${HANDLERS_DIR}/${path.posix.basename(rel)}".`,
    }];
  }
  if (!/\.(ts|js|mts|mjs)$/.test(rel)) {
    return [{
      field: 'handler',
      message: `${show(batch.handler)} is not a TypeScript or JavaScript file.`,
      fix: 'point handler at a .ts (or .js) file that exports `handler`.',
    }];
  }
  if (!ctx.fileExists(rel)) {
    return [{
      field: 'handler',
      message: `${show(batch.handler)} does not exist.`,
      fix: `create ${rel} exporting \`handler\`, or correct the path.`,
    }];
  }
  return [];
};
