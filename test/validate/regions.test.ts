import * as fs from 'fs';
import * as path from 'path';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { regionFacts } from '../../src/validate/regions';

describe('region facts', () => {
  test('are aws-cdk-lib\'s regions with their partitions and domain suffixes, saved for the next run', () => {
    const facts = regionFacts();
    expect(Object.keys(facts).sort()).toEqual(RegionInfo.regions.map((r) => r.name).sort());
    expect(facts['cn-north-1']).toEqual({ partition: 'aws-cn', domainSuffix: 'amazonaws.com.cn' });
    expect(facts['ap-northeast-2']).toEqual({ partition: 'aws', domainSuffix: 'amazonaws.com' });
    for (const r of RegionInfo.regions) expect(facts[r.name].partition).toBe(r.partition ?? 'aws');
    const pkg = require.resolve('aws-cdk-lib/package.json');
    const saved = JSON.parse(fs.readFileSync(path.join(path.dirname(pkg), '..', '.cache', 'batchform', 'regions.json'), 'utf8'));
    expect(saved.version).toBe(JSON.parse(fs.readFileSync(pkg, 'utf8')).version);
    expect(saved.regions).toEqual(facts);
  });
});
