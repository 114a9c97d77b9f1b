import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { PRIORITIES, type Priority } from '../../shared/config/definitions.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';

describe('local cloud wiring (injected handlers)', () => {
  let cloud: LocalCloud;
  const workerEvents: SQSEvent[] = [];
  const deadLetterEvents: SQSEvent[] = [];
  const envBefore = process.env['SKYFORGE_TABLE_NAME'];

  beforeAll(async () => {
    cloud = await startLocalCloud({
      port: 0,
      edgePort: 0,
      memory: true,
      quiet: true,
      env: { SKYFORGE_CANCEL_POLL_MS: '100' },
      handlers: {
        // Like the real api handler: an SDK client configured only by the environment.
        api: async (event) => {
          const sqs = new SQSClient({});
          const [, target, priority] = event.rawPath.split('/') as [string, string, Priority];
          const urls = JSON.parse(process.env[target === 'dlq' ? 'SKYFORGE_DLQ_URLS' : 'SKYFORGE_QUEUE_URLS'] ?? '{}') as Record<Priority, string>;
          await sqs.send(new SendMessageCommand({ QueueUrl: urls[priority], MessageBody: event.body ?? '' }));
          sqs.destroy();
          return { statusCode: 202, body: '' };
        },
        worker: async (event) => {
          workerEvents.push(event);
          return { batchItemFailures: [] };
        },
        deadLetter: async (event) => {
          deadLetterEvents.push(event);
          return { batchItemFailures: [] };
        },
      },
    });
  });

  afterAll(async () => {
    await cloud?.stop();
  });

  it('sets the environment the CDK stack gives the functions', () => {
    expect(cloud.env).toMatchObject({
      SKYFORGE_TABLE_NAME: 'skyforge-jobs',
      AWS_ENDPOINT_URL: cloud.edgeUrl,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      SKYFORGE_CANCEL_POLL_MS: '100',
    });
    const queueUrls = JSON.parse(cloud.env['SKYFORGE_QUEUE_URLS'] ?? '{}') as Record<string, string>;
    const dlqUrls = JSON.parse(cloud.env['SKYFORGE_DLQ_URLS'] ?? '{}') as Record<string, string>;
    expect(Object.keys(queueUrls).sort()).toEqual([...PRIORITIES].sort());
    expect(queueUrls['critical']).toBe(`${cloud.edgeUrl}/000000000000/skyforge-critical`);
    expect(dlqUrls['low']).toBe(`${cloud.edgeUrl}/000000000000/skyforge-low-dlq`);
    for (const [name, value] of Object.entries(cloud.env)) expect(process.env[name]).toBe(value);
    expect(cloud.dataDir).toBeNull();
  });

  it.each(PRIORITIES)('runs the worker for a message on the %s queue, sent by the api handler', async (priority) => {
    // Act
    const response = await fetch(`${cloud.apiUrl}/send/${priority}`, { method: 'POST', body: `job-${priority}`, headers: { 'content-type': 'text/plain' } });

    // Assess
    expect(response.status).toBe(202);
    await expect
      .poll(() => workerEvents.flatMap((e) => e.Records).find((r) => r.body === `job-${priority}`)?.eventSourceARN, { timeout: 5_000 })
      .toBe(`arn:aws:sqs:us-east-1:000000000000:skyforge-${priority}`);
  });

  it('runs the dead-letter function for a message on a DLQ', async () => {
    const response = await fetch(`${cloud.apiUrl}/dlq/low`, { method: 'POST', body: 'dead-job', headers: { 'content-type': 'text/plain' } });
    expect(response.status).toBe(202);
    await expect
      .poll(() => deadLetterEvents.flatMap((e) => e.Records).find((r) => r.body === 'dead-job')?.eventSourceARN, { timeout: 5_000 })
      .toBe('arn:aws:sqs:us-east-1:000000000000:skyforge-low-dlq');
    expect(workerEvents.flatMap((e) => e.Records).some((r) => r.body === 'dead-job')).toBe(false);
  });

  it('puts the environment back on stop', async () => {
    await cloud.stop();
    expect(process.env['SKYFORGE_TABLE_NAME']).toBe(envBefore);
    expect(process.env['AWS_ENDPOINT_URL']).not.toBe(cloud.edgeUrl);
    await expect(fetch(`${cloud.apiUrl}/send/low`, { method: 'POST', body: 'x' })).rejects.toThrow();
  });
});

describe('local cloud with the project handlers', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true });
  });

  afterAll(async () => {
    await cloud?.stop();
  });

  it('serves the api handler of functions/api', async () => {
    const response = await fetch(`${cloud.apiUrl}/healthz`);
    expect(response.status).toBe(200);
  });

  it('runs a second cloud in the same process on its own endpoints and table', async () => {
    const second = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true, demoJobs: false });
    try {
      expect(second.edgeUrl).not.toBe(cloud.edgeUrl);
      expect(second.jobTypes()).toEqual([]);
      const submitted = await fetch(`${cloud.apiUrl}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'demo.echo', payload: { n: 1 } }),
      });
      expect(submitted.status).toBe(201);
      const { id } = (await submitted.json()) as { id: string };
      // The job lives in the first cloud's table only: the second one's handlers talk to its own.
      expect((await fetch(`${second.apiUrl}/jobs/${id}`)).status).toBe(404);
      expect((await fetch(`${cloud.apiUrl}/jobs/${id}`)).status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});
