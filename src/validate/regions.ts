// The regions aws-cdk-lib knows, with each one's partition and domain suffix. Read from
// aws-cdk-lib/region-info once per aws-cdk-lib version: its fact tables are over a megabyte of
// JavaScript, and parsing them cost every `npx projen` about a tenth of a second.
import * as fs from 'fs';
import * as path from 'path';

/** What batchform needs to know of one region. */
export interface RegionFact {
  readonly partition: string;
  readonly domainSuffix: string;
}

let facts: Record<string, RegionFact> | undefined;

/** The facts of aws-cdk-lib's regions, by region name (kept in aws-cdk-lib's node_modules/.cache). */
export function regionFacts(): Readonly<Record<string, RegionFact>> {
  if (facts) return facts;
  const pkg = require.resolve('aws-cdk-lib/package.json');
  const version = (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
  const file = path.join(path.dirname(pkg), '..', '.cache', 'batchform', 'regions.json');
  try {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string; regions?: Record<string, RegionFact> };
    if (saved.version === version && saved.regions && Object.keys(saved.regions).length > 0) return (facts = saved.regions);
  } catch {
    // Not saved yet (or unreadable): read them from aws-cdk-lib below.
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RegionInfo } = require('aws-cdk-lib/region-info') as typeof import('aws-cdk-lib/region-info');
  facts = Object.fromEntries(RegionInfo.regions.map((r) => [r.name, { partition: r.partition ?? 'aws', domainSuffix: r.domainSuffix ?? 'amazonaws.com' }]));
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ version, regions: facts }));
  } catch {
    // A cache that cannot be written only costs speed next time.
  }
  return facts;
}
