import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './cloud.ts';

export interface BannerFacts {
  apiUrl: string;
  edgeUrl: string;
  dataDir: string | null;
  /** null when the job registry could not be loaded. */
  jobTypes: string[] | null;
}

/** Shows a loopback URL as `localhost`, the name people type. */
function friendly(url: string): string {
  return url.replace('//127.0.0.1:', '//localhost:');
}

/**
 * The few lines `npm start` prints: where the API and the AWS endpoint are, where state lives,
 * which job types exist, and one command that submits a job.
 */
export function renderBanner(facts: BannerFacts): string {
  const api = friendly(facts.apiUrl);
  const edge = friendly(facts.edgeUrl);
  const types =
    facts.jobTypes === null ? '(job registry not available)' : facts.jobTypes.length > 0 ? facts.jobTypes.join(', ') : '(none registered)';
  const apiHostPort = api.replace(/^http:\/\//, '');
  return [
    '',
    'SkyForge local cloud is running',
    '',
    `  API        ${api}`,
    `  Dashboard  ${api}/ui/`,
    `  AWS edge   ${edge}   DynamoDB + SQS; for the AWS CLI or SDKs: export AWS_ENDPOINT_URL=${edge}`,
    `  Data       ${facts.dataDir ?? 'in memory (nothing is saved)'}`,
    `  Job types  ${types}`,
    '',
    '  Try:',
    `    curl -s ${apiHostPort}/jobs -H 'content-type: application/json' -d '{"type":"demo.echo","payload":{"hello":"world"}}'`,
    '',
    '  Ctrl-C stops (running jobs get up to 10 s to finish); a second Ctrl-C quits at once.',
    '',
  ].join('\n');
}

/**
 * The job types of the default registry, or null if it does not exist (yet) or fails to load.
 * Imported only after the local cloud set the environment, like the handlers.
 */
export async function loadJobTypes(): Promise<string[] | null> {
  try {
    const module = (await import(pathToFileURL(join(PROJECT_ROOT, 'shared/jobs/default-registry.ts')).href)) as {
      registry?: { types?: () => unknown };
    };
    const types = module.registry?.types?.();
    return Array.isArray(types) ? types.filter((t): t is string => typeof t === 'string').sort() : null;
  } catch {
    return null;
  }
}
