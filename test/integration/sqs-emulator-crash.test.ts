import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * The persistence promise, tested for real: the emulator runs in a child process that is
 * killed with SIGKILL right after answering, and a new process on the same data folder must
 * have every acknowledged change.
 */

const serverModule = fileURLToPath(new URL('../../local/sqs/server.ts', import.meta.url));
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const children: ChildProcess[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'skyforge-sqs-crash-'));

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the emulator in a child process and resolves with its URL once it listens. */
async function startChild(): Promise<{ url: string; child: ChildProcess }> {
  const script = [
    `import { startSqsServer } from ${JSON.stringify(serverModule)};`,
    `const server = await startSqsServer({ port: 0, dataDir: ${JSON.stringify(dataDir)} });`,
    'console.log(JSON.stringify({ url: server.url }));',
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${String(code)}: ${stderr}`)));
  });
  return { url, child };
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('persistence across SIGKILL', () => {
  it('keeps every acknowledged change when the process is killed right after answering', async () => {
    const first = await startChild();
    const before = new SQSClient({ endpoint: first.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    const { QueueUrl } = await before.send(new CreateQueueCommand({ QueueName: 'crash', Attributes: { VisibilityTimeout: '300' } }));
    await before.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: Array.from({ length: 10 }, (_, index) => ({ Id: `m${index}`, MessageBody: `message ${index}` })),
      }),
    );
    const { Messages = [] } = await before.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 3 }));
    expect(Messages).toHaveLength(3);
    const [deleted, released, inFlight] = Messages;
    await before.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: deleted?.ReceiptHandle }));
    await before.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: released?.ReceiptHandle, VisibilityTimeout: 0 }));
    await before.send(new SendMessageCommand({ QueueUrl, MessageBody: 'last words' }));
    await kill(first.child);
    before.destroy();

    const second = await startChild();
    const after = new SQSClient({ endpoint: second.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const { Attributes } = await after.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
      expect(Attributes?.['VisibilityTimeout']).toBe('300');
      // 10 sent + 1, one deleted, one still in flight.
      expect(Attributes?.['ApproximateNumberOfMessages']).toBe('9');
      expect(Attributes?.['ApproximateNumberOfMessagesNotVisible']).toBe('1');
      // The in-flight message's receipt handle from before the crash still deletes it.
      await after.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: inFlight?.ReceiptHandle }));
      const { Attributes: afterDelete } = await after.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }),
      );
      expect(afterDelete?.['ApproximateNumberOfMessagesNotVisible']).toBe('0');
      const { Messages: survivors = [] } = await after.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
      );
      const releasedAgain = survivors.find((message) => message.MessageId === released?.MessageId);
      expect(releasedAgain?.Attributes?.['ApproximateReceiveCount']).toBe('2');
      expect(survivors.some((message) => message.MessageId === deleted?.MessageId)).toBe(false);
    } finally {
      after.destroy();
      await kill(second.child);
    }
  });
});
