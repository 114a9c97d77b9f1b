/**
 * The flags of the local cloud, as `npm start` (local/cli-options.ts) and `skyforge dev`
 * (cli/commands/dev.ts) both take them: a flag added here and to parseCliOptions is a flag of
 * both (test/unit/local-cloud-flags.test.ts checks that the two agree). No imports, so the CLI
 * can list them in its help without loading the local cloud.
 */
export interface LocalCloudFlag {
  type: 'string' | 'boolean';
  /** Placeholder of the value in help texts. */
  value?: string;
  description: string;
}

export const LOCAL_CLOUD_FLAGS = {
  jobs: { type: 'string', value: '<module>', description: 'your job registry module, e.g. src/jobs.ts (exports `jobs`); reloaded when it or a file it imports changes' },
  port: { type: 'string', value: '<n>', description: 'API port (env PORT, default 3000; 0 picks a free one)' },
  'edge-port': { type: 'string', value: '<n>', description: 'AWS edge port for DynamoDB, SQS and Scheduler (env EDGE_PORT, default 4566)' },
  'data-dir': { type: 'string', value: '<path>', description: 'state folder (env SKYFORGE_DATA_DIR, default .skyforge/)' },
  memory: { type: 'boolean', description: 'keep everything in memory; nothing is saved' },
  'demo-jobs': { type: 'boolean', description: 'register the demo.* types too (on for npm start)' },
  'no-iam': { type: 'boolean', description: "don't check the functions' AWS calls against their synthesized IAM policies (checked by default)" },
  faults: { type: 'string', value: '<rate>', description: "fail this share (0 to 0.5) of the functions' AWS calls as AWS does under stress (env SKYFORGE_FAULTS)" },
  'faults-seed': { type: 'string', value: '<n>', description: 'seed of the fault draws (env SKYFORGE_FAULTS_SEED, default 1)' },
  'queue-rate': {
    type: 'string',
    value: '<queue=n,...>',
    description: 'jobs per second a queue starts at most, e.g. normal=50,low=5 (env SKYFORGE_QUEUE_RATE_LIMITS as JSON)',
  },
  'otel-endpoint': {
    type: 'string',
    value: '<url>',
    description: 'export OpenTelemetry spans (OTLP/HTTP JSON) to this collector, e.g. http://127.0.0.1:4318 (env OTEL_EXPORTER_OTLP_ENDPOINT)',
  },
} as const satisfies Record<string, LocalCloudFlag>;

export type LocalCloudFlagName = keyof typeof LOCAL_CLOUD_FLAGS;
