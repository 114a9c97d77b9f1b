import { ScheduleDeliveryError } from './errors.ts';
import type { ScheduleDelivery } from './emulator.ts';

/** The part of the SQS emulator a delivery needs: one AWS JSON 1.0 request in, one response out. */
export interface SqsRequestTarget {
  handle(target: string, body: Buffer): Promise<{ status: number; body: string }>;
}

const SQS_ARN = /^arn:aws:sqs:([a-z0-9-]+):(\d{12}):([a-zA-Z0-9_-]+)$/;

/**
 * The local cloud's `deliver`: a templated SQS target is a SendMessage of the Input to the queue
 * the ARN names, made in-process on the SQS emulator (so it counts as a SendMessage there and no
 * HTTP round trip can fail). MessageGroupId is ignored: the emulator has standard queues only.
 * Any other target, or a queue of another account or Region, fails the attempt, so it is retried
 * and dead-lettered as on AWS rather than silently lost.
 *
 * @example
 * new SchedulerEmulator({ deliver: sqsTargetDelivery(sqs, { region: 'us-east-1', accountId: '000000000000' }) });
 */
export function sqsTargetDelivery(
  sqs: SqsRequestTarget,
  where: { region: string; accountId: string },
): (delivery: ScheduleDelivery) => Promise<void> {
  return async (delivery) => {
    const match = SQS_ARN.exec(delivery.targetArn);
    if (match === null) {
      throw new ScheduleDeliveryError(delivery.targetArn, 'the local cloud delivers schedules to SQS queues only');
    }
    const [, region, accountId, queueName] = match;
    if (region !== where.region || accountId !== where.accountId) {
      throw new ScheduleDeliveryError(delivery.targetArn, `the local cloud's queues live in ${where.region}, account ${where.accountId}`);
    }
    // The emulator finds a queue by the last segment of any QueueUrl; this is the URL's AWS form.
    const queueUrl = `https://sqs.${region}.amazonaws.com/${accountId}/${queueName ?? ''}`;
    const request = Buffer.from(JSON.stringify({ QueueUrl: queueUrl, MessageBody: delivery.input }), 'utf8');
    const response = await sqs.handle('AmazonSQS.SendMessage', request);
    if (response.status !== 200) {
      const error = safeParse(response.body);
      throw new ScheduleDeliveryError(delivery.targetArn, `SendMessage answered ${response.status} ${error.__type ?? ''}: ${error.message ?? ''}`);
    }
  };
}

function safeParse(body: string): { __type?: string; message?: string } {
  try {
    return JSON.parse(body) as { __type?: string; message?: string };
  } catch {
    return {};
  }
}
