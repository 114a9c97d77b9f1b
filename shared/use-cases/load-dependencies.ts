import type { Job } from '../domain/job.ts';
import type { DependencyOutcome } from '../jobs/registry.ts';
import type { Dependencies } from './dependencies.ts';

/**
 * ctx.dependencies of a flow job: its dependencies' status and result by ref, read when the
 * attempt starts (one BatchGetItem). A dependency no longer stored is left out.
 */
export async function loadDependencies(job: Pick<Job, 'dependsOn'>, deps: Pick<Dependencies, 'store' | 'clock'>): Promise<Record<string, DependencyOutcome>> {
  const ids = job.dependsOn ?? [];
  if (ids.length === 0) return {};
  const found = await deps.store.getMany(ids, deps.clock.now());
  return Object.fromEntries(found.map((dep) => [dep.ref ?? dep.id, { status: dep.status, result: dep.result }]));
}
