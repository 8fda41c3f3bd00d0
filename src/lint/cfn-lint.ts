// The cfn-lint wrapper: the real cfn-lint when installed, else AWS's offline validator in aws-cdk-lib.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** How serious a finding is; errors and warnings fail the lint. */
export type LintSeverity = 'error' | 'warning' | 'info';

/** One finding in one template. */
export interface LintFinding {
  readonly template: string;
  readonly rule: string;
  readonly severity: LintSeverity;
  readonly message: string;
  /** Where in the template: a line number (cfn-lint) or a resource's logical id (offline). */
  readonly location?: string;
}

/** Which linter ran. */
export type LintEngine = 'cfn-lint' | 'offline';

/** The outcome of linting a set of templates. */
export interface LintResult {
  readonly engine: LintEngine;
  readonly templates: readonly string[];
  readonly findings: readonly LintFinding[];
  /** True when no finding is an error or a warning. */
  readonly ok: boolean;
  /** True when `auto` ran the offline validator because cfn-lint is not on PATH. */
  readonly cfnLintMissing?: boolean;
}

/** Options of {@link lintTemplates}. */
export interface LintOptions {
  /**
   * Which linter to use: `auto` picks cfn-lint when it is on PATH, else the offline validator.
   * @default 'auto'
   */
  readonly engine?: 'auto' | LintEngine;
  /**
   * cfn-lint executable.
   * @default 'cfn-lint'
   */
  readonly cfnLintCommand?: string;
}

/** Whether a cfn-lint executable answers `--version`. */
export function hasCfnLint(command = 'cfn-lint'): boolean {
  const r = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

/** The templates to lint for a path: the file itself, or every `*.template.json` in a directory. */
export function findTemplates(target: string): string[] {
  if (!fs.existsSync(target)) throw new Error(`lint:cfn: "${target}" does not exist; run "npx projen" to generate the templates.`);
  if (fs.statSync(target).isFile()) return [target];
  return fs.readdirSync(target).filter((f) => f.endsWith('.template.json')).sort().map((f) => path.join(target, f));
}

interface CfnLintMatch {
  Filename: string;
  Level: string;
  Message: string;
  Rule: { Id: string };
  Location?: { Start?: { LineNumber?: number } };
}

/** One mapping for both engines: cfn-lint's Error/Warning/Informational, the validator's error/fatal/warning/informational/debug. */
function severityOf(level: string): LintSeverity {
  const l = level.toLowerCase();
  if (l.startsWith('err') || l === 'fatal') return 'error';
  if (l.startsWith('warn')) return 'warning';
  return 'info';
}

function runCfnLint(templates: string[], command: string): LintFinding[] {
  const r = spawnSync(command, ['--format', 'json', '--', ...templates], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`lint:cfn: could not run ${command}: ${r.error.message}`);
  // cfn-lint's exit code is a bit mask of the levels found (2 error, 4 warning, 8 info); 1 is a crash.
  if (r.status === 1 || r.stdout.trim() === '') {
    if (r.status === 0) return [];
    throw new Error(`lint:cfn: ${command} failed (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim()}`);
  }
  const matches = JSON.parse(r.stdout) as CfnLintMatch[];
  return matches.map((m) => ({
    template: m.Filename,
    rule: m.Rule.Id,
    severity: severityOf(m.Level),
    message: m.Message,
    location: m.Location?.Start?.LineNumber !== undefined ? `line ${m.Location.Start.LineNumber}` : undefined,
  }));
}

function runOffline(templates: string[]): LintFinding[] {
  // aws-cdk-lib ships AWS's offline CloudFormation validator (WebAssembly) as a validation plugin;
  // it is loaded only here, so regeneration never pays for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CloudFormationValidatePlugin } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const plugin = new CloudFormationValidatePlugin();
  const findings: LintFinding[] = [];
  for (const template of templates) {
    const report = plugin.validate({
      templatePaths: [path.resolve(template)],
      stackTemplates: [{
        stackConstructPath: path.basename(template), templatePath: path.resolve(template), accountId: undefined, region: undefined,
      }],
    } as Parameters<typeof plugin.validate>[0]);
    for (const v of report.violations) {
      const severity = severityOf(v.severity ?? 'error');
      const resources = v.violatingResources.map((r) => r.resourceLogicalId).filter(Boolean);
      findings.push({
        template,
        rule: v.ruleName,
        severity,
        message: v.description + (v.fix ? ` (${v.fix})` : ''),
        location: resources.length ? resources.join(', ') : undefined,
      });
    }
  }
  return findings;
}

/** Lints templates with the chosen engine and reports every finding. */
export function lintTemplates(templates: readonly string[], options: LintOptions = {}): LintResult {
  const command = options.cfnLintCommand ?? 'cfn-lint';
  const chosen = options.engine === 'offline' || options.engine === 'cfn-lint';
  const engine: LintEngine = chosen ? options.engine as LintEngine : hasCfnLint(command) ? 'cfn-lint' : 'offline';
  const findings = templates.length === 0 ? [] : engine === 'cfn-lint' ? runCfnLint([...templates], command) : runOffline([...templates]);
  return {
    engine, templates, findings, ok: !findings.some((f) => f.severity !== 'info'), ...(!chosen && engine === 'offline' ? { cfnLintMissing: true } : {}),
  };
}

/** How the summary names each engine. */
const ENGINE_NAMES: Record<LintEngine, string> = { 'cfn-lint': 'cfn-lint', 'offline': 'offline validator of aws-cdk-lib' };

/** How to get cfn-lint, said after the offline validator's summary: it has fewer rules than cfn-lint. */
export const INSTALL_CFN_LINT = 'cfn-lint checks more (schedule expressions among them): install it with "pipx install cfn-lint" (or "pip install cfn-lint") and run lint:cfn again.';

/** Renders a lint result for a terminal: the findings, then which linter ran and what it found. */
export function formatLintResult(result: LintResult): string {
  const lines = result.findings.map((f) => `${f.template}${f.location ? ` (${f.location})` : ''}: ${f.severity} ${f.rule}: ${f.message}`);
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const warnings = result.findings.filter((f) => f.severity === 'warning').length;
  lines.push(`lint:cfn (${ENGINE_NAMES[result.engine]}): ${result.templates.length} template(s), ${errors} error(s), ${warnings} warning(s)${result.ok ? '' : ' - FAILED'}`);
  if (result.engine === 'offline') {
    lines.push(`lint:cfn: ${result.cfnLintMissing ? 'cfn-lint is not on PATH, so the offline validator ran' : 'the offline validator ran, as asked'}. ${INSTALL_CFN_LINT}`);
  }
  return lines.join('\n');
}
