import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { javascript, LogLevel, Project, typescript } from 'projen';
import type { BatchOptions } from '../../src/model/batch-options';
import { Batchform } from '../../src/projen/batchform';
import * as synthModule from '../../src/template/synth';
import { BATCH, listFiles, STAGE, scratchProject } from '../fixtures';

function synth(outdir: string, batches: BatchOptions[]): void {
  const project = new Project({ name: 'fixture', outdir });
  new Batchform(project, { stages: [STAGE], batches, cliCommand: 'batchform' });
  project.synth();
}

let dir: string;
beforeEach(() => {
  dir = scratchProject('projen');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Batchform component', () => {
  test('writes one template per batch, the bootstrap template and the manifest, without the projen marker', () => {
    synth(dir, [BATCH]);
    const files = listFiles(dir);
    expect(Object.keys(files).filter((f) => f.startsWith('cfn-out')).sort()).toEqual([
      'cfn-out/bootstrap.template.json', 'cfn-out/daily-stats.template.json', 'cfn-out/manifest.json', 'cfn-out/stage.template.json', 'cfn-out/template-hashes.json',
      'cfn-out/watchdog.json',
    ]);
    const template = JSON.parse(files['cfn-out/daily-stats.template.json']);
    expect(template['//']).toBeUndefined();
    expect(template.Resources.Function.Type).toBe('AWS::Lambda::Function');
    const manifest = JSON.parse(files['cfn-out/manifest.json']);
    expect(manifest['//']).toBeUndefined();
    expect(manifest.stages[0].stacks[0].stackName).toBe('prod-daily-stats');
  });

  test('ignores invoke\'s local environment file (.env.local) and its local run ledger (with its lock) in git', () => {
    synth(dir, [BATCH]);
    const ignored = fs.readFileSync(path.join(dir, '.gitignore'), 'utf8').split('\n');
    expect(ignored).toContain('/.env.local');
    expect(ignored).toContain('/.batchform/ledger.json*');
  });

  describe('the project identity (batchform:project)', () => {
    const manifestOf = (root: string) => JSON.parse(fs.readFileSync(path.join(root, 'cfn-out/manifest.json'), 'utf8'));

    test('is the package name by default, in the manifest and every stack\'s tags', () => {
      const project = new javascript.NodeProject({
        name: 'fixture', packageName: '@acme/batches', defaultReleaseBranch: 'main', outdir: dir, github: false, logging: { level: LogLevel.OFF }, devDeps: ['batchform'],
      });
      new Batchform(project, { stages: [STAGE], batches: [BATCH], cliCommand: 'batchform', workflows: false });
      // No npm install after synthesis.
      process.env.PROJEN_DISABLE_POST = 'true';
      try {
        project.synth();
      } finally {
        delete process.env.PROJEN_DISABLE_POST;
      }
      const manifest = manifestOf(dir);
      expect(manifest.project).toBe('@acme/batches');
      expect(manifest.stages[0].stacks[0].tags).toMatchObject({ 'batchform:project': '@acme/batches', 'batchform:stage': 'prod', 'batchform:batch': 'daily-stats' });
    });

    test('is the projen project\'s name without a package, and projectId when set', () => {
      synth(dir, [BATCH]);
      expect(manifestOf(dir).project).toBe('fixture');
      const project = new Project({ name: 'fixture', outdir: dir });
      new Batchform(project, { stages: [STAGE], batches: [BATCH], cliCommand: 'batchform', projectId: 'acme-batches' });
      project.synth();
      expect(manifestOf(dir).stages[0].stacks[0].tags['batchform:project']).toBe('acme-batches');
    });

    test('a projectId that is no tag value, or a bad removal label, is rejected with the fix', () => {
      const project = () => new Project({ name: 'fixture', outdir: dir });
      expect(() => new Batchform(project(), { projectId: 'acme;batches' })).toThrow('batchform: projectId "acme;batches" is not a usable tag value. Fix: use 1 to 256 letters, digits, spaces and _ . : / = + - @, e.g. projectId: "acme-batches".');
      expect(() => new Batchform(project(), { projectId: '' })).toThrow(/projectId "" is not a usable tag value/);
      expect(() => new Batchform(project(), { allowRemovalLabel: 'ok"; rm -rf /' })).toThrow(/allowRemovalLabel .* is not a usable label\. Fix:/);
    });
  });

  describe('template reuse', () => {
    const WEEKLY: BatchOptions = { ...BATCH, name: 'weekly-report', handler: 'handlers/weekly-report.ts' };
    const cfnOut = (root: string) => Object.fromEntries(Object.entries(listFiles(path.join(root, 'cfn-out'))));
    /** The stack ids each synthesis built during `fn`. */
    function synthesized(fn: () => void): string[][] {
      const spy = jest.spyOn(synthModule, 'synthesizeStacks');
      try {
        fn();
        return spy.mock.calls.map(([build]) => Object.keys(build));
      } finally {
        spy.mockRestore();
      }
    }
    beforeEach(() => fs.writeFileSync(path.join(dir, 'handlers/weekly-report.ts'), 'export const handler = async () => {};\n'));

    test('synthesizes every template once, then nothing while nothing changed, writing the same bytes', () => {
      expect(synthesized(() => synth(dir, [BATCH, WEEKLY]))).toEqual([['daily-stats', 'weekly-report', 'bootstrap', 'stage']]);
      const before = cfnOut(dir);
      expect(synthesized(() => synth(dir, [BATCH, WEEKLY]))).toEqual([]);
      expect(cfnOut(dir)).toEqual(before);
    });

    test('leaves an unchanged read-only template untouched, and makes a writable one read-only again', () => {
      synth(dir, [BATCH, WEEKLY]);
      const daily = path.join(dir, 'cfn-out/daily-stats.template.json');
      const weekly = path.join(dir, 'cfn-out/weekly-report.template.json');
      const past = new Date('2020-01-01T00:00:00Z');
      fs.utimesSync(daily, past, past);
      fs.chmodSync(weekly, 0o644);
      synth(dir, [BATCH, WEEKLY]);
      expect(fs.statSync(daily).mtime).toEqual(past);
      // eslint-disable-next-line no-bitwise -- the write bits of a file mode
      expect(fs.statSync(weekly).mode & 0o222).toBe(0);
    });

    test('a changed declaration synthesizes only its own batch', () => {
      synth(dir, [BATCH, WEEKLY]);
      expect(synthesized(() => synth(dir, [BATCH, { ...WEEKLY, timeout: 120 }]))).toEqual([['weekly-report']]);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'cfn-out/weekly-report.template.json'), 'utf8')).Resources.Function.Properties.Timeout).toBe(120);
    });

    test('a fresh clone with the committed cfn-out/ synthesizes nothing; a tampered template in it is regenerated', () => {
      synth(dir, [BATCH, WEEKLY]);
      const committed = cfnOut(dir);
      const clone = scratchProject('clone');
      try {
        fs.writeFileSync(path.join(clone, 'handlers/weekly-report.ts'), 'export const handler = async () => {};\n');
        fs.cpSync(path.join(dir, 'cfn-out'), path.join(clone, 'cfn-out'), { recursive: true });
        expect(synthesized(() => synth(clone, [BATCH, WEEKLY]))).toEqual([]);
        expect(cfnOut(clone)).toEqual(committed);
        const file = path.join(clone, 'cfn-out/daily-stats.template.json');
        fs.chmodSync(file, 0o644);
        const tampered = JSON.parse(committed['daily-stats.template.json']);
        tampered.Resources.Backdoor = { Type: 'AWS::IAM::User' };
        fs.writeFileSync(file, `${JSON.stringify(tampered, null, 2)}\n`);
        expect(synthesized(() => synth(clone, [BATCH, WEEKLY]))).toEqual([['daily-stats']]);
        expect(cfnOut(clone)).toEqual(committed);
      } finally {
        fs.rmSync(clone, { recursive: true, force: true });
      }
    });

    test('reused and freshly synthesized templates are byte-identical (BATCHFORM_TEMPLATE_CACHE=off)', () => {
      synth(dir, [BATCH, WEEKLY]);
      synth(dir, [BATCH, WEEKLY]);
      const reused = cfnOut(dir);
      process.env.BATCHFORM_TEMPLATE_CACHE = 'off';
      try {
        expect(synthesized(() => synth(dir, [BATCH, WEEKLY]))).toEqual([['daily-stats', 'weekly-report', 'bootstrap', 'stage']]);
      } finally {
        delete process.env.BATCHFORM_TEMPLATE_CACHE;
      }
      expect(cfnOut(dir)).toEqual(reused);
    });
  });

  test('adds the lint:cfn and schedule tasks', () => {
    synth(dir, [BATCH]);
    const tasks = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf8')).tasks;
    expect(tasks['lint:cfn'].steps).toEqual([{ exec: 'batchform lint-cfn cfn-out', receiveArgs: true }]);
    expect(tasks.schedule.steps).toEqual([{ exec: 'batchform schedule --manifest cfn-out/manifest.json', receiveArgs: true }]);
    // The operate commands, each one CLI call that takes the task's arguments (npx projen run daily-stats --stage prod).
    for (const name of ['run', 'backfill', 'redrive', 'status', 'logs', 'pause', 'resume']) {
      expect(tasks[name].steps).toEqual([{ exec: `batchform ${name} --manifest cfn-out/manifest.json`, receiveArgs: true }]);
    }
  });

  test('removes the template of a batch that is no longer declared', () => {
    fs.writeFileSync(path.join(dir, 'handlers/weekly-report.ts'), 'export const handler = async () => {};\n');
    synth(dir, [BATCH, { ...BATCH, name: 'weekly-report', handler: 'handlers/weekly-report.ts' }]);
    expect(fs.existsSync(path.join(dir, 'cfn-out/weekly-report.template.json'))).toBe(true);
    synth(dir, [BATCH]);
    expect(fs.existsSync(path.join(dir, 'cfn-out/weekly-report.template.json'))).toBe(false);
  });

  test('on invalid declarations throws every problem and writes, changes and deletes nothing', () => {
    synth(dir, [BATCH]);
    const before = listFiles(dir);
    expect(() => synth(dir, [
      { ...BATCH, timeout: 5000 },
      { ...BATCH, name: 'new-batch', handler: 'handlers/new-batch.ts' },
    ])).toThrow(/2 problems[\s\S]*batch "daily-stats", field "timeout"[\s\S]*batch "new-batch", field "handler"/);
    expect(listFiles(dir)).toEqual(before);
  });

  test('on a first run with invalid declarations creates no file at all', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-empty-'));
    try {
      expect(() => synth(empty, [{ ...BATCH, schedule: 'cron(0 3 * * *)' }])).toThrow(/field "schedule"/);
      expect(fs.readdirSync(empty)).toEqual([]);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('Batchform in a plain projen project', () => {
  // No npm install after synthesis.
  beforeAll(() => { process.env.PROJEN_DISABLE_POST = 'true'; });
  afterAll(() => { delete process.env.PROJEN_DISABLE_POST; });
  const warnings = (make: () => Project): string[] => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      make().synth();
      return [...spy.mock.calls, ...log.mock.calls].map((c) => c.join(' ')).filter((l) => l.includes('batchform:'));
    } finally {
      spy.mockRestore();
      log.mockRestore();
    }
  };

  test('puts handlers/ under the dev tsconfig and type-checks it first in the test task', () => {
    const project = new typescript.TypeScriptProject({ name: 'p', outdir: dir, defaultReleaseBranch: 'main', github: false, sampleCode: false, devDeps: ['batchform'] });
    new Batchform(project, { stages: [{ ...STAGE, alarmEmails: ['a@example.com'] }], batches: [BATCH], workflows: false });
    project.synth();
    const devFile = project.tsconfigDev.fileName;
    const devConfig = JSON.parse(fs.readFileSync(path.join(dir, devFile), 'utf8').replace(/^\/\/.*$/m, ''));
    // Relative to the dev tsconfig's own directory.
    expect(devConfig.include).toContain(path.posix.join(path.posix.relative(path.posix.dirname(devFile), '.') || '.', 'handlers/**/*.ts').replace(/^\.\//, ''));
    const tasks = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf8')).tasks;
    expect(tasks.test.steps[0]).toEqual({ exec: `tsc --noEmit -p ${devFile}` });
    // projen's default lib (es2020) lacks the ES2022 types the durable SDK's typings name (ErrorOptions).
    const lib = (file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8').replace(/^\/\/.*$/m, '')).compilerOptions.lib;
    expect(lib('tsconfig.json')).toEqual(['es2022']);
    // The dev config extends it, or has its own lib raised.
    expect(lib(devFile) ?? lib('tsconfig.json')).toEqual(['es2022']);
  });

  test('keeps a tsconfig lib that is already ES2022 or newer', () => {
    const project = new typescript.TypeScriptProject({
      name: 'p',
      outdir: dir,
      defaultReleaseBranch: 'main',
      github: false,
      sampleCode: false,
      devDeps: ['batchform'],
      tsconfig: { compilerOptions: { lib: ['es2023', 'dom'] } },
    });
    new Batchform(project, { stages: [{ ...STAGE, alarmEmails: ['a@example.com'] }], batches: [BATCH], workflows: false });
    project.synth();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8').replace(/^\/\/.*$/m, '')).compilerOptions.lib).toEqual(['es2023', 'dom']);
  });

  test('warns when batchform is not declared, when alarms notify nobody and when no workflow is written', () => {
    const lines = warnings(() => {
      const project = new javascript.NodeProject({ name: 'p', outdir: dir, defaultReleaseBranch: 'main', github: false, logging: { level: LogLevel.WARN } });
      new Batchform(project, { stages: [STAGE], batches: [BATCH, { ...BATCH, name: 'quiet', alarms: false }] });
      return project;
    });
    expect(lines).toEqual([
      expect.stringContaining("batchform is not declared in this project's dependencies, so npx projen will remove it (\"Removing unmanaged dependencies\") and .projenrc.ts will then fail with TS2307. Fix: add devDeps: ['batchform']"),
      expect.stringContaining('stage "prod" has neither alarmEmails nor alarmTopicArn, so the alarms of batch "daily-stats" notify nobody'),
      expect.stringContaining('no GitHub workflows (github: false), so .github/workflows/batchform.yml is not written'),
    ]);
  });

  test('says nothing when batchform is declared, alarms have a topic and workflows are off on purpose', () => {
    const lines = warnings(() => {
      const project = new javascript.NodeProject({ name: 'p', outdir: dir, defaultReleaseBranch: 'main', github: false, logging: { level: LogLevel.WARN }, devDeps: ['batchform'] });
      new Batchform(project, { stages: [{ ...STAGE, alarmTopicArn: 'arn:aws:sns:ap-northeast-2:111122223333:alarms' }], batches: [BATCH], workflows: false });
      return project;
    });
    expect(lines).toEqual([]);
  });
});

describe('one-time at() schedules at regeneration time', () => {
  function synthLogging(batches: BatchOptions[]): string[] {
    const project = new Project({ name: 'fixture', outdir: dir });
    const warnings: string[] = [];
    jest.spyOn(project.logger, 'warn').mockImplementation((...text: unknown[]) => { warnings.push(text.join(' ')); });
    new Batchform(project, { stages: [STAGE], batches, cliCommand: 'batchform' });
    project.synth();
    return warnings;
  }

  test('an at() already past is a warning, not an error: the template is still written', () => {
    const warnings = synthLogging([{ ...BATCH, schedule: 'at(2020-01-01T09:00:00)', timezone: 'Asia/Seoul' }]);
    expect(warnings.filter((w) => w.includes('is in the past'))).toEqual([
      'batchform: batch "daily-stats": at(2020-01-01T09:00:00) in Asia/Seoul is in the past, so it will never run. Set a future date and time, or remove the batch.',
    ]);
    expect(fs.existsSync(path.join(dir, 'cfn-out/daily-stats.template.json'))).toBe(true);
  });

  test('an at() in the future gives no such warning', () => {
    const warnings = synthLogging([{ ...BATCH, schedule: 'at(2199-01-01T09:00:00)', timezone: 'Asia/Seoul' }]);
    expect(warnings.filter((w) => w.includes('is in the past'))).toEqual([]);
  });
});
