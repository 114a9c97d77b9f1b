import { constraintViolation, validationError } from './errors.ts';

export interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  /** Checked against the whole value. */
  pattern?: RegExp;
  /** The pattern as AWS prints it in its message (its model's spelling). */
  patternText?: string;
}

/**
 * Typed reads of one REST-JSON body (or of a nested structure of it). The SDK sends well-typed
 * members, but the edge port is open to any client, so every read checks type and the model's
 * constraints and answers like Scheduler does: "1 validation error detected: Value ... at
 * 'target.roleArn' failed to satisfy constraint: ...", with member paths in lowerCamelCase.
 */
export class RequestFields {
  private constructor(
    private readonly fields: Readonly<Record<string, unknown>>,
    private readonly path: string,
  ) {}

  /** Parses a request body; an empty body (GET, DELETE) counts as `{}`. */
  static parse(body: Buffer): RequestFields {
    const text = body.toString('utf8').trim();
    if (text === '') return new RequestFields({}, '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw validationError('The request body is not valid JSON.');
    }
    if (!isRecord(parsed)) throw validationError('The request body must be a JSON object.');
    return new RequestFields(parsed, '');
  }

  static of(fields: Readonly<Record<string, unknown>>): RequestFields {
    return new RequestFields(fields, '');
  }

  has(name: string): boolean {
    const value = this.fields[name];
    return value !== undefined && value !== null;
  }

  /** The member's path as AWS names it in messages ('target.retryPolicy.maximumRetryAttempts'). */
  fieldPath(name: string): string {
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    return this.path === '' ? member : `${this.path}.${member}`;
  }

  string(name: string, rule: StringRule & { required: true }): string;
  string(name: string, rule?: StringRule): string | undefined;
  string(name: string, rule: StringRule = {}): string | undefined {
    const value = this.fields[name];
    const field = this.fieldPath(name);
    if (value === undefined || value === null) {
      if (rule.required) throw constraintViolation(field, null, 'Member must not be null');
      return undefined;
    }
    if (typeof value !== 'string') throw constraintViolation(field, value, 'Member must be a string');
    return checkString(field, value, rule);
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.fields[name];
    const field = this.fieldPath(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw constraintViolation(field, value, 'Member must be an integer');
    if (value < min) throw constraintViolation(field, value, `Member must have value greater than or equal to ${min}`);
    if (value > max) throw constraintViolation(field, value, `Member must have value less than or equal to ${max}`);
    return value;
  }

  /** A timestamp member: epoch seconds (restJson1's default format), returned as epoch ms. */
  timestamp(name: string): number | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw constraintViolation(this.fieldPath(name), value, 'Member must be a timestamp in epoch seconds');
    }
    return Math.round(value * 1000);
  }

  enumValue<T extends string>(name: string, values: readonly T[], required: true): T;
  enumValue<T extends string>(name: string, values: readonly T[], required?: boolean): T | undefined;
  enumValue<T extends string>(name: string, values: readonly T[], required = false): T | undefined {
    const value = this.string(name, { required });
    if (value === undefined) return undefined;
    return checkEnum(this.fieldPath(name), value, values);
  }

  object(name: string, required: true): RequestFields;
  object(name: string, required?: boolean): RequestFields | undefined;
  object(name: string, required = false): RequestFields | undefined {
    const value = this.fields[name];
    const field = this.fieldPath(name);
    if (value === undefined || value === null) {
      if (required) throw constraintViolation(field, null, 'Member must not be null');
      return undefined;
    }
    if (!isRecord(value)) throw constraintViolation(field, value, 'Member must be a structure');
    return new RequestFields(value, field);
  }

  objectList(name: string): RequestFields[] | undefined {
    const value = this.fields[name];
    const field = this.fieldPath(name);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw constraintViolation(field, value, 'Member must be a list');
    return value.map((item, index) => {
      if (!isRecord(item)) throw constraintViolation(`${field}.${index + 1}`, item, 'Member must be a structure');
      return new RequestFields(item, `${field}.${index + 1}.member`);
    });
  }
}

/** Checks a string (a body member, a path label or a query parameter) against its model rule. */
export function checkString(field: string, value: string, rule: StringRule): string {
  if (rule.min !== undefined && value.length < rule.min) {
    throw constraintViolation(field, value, `Member must have length greater than or equal to ${rule.min}`);
  }
  if (rule.max !== undefined && value.length > rule.max) {
    throw constraintViolation(field, value, `Member must have length less than or equal to ${rule.max}`);
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    throw constraintViolation(field, value, `Member must satisfy regular expression pattern: ${rule.patternText ?? rule.pattern.source}`);
  }
  return value;
}

export function checkEnum<T extends string>(field: string, value: string, values: readonly T[]): T {
  if (!(values as readonly string[]).includes(value)) {
    throw constraintViolation(field, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
  }
  return value as T;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
