import { randomBytes } from 'node:crypto';

const VERSION = 'v1';

export interface ReceiptHandleParts {
  queue: string;
  messageId: string;
}

/**
 * A fresh receipt handle for one receive of one message. It names the queue and message so a
 * delete finds the message without an index, and carries random bytes so every receive yields
 * a different handle (only the latest one is honoured). Opaque to clients, like SQS's.
 */
export function createReceiptHandle(queue: string, messageId: string): string {
  return Buffer.from(`${VERSION}|${queue}|${messageId}|${randomBytes(12).toString('base64url')}`, 'utf8').toString('base64url');
}

/** The queue and message a handle points at, or undefined if it is not one of ours (ReceiptHandleIsInvalid). */
export function parseReceiptHandle(handle: string): ReceiptHandleParts | undefined {
  if (handle === '' || !/^[A-Za-z0-9_-]+$/.test(handle)) return undefined;
  const parts = Buffer.from(handle, 'base64url').toString('utf8').split('|');
  const [version, queue, messageId, nonce] = parts;
  if (parts.length !== 4 || version !== VERSION || !queue || !messageId || !nonce) return undefined;
  return { queue, messageId };
}
