// Deterministic zips: the same files give the same bytes on any machine, in any time zone.
import { ZipFile } from 'yazl';

/** One file to put in a zip. */
export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
}

/**
 * Fixed modification time of every entry. Built with the local-time constructor on purpose:
 * zip's DOS timestamps are local wall-clock fields, which yazl reads with local getters, so
 * this date yields the same bytes in every `TZ`.
 */
const FIXED_MTIME = (): Date => new Date(2000, 0, 1, 0, 0, 0);

/** Regular file, rw-r--r--. */
const FILE_MODE = 0o100644;

/** Zips entries sorted by name, with fixed timestamps and modes and no extra timestamp fields. */
export function deterministicZip(entries: readonly ZipEntry[]): Promise<Buffer> {
  const zip = new ZipFile();
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of sorted) {
    zip.addBuffer(e.data, e.name, { mtime: FIXED_MTIME(), mode: FILE_MODE, compress: true, forceDosTimestamp: true });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

export { sha256Hex } from '../model/hash';
