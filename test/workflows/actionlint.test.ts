import * as fs from 'fs';
import * as path from 'path';
import {
  actionlintWithShellcheck, formatFindings, LintFinding, sanitizeExpressions, shellcheckVersion,
} from './harness/actionlint';

const ROOT = path.resolve(__dirname, '../..');

/** Lints one workflow text as `.github/workflows/ci.yml`. */
const lintOne = (text: string): Promise<LintFinding[]> => actionlintWithShellcheck([{ path: '.github/workflows/ci.yml', text }]);
const shellchecked = (findings: LintFinding[]) => findings.filter((f) => f.kind === 'shellcheck');

/** A workflow with one job whose steps are given as YAML lines at step indentation. */
function workflow(steps: string, job = 'runs-on: ubuntu-latest', top = ''): string {
  return `name: ci
on: push
${top}jobs:
  build:
    ${job}
    steps:
${steps}`;
}

describe('actionlint with shellcheck', () => {
  test('passes a clean workflow: quoted variables, expressions passed through env', async () => {
    const text = workflow(`      - uses: actions/checkout@v4
      - name: Greet
        env:
          TITLE: \${{ github.event.head_commit.message }}
        run: |
          echo "hello $TITLE"
          if [ -n "\${{ github.ref }}" ]; then echo "on a ref"; fi
`);
    expect(await lintOne(text)).toEqual([]);
  });

  test('reports unquoted $VAR (SC2086) at the run: key, with the script line and column in the message', async () => {
    const text = workflow(`      - name: Greet
        run: |
          echo hello
          echo $GREETING
`);
    expect(await lintOne(text)).toEqual([{
      file: '.github/workflows/ci.yml',
      line: 8,
      column: 9,
      kind: 'shellcheck',
      message: 'shellcheck reported issue in this script: SC2086:info:2:6: Double quote to prevent globbing and word splitting',
    }]);
  });

  test('formats findings as actionlint prints them', async () => {
    const text = workflow(`      - run: echo $GREETING
`);
    expect(formatFindings(await lintOne(text))).toBe(
      '.github/workflows/ci.yml:7:9: shellcheck reported issue in this script: SC2086:info:1:6: Double quote to prevent globbing and word splitting [shellcheck]');
  });

  describe('${{ }} expressions in scripts', () => {
    test('are replaced by as many underscores as they have bytes', () => {
      expect(sanitizeExpressions('echo "${{ a }}" ${{ b }}')).toBe('echo "________" ________');
      // Ten characters, eleven bytes: "é" is two bytes in UTF-8, and Go's indexes count bytes.
      expect(sanitizeExpressions("x=${{ 'é' }}")).toBe(`x=${'_'.repeat(11)}`);
      expect(sanitizeExpressions('echo ${{ unclosed')).toBe('echo ${{ unclosed');
      // A newline inside an expression is replaced too, so later lines shift (as actionlint notes).
      expect(sanitizeExpressions('a\n${{\nb }}c')).toBe('a\n________c');
    });

    test('an untrusted title in a script: actionlint\'s own check reports it, the placeholder keeps shellcheck quiet and columns true', async () => {
      const text = workflow(`      - run: echo \${{ github.event.pull_request.title }} $REST
`);
      const findings = await lintOne(text);
      expect(findings.map((f) => f.kind)).toEqual(['shellcheck', 'expression']);
      // $REST's column in the script as written: the placeholder has the expression's length.
      const col = 'echo ${{ github.event.pull_request.title }} $REST'.indexOf('$REST') + 1;
      expect(findings[0]).toMatchObject({ line: 7, column: 9, message: `shellcheck reported issue in this script: SC2086:info:1:${col}: Double quote to prevent globbing and word splitting` });
      expect(findings[1].line).toBe(7);
      expect(findings[1].message).toMatch(/"github\.event\.pull_request\.title" is potentially untrusted/);
    });

    test('the codes actionlint excludes are not reported (each fires without -e: SC2157 SC2194 SC2050 SC2043 SC2154 SC2153 SC1091)', async () => {
      const text = workflow(`      - run: |
          if [ -z \${{ env.FOO }} ]; then echo empty; fi
          case \${{ matrix.os }} in x) echo x;; esac
          if [ "\${{ matrix.os }}" = "x" ]; then echo x; fi
          for f in \${{ matrix.files }}; do echo "$f"; done
          echo "$set_by_env_section"
          MY_VALUE=1
          echo "$MY_VALUES $MY_VALUE"
          source ./not-in-this-checkout.sh
`, 'runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        os: [x]\n        files: [a]');
      expect(await lintOne(text)).toEqual([]);
    });
  });

  describe('which scripts shellcheck reads', () => {
    const unquoted = '        run: echo $X\n';

    test.each([
      ['shell: pwsh', `      - shell: pwsh\n${unquoted}`, 'runs-on: ubuntu-latest', ''],
      ['a windows runner (default shell pwsh)', `      - name: a\n${unquoted}`, 'runs-on: windows-latest', ''],
      ['job defaults.run.shell: pwsh', `      - name: a\n${unquoted}`, 'runs-on: ubuntu-latest\n    defaults:\n      run:\n        shell: pwsh', ''],
      ['workflow defaults.run.shell: cmd', `      - name: a\n${unquoted}`, 'runs-on: ubuntu-latest', 'defaults:\n  run:\n    shell: cmd\n'],
    ])('skips %s', async (_name, steps, job, top) => {
      expect(shellchecked(await lintOne(workflow(steps, job, top)))).toEqual([]);
    });

    test.each([
      ['the default (bash)', `      - name: a\n${unquoted}`, 'runs-on: ubuntu-latest', ''],
      ['shell: bash on a windows runner', `      - shell: bash\n${unquoted}`, 'runs-on: [self-hosted, windows-2022]', ''],
      ['shell: sh -e {0}', `      - shell: sh -e {0}\n${unquoted}`, 'runs-on: ubuntu-latest', ''],
      ['workflow defaults.run.shell: bash over a windows runner', `      - name: a\n${unquoted}`, 'runs-on: windows-latest', 'defaults:\n  run:\n    shell: bash\n'],
      ['a runs-on expression (not known to be windows)', `      - name: a\n${unquoted}`, 'runs-on: ${{ matrix.os }}\n    strategy:\n      matrix:\n        os: [windows-latest]', ''],
    ])('checks %s', async (_name, steps, job, top) => {
      const found = shellchecked(await lintOne(workflow(steps, job, top)));
      expect(found.map((f) => f.message)).toEqual(['shellcheck reported issue in this script: SC2086:info:1:6: Double quote to prevent globbing and word splitting']);
    });

    test('runs sh scripts as sh: bashisms are reported, set -e is the setup line', async () => {
      const text = workflow(`      - name: a
        run: |
          [[ -n "$X" ]] && echo yes
`, 'runs-on: ubuntu-latest\n    defaults:\n      run:\n        shell: sh', 'defaults:\n  run:\n    shell: bash\n');
      expect(shellchecked(await lintOne(text)).map((f) => f.message)).toEqual([
        'shellcheck reported issue in this script: SC3010:warning:1:1: In POSIX sh, [[ ]] is undefined',
      ]);
    });

    test('refuses a Python step rather than pass it unchecked (the image runs pyflakes on it)', async () => {
      const text = workflow('      - shell: python\n        run: print(x)\n');
      await expect(lintOne(text)).rejects.toThrow(/ci\.yml:8:9: .*shell is Python.*pyflakes/);
    });
  });

  test('a missing shellcheck is an error that says how to install it, never a silent skip', async () => {
    await expect(actionlintWithShellcheck([{ path: 'a.yml', text: workflow('      - run: echo hi\n') }], { shellcheck: 'shellcheck-absent-here' }))
      .rejects.toThrow(/shellcheck not found: `shellcheck-absent-here`.*apt-get install -y shellcheck/);
  });

  describe('the control: .github/workflows/release.yml as projen writes it', () => {
    const file = '.github/workflows/release.yml';
    let findings: LintFinding[];
    beforeAll(async () => {
      findings = await actionlintWithShellcheck([{ path: file, text: fs.readFileSync(path.join(ROOT, file), 'utf8') }], { cwd: ROOT });
    });

    test('has the unquoted $TAG and $GITHUB_OUTPUT (SC2086) that the image reports', () => {
      expect(formatFindings(findings.filter((f) => /SC2086/.test(f.message)))).toBe([
        `${file}:54:9: shellcheck reported issue in this script: SC2086:info:2:139: Double quote to prevent globbing and word splitting [shellcheck]`,
        `${file}:54:9: shellcheck reported issue in this script: SC2086:info:2:64: Double quote to prevent globbing and word splitting [shellcheck]`,
        `${file}:54:9: shellcheck reported issue in this script: SC2086:info:2:95: Double quote to prevent globbing and word splitting [shellcheck]`,
        `${file}:54:9: shellcheck reported issue in this script: SC2086:info:3:5: Double quote to prevent globbing and word splitting [shellcheck]`,
        `${file}:62:9: shellcheck reported issue in this script: SC2086:info:1:76: Double quote to prevent globbing and word splitting [shellcheck]`,
        `${file}:62:9: shellcheck reported issue in this script: SC2086:info:2:5: Double quote to prevent globbing and word splitting [shellcheck]`,
      ].join('\n'));
    });

    test('has exactly these findings under Debian\'s shellcheck 0.9.0 (0.11.0 makes SC2236 optional)', () => {
      expect(shellcheckVersion()).toBe('0.9.0');
      expect(findings.filter((f) => !/SC2086/.test(f.message)).map((f) => `${f.line}: ${f.message}`)).toEqual([
        '54: shellcheck reported issue in this script: SC2236:style:2:4: Use -n instead of ! -z',
        '110: shellcheck reported issue in this script: SC2015:info:1:32: Note that A && B || C is not if-then-else. C may run when A is true',
      ]);
    });
  });
});
