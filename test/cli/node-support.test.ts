// The Node.js policy: one source (src/cli/node-support.ts) that package.json's engines, the README
// and the CLI's behaviour agree with.
import * as fs from 'fs';
import * as path from 'path';
import { applyNodeSupport, ENGINES_NODE, NODE_SUPPORT, nodeSupport } from '../../src/cli/node-support';

const ROOT = path.resolve(__dirname, '../..');

test('package.json engines.node is the policy\'s minimum', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  expect(pkg.engines.node).toBe(ENGINES_NODE);
});

test('the README and the getting-started guide state the same engines, minimum and recommended versions', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  expect(readme).toContain(`Node.js ${NODE_SUPPORT.recommended}\nor 24, ${NODE_SUPPORT.minimum} still works`);
  const guide = fs.readFileSync(path.join(ROOT, 'docs/getting-started.md'), 'utf8');
  const section = /## Node\.js versions\n([\s\S]*?)\n#/.exec(guide)?.[1] ?? '';
  expect(section).toContain(`\`engines.node\` is \`${ENGINES_NODE}\``);
  expect(section).toContain(`Node.js ${NODE_SUPPORT.recommended} and 24 are the versions to use`);
  expect(section).toContain(`Node.js ${NODE_SUPPORT.minimum}`);
});

test('below the minimum: an error naming the version to install', () => {
  expect(nodeSupport('v18.20.4')).toEqual({ error: expect.stringMatching(/needs Node\.js 20 or later; this is v18\.20\.4\. Install Node\.js 22/) });
});

test('on Node 20: one notice with the reason and the fix; on 22 and 24: nothing', () => {
  expect(nodeSupport('v20.20.2').notice).toMatch(/^batchform: running on Node\.js v20\.20\.2\. .*end of life.*January 2027.*upgrade to Node\.js 22 or 24\.$/);
  expect(nodeSupport('v22.11.0')).toEqual({});
  expect(nodeSupport('v24.1.0')).toEqual({});
});

function fakeProcess(version: string, env: Record<string, string | undefined> = {}) {
  const written: string[] = [];
  const exits: number[] = [];
  return {
    version,
    env,
    written,
    exits,
    stderr: { write: (s: string) => written.push(s) },
    exit: ((code: number) => { exits.push(code); }) as never,
  };
}

test('applyNodeSupport turns the AWS SDK\'s own notice off (unless the user set it) and prints its one line', () => {
  const p = fakeProcess('v20.20.2');
  applyNodeSupport(p);
  expect(p.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
  expect(p.written).toHaveLength(1);
  expect(p.exits).toEqual([]);

  const kept = fakeProcess('v22.1.0', { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });
  applyNodeSupport(kept);
  expect(kept.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('false');
  expect(kept.written).toEqual([]);
});

test('applyNodeSupport exits 2 (bad input) below the minimum', () => {
  const p = fakeProcess('v18.0.0');
  applyNodeSupport(p);
  expect(p.exits).toEqual([2]);
});
