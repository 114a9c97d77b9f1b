import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

/**
 * Stands in for `@smithy/core/checksum` in the Lambda bundles (infra/bundling.ts aliases it
 * here): the SDK clients take only `Sha256` (request signing, HMAC included) and, for SQS, `Md5`
 * (message checksums) from it. The SDK's module also bundles pure-JavaScript SHA-256, MD5 and
 * CRC32 for runtimes without node:crypto, and stream and blob hashers no client here uses
 * (~5 KB per function). Same behaviour as its node:crypto classes (Sha256Node, Md5Node).
 */

/** What the SDK hashes: text (UTF-8), bytes, or an ArrayBuffer. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

function asUint8Array(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** SHA-256, or HMAC-SHA-256 when constructed with a secret (SigV4 derives its keys so). */
export class Sha256 {
  readonly digestLength = 32;
  private hash: Hash | Hmac;
  private finished = false;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.create();
  }

  update(data: SourceData): void {
    if (this.finished) throw new Error('Attempted to update an already finished hash.');
    this.hash.update(bytesOf(data));
  }

  async digest(): Promise<Uint8Array> {
    // An Hmac cannot be copied: digesting finishes it, as in the SDK's class.
    if (this.secret !== undefined && this.secret !== null && this.secret !== '') {
      this.finished = true;
      return asUint8Array(this.hash.digest());
    }
    return asUint8Array((this.hash as Hash).copy().digest());
  }

  reset(): void {
    this.hash = this.create();
    this.finished = false;
  }

  private create(): Hash | Hmac {
    return this.secret ? createHmac('sha256', bytesOf(this.secret)) : createHash('sha256');
  }
}

/** MD5 (SQS checks message bodies and attributes with it). */
export class Md5 {
  readonly digestLength = 16;
  private hash: Hash = createHash('md5');

  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }

  async digest(): Promise<Uint8Array> {
    return asUint8Array(this.hash.copy().digest());
  }

  reset(): void {
    this.hash = createHash('md5');
  }
}
