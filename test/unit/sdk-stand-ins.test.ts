import { Md5 as SdkMd5, Sha256 as SdkSha256 } from '@smithy/core/checksum';
import { describe, expect, it } from 'vitest';
import { Md5, Sha256 } from '../../shared/adapters/native-checksums.ts';
import { NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS, resolveEndpointDiscoveryConfig } from '../../shared/adapters/no-endpoint-discovery.ts';
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

  it('endpoint discovery: off whatever the environment says, the client config resolved without a cache, and refused when asked for', () => {
    const { environmentVariableSelector, configFileSelector } = NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS;
    expect([environmentVariableSelector(), configFileSelector()]).toEqual([undefined, undefined]);
    const provider = async () => undefined;
    const resolved = resolveEndpointDiscoveryConfig({ region: 'eu-west-1', endpointDiscoveryEnabledProvider: provider }, { endpointDiscoveryCommandCtor: Date });
    expect(resolved).toMatchObject({ region: 'eu-west-1', endpointDiscoveryCommandCtor: Date, isClientEndpointDiscoveryEnabled: false });
    expect(resolved).not.toHaveProperty('endpointCache');
    return expect(resolved.endpointDiscoveryEnabled()).resolves.toBe(false);
  });

  it('endpoint discovery: a client that asks for it is refused at construction', () => {
    expect(() => resolveEndpointDiscoveryConfig({ endpointDiscoveryEnabled: true }, { endpointDiscoveryCommandCtor: Date })).toThrow(/endpoint discovery is not bundled/);
    expect(resolveEndpointDiscoveryConfig({ endpointDiscoveryEnabled: false }, { endpointDiscoveryCommandCtor: Date }).isClientEndpointDiscoveryEnabled).toBe(false);
  });

  it('event streams: a named error instead of a codec', () => {
    expect(() => new EventStreamSerde()).toThrow(EventStreamsNotBundledError);
    expect(() => eventStreamSerdeProvider()).toThrow(/event streams are not bundled/);
  });
});
