// docs/reference/iam.md: the IAM policies of the roles the bootstrap stack creates and of the batch
// permissions boundary, from the functions in src/bootstrap/*-policy.ts that build them (resolved in
// a throwaway CDK stack, with the bootstrap template's resources and parameters as placeholders).
import { App, Fn, Stack } from 'aws-cdk-lib';
import * as ts from 'typescript';
import { code, generatedMarker, page, table } from './markdown';
import { docOf, ReadSource, readRepoFile, Sources } from './options';
import { batchBoundaryStatements, HAS_ASSUMABLE_ROLES } from '../../src/bootstrap/batch-boundary-policy';
import { deployStatements } from '../../src/bootstrap/deploy-role-policy';
import { executionStatements } from '../../src/bootstrap/execution-role-policy';
import { operatorStatements } from '../../src/bootstrap/operator-role-policy';
import type { PolicyScope, Statement } from '../../src/bootstrap/policy-parts';
import { DETECTS_DRIFT, previewStatements } from '../../src/bootstrap/preview-role-policy';
import { describeClaimKeys, SUBJECT_CLAIM_KEY_SETS, trustedSubjects } from '../../src/bootstrap/trust';
import { BOOTSTRAP_LOGICAL_IDS } from '../../src/model/bootstrap-names';

type Json = any;

/** One policy: a title, the function that builds it (its TSDoc is the policy's description) and its statements. */
export interface PolicyDoc {
  readonly title: string;
  readonly file: string;
  readonly builder: string;
  readonly statements: Statement[];
}

/** The bootstrap template's resources the policies name, as the template passes them. */
const SCOPE: PolicyScope = {
  bucketArn: Fn.getAtt(BOOTSTRAP_LOGICAL_IDS.bucket, 'Arn').toString(),
  executionRoleArn: Fn.getAtt(BOOTSTRAP_LOGICAL_IDS.executionRole, 'Arn').toString(),
};

/** Every policy, built as the bootstrap template builds it. */
export function bootstrapPolicies(): PolicyDoc[] {
  return [
    { title: 'Deploy role', file: 'src/bootstrap/deploy-role-policy.ts', builder: 'deployStatements', statements: deployStatements(SCOPE) },
    { title: 'Preview role', file: 'src/bootstrap/preview-role-policy.ts', builder: 'previewStatements', statements: previewStatements(SCOPE) },
    {
      title: 'CloudFormation execution role',
      file: 'src/bootstrap/execution-role-policy.ts',
      builder: 'executionStatements',
      statements: executionStatements(SCOPE.bucketArn, Fn.ref(BOOTSTRAP_LOGICAL_IDS.boundary)),
    },
    { title: 'Operator role', file: 'src/bootstrap/operator-role-policy.ts', builder: 'operatorStatements', statements: operatorStatements() },
    {
      title: 'Batch permissions boundary',
      file: 'src/bootstrap/batch-boundary-policy.ts',
      builder: 'batchBoundaryStatements',
      statements: batchBoundaryStatements(),
    },
  ];
}

const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': '<region>', 'AWS::AccountId': '<account>', 'AWS::URLSuffix': 'amazonaws.com' };

/** A resolved CloudFormation value as text: `${StackPrefix}` as `<StackPrefix>`, `Fn::GetAtt` as `<Bucket.Arn>`. */
export function valueText(v: Json, vars: Record<string, string> = {}): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((x) => valueText(x, vars)).join(', ');
  if (v && typeof v === 'object') {
    if ('Ref' in v) return PSEUDO[v.Ref] ?? `<${v.Ref}>`;
    if ('Fn::GetAtt' in v) return `<${[v['Fn::GetAtt']].flat().join('.')}>`;
    if ('Fn::Join' in v) return (v['Fn::Join'][1] as Json[]).map((x) => valueText(x, vars)).join(v['Fn::Join'][0]);
    if ('Fn::Sub' in v) {
      const [template, map] = Array.isArray(v['Fn::Sub']) ? v['Fn::Sub'] : [v['Fn::Sub'], {}];
      const local = Object.fromEntries(Object.entries(map as Record<string, Json>).map(([k, x]) => [k, valueText(x, vars)]));
      return (template as string).replace(/\$\{([^}!]+)\}/g, (_m, name: string) => local[name] ?? PSEUDO[name] ?? `<${name}>`);
    }
  }
  return JSON.stringify(v);
}

function list(v: Json): string {
  return [v].flat().map((x: Json) => code(valueText(x))).join(', ');
}

function conditionText(condition: Json): string {
  if (!condition) return '';
  return Object.entries(condition as Record<string, Record<string, Json>>).flatMap(([op, tests]) =>
    Object.entries(tests).map(([key, value]) => `${code(op)} ${code(key)}: ${[value].flat().map((x: Json) => code(valueText(x))).join(' or ')}`),
  ).join('; ');
}

function statementRow(st: Json, when?: string): string[] {
  const known = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
  const unknown = Object.keys(st).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new Error(`docs: statement ${st.Sid} has ${unknown.join(', ')}; teach projenrc/reference/iam.ts to show it`);
  return [
    `${code(st.Sid ?? '(no Sid)')}${when ? ` (${when})` : ''}`,
    st.Effect,
    st.NotAction ? `every action but ${list(st.NotAction)}` : list(st.Action),
    st.NotResource ? `every resource but ${list(st.NotResource)}` : list(st.Resource),
    conditionText(st.Condition),
  ];
}

