import { SqsRequestError, invalidParameter, missingParameter } from './errors.ts';

/**
 * Typed reads of one JSON request body. The SDK always sends well-typed members, but the edge
 * port is open to any client (curl, other SDKs), so every read checks its type and answers like
 * SQS (MissingParameter / InvalidParameterValue) instead of failing deep inside an operation.
 */
export class RequestFields {
  private constructor(private readonly fields: Readonly<Record<string, unknown>>) {}

  /** Parses a request body; an empty body counts as `{}` like SQS does for member-less inputs. */
  static parse(body: Buffer): RequestFields {
    const text = body.toString('utf8').trim();
    if (text === '') return new RequestFields({});
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new SqsRequestError('SerializationException', 'The request body is not valid JSON.');
    }
    if (!isRecord(parsed)) throw new SqsRequestError('SerializationException', 'The request body must be a JSON object.');
    return new RequestFields(parsed);
  }

  static of(fields: Readonly<Record<string, unknown>>): RequestFields {
    return new RequestFields(fields);
  }

  has(name: string): boolean {
    return this.fields[name] !== undefined && this.fields[name] !== null;
  }

  /** The member if it is a string, without complaining otherwise (for size estimates of refused entries). */
  peekString(name: string): string | undefined {
    const value = this.fields[name];
    return typeof value === 'string' ? value : undefined;
  }

  requiredString(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined || value === '') throw missingParameter(name);
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalidParameter(name, JSON.stringify(value), 'Must be a string.');
    return value;
  }

  /** An integer member within [min, max]; SQS words the range in its reason. */
  optionalInteger(name: string, min: number, max: number): number | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number)) {
      throw invalidParameter(name, JSON.stringify(value), 'Must be an integer.');
    }
    if (number < min || number > max) {
      throw invalidParameter(name, number, `Must be between ${min} and ${max}, if provided.`);
    }
    return number;
  }

  requiredInteger(name: string, min: number, max: number): number {
    const value = this.optionalInteger(name, min, max);
    if (value === undefined) throw missingParameter(name);
    return value;
  }

  optionalStringList(name: string): string[] {
    const value = this.fields[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
      throw invalidParameter(name, JSON.stringify(value), 'Must be a list of strings.');
    }
    return value;
  }

  optionalStringMap(name: string): Record<string, string> {
    const value = this.fields[name];
    if (value === undefined || value === null) return {};
    if (!isRecord(value)) throw invalidParameter(name, JSON.stringify(value), 'Must be a map of strings.');
    const result: Record<string, string> = {};
    for (const [key, item] of Object.entries(value)) {
      if (typeof item !== 'string') throw invalidParameter(`${name}.${key}`, JSON.stringify(item), 'Must be a string.');
      result[key] = item;
    }
    return result;
  }

  /** A map whose values are objects (message attributes), returned unchecked for the caller to validate. */
  optionalObjectMap(name: string): Record<string, Readonly<Record<string, unknown>>> {
    const value = this.fields[name];
    if (value === undefined || value === null) return {};
    if (!isRecord(value)) throw invalidParameter(name, JSON.stringify(value), 'Must be a map.');
    const result: Record<string, Readonly<Record<string, unknown>>> = {};
    for (const [key, item] of Object.entries(value)) {
      if (!isRecord(item)) throw invalidParameter(`${name}.${key}`, JSON.stringify(item), 'Must be an object.');
      result[key] = item;
    }
    return result;
  }

  /** A list of objects (batch entries); `undefined` when absent so callers can answer EmptyBatchRequest. */
  optionalObjectList(name: string): RequestFields[] | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw invalidParameter(name, JSON.stringify(value), 'Must be a list.');
    return value.map((item, index) => {
      if (!isRecord(item)) throw invalidParameter(`${name}.${index + 1}`, JSON.stringify(item), 'Must be an object.');
      return new RequestFields(item);
    });
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
