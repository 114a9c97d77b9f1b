import { createHash } from 'node:crypto';
import type { MessageAttributeValue } from './message-attributes.ts';

/** MD5 (hex) of a message body's UTF-8 bytes: the SDK recomputes it on every send and receive. */
export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

/** Transport type bytes of the digest algorithm: strings (String, Number) and binaries. */
const STRING_TRANSPORT = 1;
const BINARY_TRANSPORT = 2;

/**
 * MD5 of message attributes, following "Calculating the MD5 message digest for message
 * attributes" in the SQS Developer Guide: attributes sorted by name; for each, name, data type
 * and value are written as a 4-byte big-endian length followed by the bytes, with a transport
 * type byte (1 string, 2 binary) before the value. Also used for MD5OfMessageSystemAttributes.
 * Returns undefined for no attributes, because SQS then omits the field.
 *
 * @example md5OfMessageAttributes({ a: { DataType: 'String', StringValue: 'x' } })
 */
export function md5OfMessageAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const attribute = attributes[name];
    if (attribute === undefined) continue;
    writeLengthPrefixed(hash, Buffer.from(name, 'utf8'));
    writeLengthPrefixed(hash, Buffer.from(attribute.DataType, 'utf8'));
    if (attribute.BinaryValue !== undefined) {
      hash.update(Uint8Array.of(BINARY_TRANSPORT));
      writeLengthPrefixed(hash, Buffer.from(attribute.BinaryValue, 'base64'));
    } else {
      hash.update(Uint8Array.of(STRING_TRANSPORT));
      writeLengthPrefixed(hash, Buffer.from(attribute.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

function writeLengthPrefixed(hash: ReturnType<typeof createHash>, bytes: Buffer): void {
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(bytes.length, 0);
  hash.update(length);
  hash.update(bytes);
}
