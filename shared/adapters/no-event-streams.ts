/**
 * Stands in for `@smithy/core/event-streams` in the Lambda bundles (infra/bundling.ts aliases
 * it here). The SDK's HTTP protocols load that module only for an operation with an event-stream
 * member; DynamoDB, SQS and EventBridge Scheduler have none, yet esbuild inlines the dynamic
 * import: ~15 KB of codecs and marshallers in every function. Should a future client stream
 * events, the call fails with this error instead of quietly doing something else.
 */
export class EventStreamsNotBundledError extends Error {
  override readonly name = 'EventStreamsNotBundledError';
  readonly code = 'EVENT_STREAMS_NOT_BUNDLED';

  constructor() {
    super('AWS SDK event streams are not bundled in SkyForge functions (infra/bundling.ts aliases @smithy/core/event-streams)');
  }
}

/** What HttpProtocol.loadEventStreamCapability() destructures; constructing it throws. */
export class EventStreamSerde {
  constructor() {
    throw new EventStreamsNotBundledError();
  }
}

export function eventStreamSerdeProvider(): never {
  throw new EventStreamsNotBundledError();
}
