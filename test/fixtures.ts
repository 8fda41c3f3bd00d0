// Shared declarations for tests: one valid stage and batch each test varies.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BatchOptions } from '../src/model/batch-options';
import type { StageOptions } from '../src/model/stage-options';

export const STAGE: StageOptions = {
  name: 'prod',
  account: '111122223333',
  region: 'ap-northeast-2',
  artifactBucket: 'batchform-artifacts-111122223333-ap-northeast-2',
  subnetIds: ['subnet-0a1b2c3d4e5f60718'],
  securityGroupIds: ['sg-0123456789abcdef0'],
};

export const BATCH: BatchOptions = {
  name: 'daily-stats',
  handler: 'handlers/daily-stats.ts',
  schedule: 'cron(10 15 * * ? *)',
};

/** A file check that knows only the handlers the fixtures use. */
export const fileExists = (rel: string): boolean => ['handlers/daily-stats.ts', 'handlers/weekly-report.ts'].includes(rel);

/** A fresh temporary project directory holding `handlers/daily-stats.ts`; remove it when done. */
export function scratchProject(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `batchform-${prefix}-`));
  fs.mkdirSync(path.join(dir, 'handlers'));
  fs.writeFileSync(path.join(dir, 'handlers/daily-stats.ts'), 'export const handler = async () => {};\n');
  return dir;
}

/** Every file under `dir` (relative path to text), for tests that look through what was generated. */
export function listFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}
