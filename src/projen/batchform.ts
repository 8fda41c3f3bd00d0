// projen glue: the component that turns declarations into cfn-out/ files and batchform tasks.
import { Component, JsonFile, Project } from 'projen';
import type { BatchOptions } from '../declare/batch';
import type { StageOptions } from '../declare/stage';
import { buildManifest } from '../manifest/manifest';
import { batchTemplates } from '../template/batch-template';
import { missedRunWindow } from '../template/missed-run-window';
import { addBatchBundleTasks, addBundleTasks } from './bundle-tasks';
import { validateDeclarations } from '../validate/validate';

/** Options of the batchform component. */
export interface BatchformOptions {
  /**
   * The scheduled batches. More can be added with `addBatch()`.
   * @default []
   */
  readonly batches?: BatchOptions[];
  /**
   * The deployment targets. More can be added with `addStage()`.
   * @default []
   */
  readonly stages?: StageOptions[];
  /**
   * Directory, relative to the project root, for the templates and the manifest.
   * @default 'cfn-out'
   */
  readonly outdir?: string;
  /**
   * The command that runs the batchform CLI in tasks.
   * @default 'batchform' (the installed package's bin)
   * @example 'tsx src/cli/main.ts' (this repository, which runs its own source)
   */
  readonly cliCommand?: string;
}

/** File name of the manifest inside the output directory. */
export const MANIFEST_FILE = 'manifest.json';

/**
 * Adds batchform to a projen project: validates the declared batches and stages on every
 * `npx projen`, writes one CloudFormation template per batch plus the deploy manifest, and adds
 * the `lint:cfn` and `schedule` tasks.
 *
 * Validation runs before projen touches any file, so an invalid declaration makes `npx projen`
 * fail with every problem listed and leaves the working tree as it was.
 *
 * @example
 * new Batchform(project, {
 *   stages: [{ name: 'prod', account: '111122223333', region: 'ap-northeast-2', artifactBucket: 'my-artifacts' }],
 *   batches: [{ name: 'daily-stats', handler: 'handlers/daily-stats.ts', schedule: 'cron(10 15 * * ? *)' }],
 * });
 */
export class Batchform extends Component {
  /** The output directory, relative to the project root. */
  public readonly outdir: string;
  private readonly batches: BatchOptions[];
  private readonly stages: StageOptions[];
  private readonly cli: string;

  constructor(project: Project, options: BatchformOptions = {}) {
    super(project, 'batchform');
    this.outdir = options.outdir ?? 'cfn-out';
    this.batches = [...(options.batches ?? [])];
    this.stages = [...(options.stages ?? [])];
    const cli = options.cliCommand ?? 'batchform';
    this.cli = cli;

    const lint = project.addTask('lint:cfn', {
      description: 'Lint every generated CloudFormation template (cfn-lint when on PATH, else the offline validator); fails on errors and warnings',
      exec: `${cli} lint-cfn ${this.outdir}`,
      receiveArgs: true,
    });
    // Templates are part of what the tests check: a template cfn-lint rejects fails the build.
    project.testTask.spawn(lint);

    project.addTask('schedule', {
      description: 'Show every batch with its schedule, a description and its next run times in UTC and its time zone',
      exec: `${cli} schedule --manifest ${this.outdir}/${MANIFEST_FILE}`,
      receiveArgs: true,
    });
    addBundleTasks(project, cli, `${this.outdir}/${MANIFEST_FILE}`);
  }

  /** Declares one more batch. */
  public addBatch(batch: BatchOptions): void {
    this.batches.push(batch);
  }

  /** Declares one more stage. */
  public addStage(stage: StageOptions): void {
    this.stages.push(stage);
  }

  /** Validates everything, then registers the generated files (before projen writes or deletes any). */
  public preSynthesize(): void {
    const validated = validateDeclarations({ batches: this.batches, stages: this.stages }, { projectDir: this.project.outdir });
    addBatchBundleTasks(this.project, this.cli, `${this.outdir}/${MANIFEST_FILE}`, validated.batches.map((b) => b.name));
    for (const b of validated.batches.filter((x) => x.alarms && x.enabled)) {
      const w = missedRunWindow(b);
      if (!w.supported) this.project.logger.warn(`batchform: batch "${b.name}" gets no missed-run alarm: ${w.reason}. Its failed-run, delivery and dead-letter alarms still apply.`);
    }
    const templates = batchTemplates(validated.batches);
    for (const [name, template] of Object.entries(templates)) {
      new JsonFile(this.project, `${this.outdir}/${name}.template.json`, { obj: template, marker: false, readonly: true });
    }
    new JsonFile(this.project, `${this.outdir}/${MANIFEST_FILE}`, {
      obj: buildManifest(validated, this.outdir), marker: false, readonly: true,
    });
  }
}
