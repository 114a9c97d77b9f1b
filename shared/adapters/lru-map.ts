/**
 * Stands in for `mnemonist/lru-cache` in the Lambda bundles (infra/bundling.ts aliases it
 * here). Its only user is the DynamoDB client's endpoint-discovery cache
 * (@aws-sdk/endpoint-cache), built with every client and filled only when endpoint discovery
 * is turned on, which SkyForge never does; mnemonist's typed-array LRU is ~5 KB per function,
 * a Map keeps insertion order and does the same in a few lines. Implements what
 * EndpointCache calls: get (marks recently used), peek (does not), set, has, clear.
 */
export default class LruMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`LRU capacity must be a whole number of at least 1, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
    return this;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
