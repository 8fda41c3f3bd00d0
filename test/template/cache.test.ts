import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cachedTemplates, TEMPLATE_CACHE_FILE } from '../../src/template/cache';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchform-cache-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const requests = (a: unknown, b: unknown) => [
  { name: 'a', file: 'out/a.json', inputs: a },
  { name: 'b', file: 'out/b.json', inputs: b },
];

/** Builds a template per name and records what it was asked to build. */
function builder() {
  const calls: string[][] = [];
  const build = (names: readonly string[]) => {
    calls.push([...names]);
    return Object.fromEntries(names.map((n) => [n, { Description: `template ${n}`, Resources: {} }]));
  };
  return { calls, build };
}

/** Writes the templates where the requests say, as projen would. */
function write(templates: Record<string, unknown>): void {
  fs.mkdirSync(path.join(dir, 'out'), { recursive: true });
  for (const [name, t] of Object.entries(templates)) fs.writeFileSync(path.join(dir, 'out', `${name}.json`), JSON.stringify(t, null, 2));
}

describe('template cache', () => {
  test('builds everything the first time, then nothing while inputs and files are unchanged', () => {
    const b = builder();
    const first = cachedTemplates(dir, requests({ x: 1 }, { y: 1 }), b.build);
    write(first);
    const second = cachedTemplates(dir, requests({ x: 1 }, { y: 1 }), b.build);
    expect(b.calls).toEqual([['a', 'b']]);
    expect(second).toEqual(first);
    expect(fs.existsSync(path.join(dir, TEMPLATE_CACHE_FILE))).toBe(true);
  });

  test('rebuilds only the template whose inputs changed', () => {
    const b = builder();
    write(cachedTemplates(dir, requests({ x: 1 }, { y: 1 }), b.build));
    cachedTemplates(dir, requests({ x: 2 }, { y: 1 }), b.build);
    expect(b.calls).toEqual([['a', 'b'], ['a']]);
  });

  test('rebuilds a template whose file was edited by hand or deleted', () => {
    const b = builder();
    write(cachedTemplates(dir, requests({ x: 1 }, { y: 1 }), b.build));
    fs.writeFileSync(path.join(dir, 'out/a.json'), JSON.stringify({ Description: 'edited', Resources: {} }));
    fs.rmSync(path.join(dir, 'out/b.json'));
    const again = cachedTemplates(dir, requests({ x: 1 }, { y: 1 }), b.build);
    expect(b.calls).toEqual([['a', 'b'], ['a', 'b']]);
    expect(again.a).toEqual({ Description: 'template a', Resources: {} });
  });

  test('BATCHFORM_TEMPLATE_CACHE=off builds everything every time', () => {
    const b = builder();
    write(cachedTemplates(dir, requests({ x: 1 }, { y: 1 }), b.build));
    process.env.BATCHFORM_TEMPLATE_CACHE = 'off';
    try {
      cachedTemplates(dir, requests({ x: 1 }, { y: 1 }), b.build);
    } finally {
      delete process.env.BATCHFORM_TEMPLATE_CACHE;
    }
    expect(b.calls).toEqual([['a', 'b'], ['a', 'b']]);
  });

  test('a corrupt cache file only means everything is built again', () => {
    const b = builder();
    write(cachedTemplates(dir, requests({ x: 1 }, { y: 1 }), b.build));
    fs.writeFileSync(path.join(dir, TEMPLATE_CACHE_FILE), '{not json');
    cachedTemplates(dir, requests({ x: 1 }, { y: 1 }), b.build);
    expect(b.calls).toEqual([['a', 'b'], ['a', 'b']]);
  });
});