/** Rows of a resolved statement list; `Fn::If` statements become one row per branch, marked with the condition. */
function statementRows(statements: Json[]): string[][] {
  return statements.flatMap((st) => {
    if (st && 'Fn::If' in st) {
      const [cond, yes, no] = st['Fn::If'];
      const rows = [statementRow(yes, `only when ${code(cond)}`)];
      if (!(no && no.Ref === 'AWS::NoValue')) rows.push(statementRow(no, `only when not ${code(cond)}`));
      return rows;
    }
    return [statementRow(st)];
  });
}

/** The TSDoc of a top-level function or constant of a source file. */
function declarationDoc(sources: Sources, file: string, name: string): string {
  for (const st of sources.file(file).statements) {
    if (ts.isFunctionDeclaration(st) && st.name?.text === name) return docOf(st).text;
    const declares = (d: ts.VariableDeclaration) => ts.isIdentifier(d.name) && d.name.text === name;
    if (ts.isVariableStatement(st) && st.declarationList.declarations.some(declares)) return docOf(st).text;
  }
  throw new Error(`docs: ${file} has no ${name}`);
}

/** The Markdown page of the bootstrap's IAM policies. */
export function renderIam(policies: PolicyDoc[] = bootstrapPolicies(), read: ReadSource = readRepoFile): string {
  const sources = new Sources(read);
  const stack = new Stack(new App(), 'Docs');
  const lines = [
    '# IAM policies',
    '',
    generatedMarker('the policy builders in src/bootstrap/*-policy.ts'),
    '',
    'What each role the bootstrap stack (`npx projen bootstrap:<stage>`) creates may do, and what the permissions boundary',
    'of every batch role leaves a batch, statement by statement, as the bootstrap template holds them. In the resources:',
    '',
    '- `<StackPrefix>`, `<ArtifactPrefix>`, `<ArtifactBucketName>`, `<StageName>`, `<AssumableRoleArns>`: the bootstrap',
    '  template\'s parameters, filled in from the stage (its `stackPrefix`, `artifactPrefix`, `artifactBucket`, name, `assumableRoleArns`);',
    `- \`<${BOOTSTRAP_LOGICAL_IDS.bucket}.Arn>\`, \`<${BOOTSTRAP_LOGICAL_IDS.executionRole}.Arn>\`, \`<${BOOTSTRAP_LOGICAL_IDS.boundary}>\`: the ARNs of the artifact bucket, the`,
    '  CloudFormation execution role and the batch permissions boundary the same stack creates;',
    '- `<region>`, `<account>`: the stage\'s region and account.',
    '',
    'Conditions of the template that switch statements on or off:',
    '',
    `- ${code(DETECTS_DRIFT)} (from the stage's \`driftDetection\`, on by default): ${declarationDoc(sources, 'src/bootstrap/preview-role-policy.ts', 'DETECTS_DRIFT')}`,
    `- ${code(HAS_ASSUMABLE_ROLES)} (the stage's \`assumableRoleArns\` is not empty): ${declarationDoc(sources, 'src/bootstrap/batch-boundary-policy.ts', 'HAS_ASSUMABLE_ROLES')}`,
    '',
    'The tests in test/iam evaluate these policies as IAM does, request by request.',
    '',
    '- [Who may assume the deploy and preview roles](#who-may-assume-the-deploy-and-preview-roles)',
    ...policies.map((p) => `- [${p.title}](#${p.title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')})`),
  ];
  const immutable = trustedSubjects({
    repository: 'OWNER/REPO', environment: '<environment>', branch: '<deployBranch>', ids: { owner: '<owner id>', repository: '<repository id>' },
  }).deploy[1];
  lines.push(
    '', '## Who may assume the deploy and preview roles', '',
    'GitHub Actions jobs of the stage\'s repository, by their OIDC token\'s subject (`sub`, matched exactly), which depends on the',
    'repository\'s subject template (the `githubSubjectClaimKeys` option; see `trustedSubjects()` in src/bootstrap/trust.ts).',
    'With the `GitHubOwnerId` and `GitHubRepositoryId` parameters (`npx projen bootstrap:<stage> GitHubOwnerId=... GitHubRepositoryId=...`),',
    `the roles also trust GitHub's immutable form of each subject, e.g. ${code(immutable)}. No pull-request job is trusted.`,
    '',
    ...table(['githubSubjectClaimKeys', 'Deploy role (deploy jobs, in the stage\'s environment)', 'Preview role (the preview job)'],
      SUBJECT_CLAIM_KEY_SETS.map((keys) => {
        const subjects = trustedSubjects({ repository: 'OWNER/REPO', environment: '<environment>', branch: '<deployBranch>', claimKeys: keys });
        return [code(describeClaimKeys(keys)), list(subjects.deploy), list(subjects.preview)];
      })),
  );
  for (const p of policies) {
    lines.push(
      '', `## ${p.title}`, '',
      `Built by ${code(`${p.builder}()`)} in ${code(p.file)}.`, '',
      declarationDoc(sources, p.file, p.builder), '',
      ...table(['Sid', 'Effect', 'Actions', 'Resources', 'Condition'], statementRows(stack.resolve(p.statements) as Json[])),
    );
  }
  return page(lines);
}
