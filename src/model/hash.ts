// The one content hash batchform uses everywhere: code zips, templates, fingerprints, caches.
import { createHash } from 'crypto';

/** Hex SHA-256 of bytes or of a string's UTF-8 encoding. */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
