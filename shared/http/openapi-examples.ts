/**
 * Examples of the main bodies for the OpenAPI document (API.md's own examples). They are shown by
 * documentation tools and generated clients; a unit test parses each with the zod schema it
 * illustrates, and `redocly lint` checks them against the document's schemas.
 */
export const OPENAPI_EXAMPLES = {
  jobRequest: {
    type: 'email.send',
    payload: { to: 'a@b.com' },
    priority: 'high',
    maxAttempts: 5,
    backoff: { type: 'exponential', delayMs: 2000, maxDelayMs: 300000, jitter: false },
    timeoutMs: 30000,
    delayMs: 60000,
    idempotencyKey: 'order-42-receipt',
    metadata: { tenant: 'acme' },
  },
  job: {
    id: '01JEB7Z3Q8W0N5M4K2H1G0F9E8',
    type: 'email.send',
    payload: { to: 'a@b.com' },
    priority: 'high',
    status: 'SUCCEEDED',
    attempts: 1,
    maxAttempts: 5,
    backoff: { type: 'exponential', delayMs: 2000, maxDelayMs: 300000, jitter: false },
    timeoutMs: 30000,
    runAt: null,
    nextRunAt: null,
    createdAt: '2026-12-05T00:00:00.000Z',
    updatedAt: '2026-12-05T00:01:00.412Z',
    startedAt: '2026-12-05T00:01:00.105Z',
    finishedAt: '2026-12-05T00:01:00.412Z',
    result: { messageId: 'm-1' },
    progress: null,
    lastError: null,
    idempotencyKey: 'order-42-receipt',
    metadata: { tenant: 'acme' },
    scheduleName: null,
    history: [{ attempt: 1, startedAt: '2026-12-05T00:01:00.105Z', finishedAt: '2026-12-05T00:01:00.412Z', outcome: 'SUCCEEDED', error: null }],
    deadReason: null,
    cancelReason: null,
    flowControl: null,
    throttledUntil: null,
    throttleReason: null,
  },
  flowRequest: {
    idempotencyKey: 'order-42',
    jobs: [
      { ref: 'fetch', type: 'demo.echo', payload: {} },
      { ref: 'resize', type: 'demo.echo', payload: {}, dependsOn: ['fetch'] },
      { ref: 'notify', type: 'demo.echo', payload: {}, dependsOn: ['fetch', 'resize'], onDependencyFailure: 'cancel' },
    ],
  },
  batchRequest: { jobs: [{ type: 'demo.echo', payload: { n: 1 } }, { type: 'demo.sleep', payload: { ms: 2000 }, priority: 'low' }] },
  scheduleCreate: {
    name: 'nightly-report',
    expression: 'cron(0 2 * * ? *)',
    timezone: 'Europe/Berlin',
    job: { type: 'report.generate', payload: {}, priority: 'low' },
    enabled: true,
  },
  error: {
    code: 'VALIDATION_ERROR',
    message: 'maxAttempts must be between 1 and 100',
    details: { field: 'maxAttempts', issues: [{ field: 'maxAttempts', message: 'maxAttempts must be between 1 and 100' }] },
    requestId: '3f2c9a4e-5b1d-4c7e-9f0a-8d6b2e1c4a7f',
  },
} as const;
