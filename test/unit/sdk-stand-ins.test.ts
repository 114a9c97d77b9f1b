import { Md5 as SdkMd5, Sha256 as SdkSha256 } from '@smithy/core/checksum';
import { describe, expect, it } from 'vitest';
import LruMap from '../../shared/adapters/lru-map.ts';
import { Md5, Sha256 } from '../../shared/adapters/native-checksums.ts';
import { EventStreamSerde, EventStreamsNotBundledError, eventStreamSerdeProvider } from '../../shared/adapters/no-event-streams.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

async function digestOf(hash: { update(d: string | ArrayBuffer | ArrayBufferView): void; digest(): Promise<Uint8Array> }, ...parts: (string | ArrayBuffer | ArrayBufferView)[]) {
  for (const part of parts) hash.update(part);
  return hex(await hash.digest());
}

/** The modules infra/bundling.ts puts in the Lambda bundles in place of SDK internals. */
describe('SDK stand-ins of the Lambda bundles', () => {
  const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]);
  // A view into the middle of a larger buffer: only its own bytes count.
  const view = new Uint8Array(new Uint8Array([9, 9, ...bytes, 9]).buffer, 2, bytes.length);
  const inputs: [string, (string | ArrayBuffer | ArrayBufferView)[]][] = [
    ['text', ['abc']],
    ['UTF-8 text', ['grüße, 東京']],
    ['bytes in parts', [bytes, 'tail']],
    ['a view into a larger buffer', [view]],
    ['an ArrayBuffer', [bytes.slice().buffer]],
    ['nothing', []],
  ];

  it('Sha256: the known digest of "abc" and HMAC-SHA-256 of RFC 4231 test case 2', async () => {
    expect(await digestOf(new Sha256(), 'abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await digestOf(new Sha256('Jefe'), 'what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it.each(inputs)('Sha256 and Md5 agree with the SDK classes on %s (plain and keyed)', async (_name, parts) => {
    // The SDK's Sha256 hands a bare ArrayBuffer to node:crypto, which refuses it; ours hashes its bytes.
    const sdkParts = parts.map((part) => (part instanceof ArrayBuffer ? new Uint8Array(part) : part));
    expect(await digestOf(new Sha256(), ...parts)).toBe(await digestOf(new SdkSha256(), ...sdkParts));
    expect(await digestOf(new Sha256(bytes), ...parts)).toBe(await digestOf(new SdkSha256(bytes), ...sdkParts));
    expect(await digestOf(new Sha256('key'), ...parts)).toBe(await digestOf(new SdkSha256('key'), ...sdkParts));
    expect(await digestOf(new Md5(), ...parts)).toBe(await digestOf(new SdkMd5(), ...parts));
  });

  it('Md5: the known digest of "abc"; digest() does not end a plain hash, reset() starts over', async () => {
    const md5 = new Md5();
    expect(await digestOf(md5, 'abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    md5.update('def');
    expect(hex(await md5.digest())).toBe('e80b5017098950fc58aad83c8c14978e'); // md5("abcdef")
    md5.reset();
    expect(await digestOf(md5, 'abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
  });

  it('Sha256: a keyed hash is finished by digest() as the SDK one is, until reset()', async () => {
    const hmac = new Sha256('Jefe');
    await digestOf(hmac, 'x');
    expect(() => hmac.update('more')).toThrow(/already finished/);
    hmac.reset();
    expect(await digestOf(hmac, 'what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('LruMap: evicts the least recently used; get() refreshes, peek() does not', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1).set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3); // evicts b
    expect([lru.has('a'), lru.has('b'), lru.has('c')]).toEqual([true, false, true]);
    expect(lru.peek('a')).toBe(1); // does not refresh a
    lru.set('a', 10).set('d', 4); // a refreshed by set, so c goes
    expect([lru.peek('a'), lru.has('c'), lru.peek('d'), lru.size]).toEqual([10, false, 4, 2]);
    lru.clear();
    expect([lru.size, lru.get('a')]).toEqual([0, undefined]);
    expect(() => new LruMap(0)).toThrow(RangeError);
  });

  it('event streams: a named error instead of a codec', () => {
    expect(() => new EventStreamSerde()).toThrow(EventStreamsNotBundledError);
    expect(() => eventStreamSerdeProvider()).toThrow(/event streams are not bundled/);
  });
});
