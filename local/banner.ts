export interface BannerFacts {
  apiUrl: string;
  edgeUrl: string;
  dataDir: string | null;
  jobTypes: string[];
  /** Where the job types come from, when not the project's default registry (`skyforge dev`). */
  jobsModule?: string;
  /** Whether the functions' AWS calls are checked against their IAM policies. */
  iam?: boolean;
  /** Fault injection, when on. */
  faults?: { rate: number; seed: number };
  /** The OTLP collector spans go to, when OpenTelemetry export is on. */
  otelEndpoint?: string;
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
  const types = `${facts.jobTypes.length > 0 ? facts.jobTypes.join(', ') : '(none registered)'}${facts.jobsModule ? `   from ${facts.jobsModule}` : ''}`;
  // A job to try: demo.echo when it is there, else one of the user's types (its payload is theirs to fill in).
  const tryType = facts.jobTypes.includes('demo.echo') ? 'demo.echo' : facts.jobTypes[0];
  const tryLine =
    tryType === 'demo.echo'
      ? `    curl -s ${api.replace(/^http:\/\//, '')}/jobs -H 'content-type: application/json' -d '{"type":"demo.echo","payload":{"hello":"world"}}'`
      : `    npx skyforge enqueue ${tryType} '<payload json>' --wait --url ${api}`;
  return [
    '',
    'SkyForge local cloud is running',
    '',
    `  API        ${api}`,
    `  Dashboard  ${api}/ui/`,
    `  AWS edge   ${edge}   DynamoDB + SQS; for the AWS CLI or SDKs: export AWS_ENDPOINT_URL=${edge}`,
    `  Data       ${facts.dataDir ?? 'in memory (nothing is saved)'}`,
    `  Job types  ${types}`,
    ...(facts.iam === undefined
      ? []
      : [`  IAM        ${facts.iam ? "each function's calls checked against its synthesized policy (--no-iam: off)" : 'off (--no-iam)'}`]),
    ...(facts.faults
      ? [`  Faults     ON: ${facts.faults.rate * 100}% of the functions' AWS calls fail as AWS does under stress (seed ${facts.faults.seed}); counted in /metrics`]
      : []),
    ...(facts.otelEndpoint ? [`  Traces     OpenTelemetry spans to ${facts.otelEndpoint}/v1/traces (OTLP/HTTP JSON)`] : []),
    '',
    ...(tryType === undefined
      ? []
      : ['  Try:', tryLine, '']),
    '  Ctrl-C stops (running jobs get up to 10 s to finish); a second Ctrl-C quits at once.',
    '',
  ].join('\n');
}
