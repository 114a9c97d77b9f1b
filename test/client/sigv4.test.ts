import { createHash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sha256, SkyForgeClient, type AwsCredentialIdentity } from '../../cli/client/index.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { jsonResponse, scriptedFetch, type RecordedRequest } from './support/scripted-fetch.ts';

/**
 * SigV4 for the IAM-protected API: the captured request (what went on the wire) is signed as
 * API Gateway would check it. The local cloud does not check signatures, so the signed requests
 * also show that nothing in them upsets the API.
 */

const CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'AKID', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const REGION = 'eu-west-1';
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=AKID\/(?<date>\d{8})\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=(?<signed>[a-z0-9;-]+), Signature=(?<signature>[0-9a-f]{64})$/;

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, edgePort: 0, memory: true, quiet: true });
});
afterAll(async () => cloud?.stop());

/** Signs the captured request again, independently of the client, at the time it carries in x-amz-date. */
async function resign(request: RecordedRequest, change: Partial<Pick<RecordedRequest, 'body'>> & { path?: string } = {}): Promise<string | undefined> {
  const signer = new SignatureV4({ service: 'execute-api', region: REGION, credentials: CREDENTIALS, sha256: Sha256 });
  // Without the sent x-amz-content-sha256 the signer hashes the body itself (with it, it would trust the header).
  const { 'x-amz-content-sha256': _sentHash, ...headers } = Object.fromEntries(request.headers.entries());
  const amzDate = headers['x-amz-date'] ?? '';
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const body = 'body' in change ? change.body : request.body;
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      ...(request.url.port ? { port: Number(request.url.port) } : {}),
      path: change.path ?? request.url.pathname,
      query: Object.fromEntries(request.url.searchParams.entries()),
      headers: { ...headers, host: request.url.host },
      ...(body !== undefined ? { body } : {}),
    },
    { signingDate },
  );
  return signed.headers.authorization;
}

describe('SigV4', () => {
  it('Sha256 signs the AWS test suite’s get-vanilla request to the published signature', async () => {
    const signer = new SignatureV4({
      service: 'service',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      sha256: Sha256,
      applyChecksum: false,
    });
    const signed = await signer.sign(
      { method: 'GET', protocol: 'https:', hostname: 'example.amazonaws.com', path: '/', query: {}, headers: { host: 'example.amazonaws.com' } },
      { signingDate: new Date('2015-08-30T12:36:00Z') },
    );
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('signs a POST over the exact method, path, headers and body that are sent', async () => {
    const capturing = scriptedFetch();
    const client = new SkyForgeClient({ baseUrl: cloud.apiUrl, sigv4: { region: REGION, credentials: CREDENTIALS }, fetch: capturing.fetch });

    const job = await client.enqueue('demo.echo', { signed: true });
    expect(job.payload).toEqual({ signed: true });

    const [request] = capturing.requests;
    if (!request) throw new Error('no request captured');
    const authorization = request.headers.get('authorization') ?? '';
    const match = AUTHORIZATION.exec(authorization);
    expect(match, authorization).not.toBeNull();
    expect(match?.groups?.date).toBe(request.headers.get('x-amz-date')?.slice(0, 8));
    expect(match?.groups?.date).toBe(new Date().toISOString().slice(0, 10).replace(/-/g, ''));
    expect(match?.groups?.signed?.split(';')).toEqual(['accept', 'content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-request-id']);

    expect(request.headers.get('x-amz-content-sha256')).toBe(createHash('sha256').update(request.body ?? '').digest('hex'));
    expect(await resign(request)).toBe(authorization);
    // The check is sensitive to what was sent: another body or path is another signature.
    expect(await resign(request, { body: (request.body ?? '').replace('true', 'false') })).not.toBe(authorization);
    expect(await resign(request, { path: '/jobs/batch' })).not.toBe(authorization);
  });

  it('signs the query and the stage path as sent, and the session token', async () => {
    let resolved = 0;
    const capturing = scriptedFetch(() => ({ respond: () => jsonResponse(200, { items: [], nextCursor: null }) }));
    const client = new SkyForgeClient({
      baseUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/',
      sigv4: {
        region: REGION,
        credentials: async () => {
          resolved += 1;
          return { ...CREDENTIALS, sessionToken: 'SESSION/TOKEN+1' };
        },
      },
      fetch: capturing.fetch,
    });

    expect(await client.listPage({ type: 'demo.echo', status: 'DEAD', cursor: "a+b/c== d'e" })).toEqual({ items: [], nextCursor: null });

    const [request] = capturing.requests;
    if (!request) throw new Error('no request captured');
    expect(request.url.pathname).toBe('/prod/jobs');
    expect(request.url.search).toBe('?type=demo.echo&status=DEAD&cursor=a%2Bb%2Fc%3D%3D%20d%27e');
    expect(request.headers.get('x-amz-security-token')).toBe('SESSION/TOKEN+1');
    const authorization = request.headers.get('authorization') ?? '';
    expect(AUTHORIZATION.exec(authorization)?.groups?.signed?.split(';')).toContain('x-amz-security-token');
    expect(resolved).toBe(1);

    const signer = new SignatureV4({ service: 'execute-api', region: REGION, credentials: { ...CREDENTIALS, sessionToken: 'SESSION/TOKEN+1' }, sha256: Sha256 });
    const { 'x-amz-content-sha256': _sentHash, ...headers } = Object.fromEntries(request.headers.entries());
    const amzDate = headers['x-amz-date'] ?? '';
    const again = await signer.sign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname: request.url.hostname,
        path: '/prod/jobs',
        query: { type: 'demo.echo', status: 'DEAD', cursor: "a+b/c== d'e" },
        headers: { ...headers, host: 'abc123.execute-api.eu-west-1.amazonaws.com' },
      },
      { signingDate: new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')) },
    );
    expect(again.headers.authorization).toBe(authorization);
  });
});
