// projen tasks over handlers: bundle (all and per batch), package zips, and local invoke.
import type { Project } from 'projen';
import { addCliTask } from './cli-task';

/** Adds the tasks that do not depend on the batch list. */
export function addBundleTasks(project: Project, cli: string, manifest: string): void {
  addCliTask(project, 'bundle', {
    description: 'Bundle every batch handler with esbuild into dist/batches/<batch>/',
    exec: `${cli} bundle --manifest ${manifest}`,
  });
  const zips = addCliTask(project, 'package:batches', {
    description: 'Bundle and zip every batch deterministically; list zip, sha256 and size in dist/batches/bundles.json',
    exec: `${cli} package --manifest ${manifest}`,
  });
  project.packageTask.spawn(zips);
  addCliTask(project, 'invoke', {
    description: 'Run a batch locally with a Scheduled Event: npx projen invoke <batch> [--time ISO] [--stage s] [--fail-at STEP] (a durable batch runs its whole execution)',
    exec: `${cli} invoke --manifest ${manifest}`,
    receiveArgs: true,
  });
}

/** Adds `bundle:<batch>` for each batch. */
export function addBatchBundleTasks(project: Project, cli: string, manifest: string, batchNames: readonly string[]): void {
  for (const name of batchNames) {
    addCliTask(project, `bundle:${name}`, {
      description: `Bundle the handler of batch ${name}`,
      exec: `${cli} bundle ${name} --manifest ${manifest}`,
    });
  }
}
