import { SqsRequestError, invalidParameter } from './errors.ts';

/** One message attribute as it crosses the wire (binary values base64, as in AWS JSON 1.0). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export type MessageAttributeMap = Record<string, MessageAttributeValue>;

/** SQS allows at most 10 message attributes per message. */
const MAX_ATTRIBUTES = 10;
const MAX_NAME_LENGTH = 256;
const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
const DATA_TYPE_PATTERN = /^(String|Number|Binary)(\.[^\s]+)?$/;
const NUMBER_PATTERN = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
/** Characters SQS accepts in bodies and string values: the XML 1.0 character range. */
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The first character SQS would refuse in a body or string value, if any. */
export function findInvalidCharacter(text: string): string | undefined {
  const match = INVALID_CHARACTER.exec(text);
  if (match === null) return undefined;
  return `#x${(match[0].codePointAt(0) ?? 0).toString(16).toUpperCase()}`;
}

/**
 * Validates user message attributes (SendMessage `MessageAttributes`) the way SQS does and
 * returns them in stored form.
 */
export function parseMessageAttributes(raw: Readonly<Record<string, Readonly<Record<string, unknown>>>>): MessageAttributeMap {
  const names = Object.keys(raw);
  if (names.length > MAX_ATTRIBUTES) {
    throw invalidParameter(
      'MessageAttributes',
      names.length,
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`,
    );
  }
  const result: MessageAttributeMap = {};
  for (const name of names) {
    validateAttributeName(name);
    const value = raw[name];
    if (value === undefined) continue;
    result[name] = parseAttributeValue(name, value, 'Message (user) attribute');
  }
  return result;
}

/** SendMessage `MessageSystemAttributes`: SQS accepts exactly one, AWSTraceHeader (a String). */
export function parseSystemAttributes(raw: Readonly<Record<string, Readonly<Record<string, unknown>>>>): MessageAttributeMap {
  const result: MessageAttributeMap = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name !== 'AWSTraceHeader') {
      throw invalidParameter('MessageSystemAttributes', name, `Message system attribute name '${name}' is invalid.`);
    }
    const parsed = parseAttributeValue(name, value, 'Message system attribute');
    if (parsed.DataType !== 'String') {
      throw invalidParameter('MessageSystemAttributes', name, `Message system attribute '${name}' must be of type String.`);
    }
    result[name] = parsed;
  }
  return result;
}

function validateAttributeName(name: string): void {
  const lower = name.toLowerCase();
  const valid =
    name.length > 0 &&
    name.length <= MAX_NAME_LENGTH &&
    NAME_PATTERN.test(name) &&
    !name.startsWith('.') &&
    !name.endsWith('.') &&
    !name.includes('..') &&
    !lower.startsWith('aws.') &&
    !lower.startsWith('amazon.');
  if (!valid) {
    throw invalidParameter(
      'MessageAttributes',
      name,
      `Message (user) attribute name '${name}' is invalid: use 1 to 256 letters, digits, '-', '_' or '.', ` +
        `without leading, trailing or repeated dots and without the AWS. or Amazon. prefix.`,
    );
  }
}

function parseAttributeValue(name: string, raw: Readonly<Record<string, unknown>>, kind: string): MessageAttributeValue {
  const dataType = raw['DataType'];
  if (typeof dataType !== 'string' || dataType === '') {
    throw invalidParameter('MessageAttributes', name, `${kind} '${name}' must contain a non-empty attribute type.`);
  }
  if (dataType.length > MAX_NAME_LENGTH || !DATA_TYPE_PATTERN.test(dataType)) {
    throw invalidParameter('MessageAttributes', name, `${kind} '${name}' has an invalid type '${dataType}'.`);
  }
  const listValues = [raw['StringListValues'], raw['BinaryListValues']];
  if (listValues.some((list) => Array.isArray(list) && list.length > 0)) {
    throw invalidParameter('MessageAttributes', name, `${kind} '${name}': list values are reserved and not supported.`);
  }
  const baseType = dataType.split('.')[0];
  if (baseType === 'Binary') {
    const binary = raw['BinaryValue'];
    if (typeof binary !== 'string' || Buffer.from(binary, 'base64').length === 0) {
      throw invalidParameter('MessageAttributes', name, `${kind} '${name}' must contain a non-empty value of type 'Binary'.`);
    }
    return { DataType: dataType, BinaryValue: binary };
  }
  const text = raw['StringValue'];
  if (typeof text !== 'string' || text === '') {
    throw invalidParameter('MessageAttributes', name, `${kind} '${name}' must contain a non-empty value of type '${baseType}'.`);
  }
  if (baseType === 'Number' && !NUMBER_PATTERN.test(text)) {
    throw invalidParameter('MessageAttributes', name, `${kind} '${name}' has an invalid numeric value '${text}'.`);
  }
  const invalid = findInvalidCharacter(text);
  if (invalid !== undefined) {
    throw new SqsRequestError('InvalidMessageContents', `Invalid character '${invalid}' was found in ${kind} '${name}'.`);
  }
  return { DataType: dataType, StringValue: text };
}

/** Bytes SQS charges to the message size for attributes: name, data type and value of each. */
export function messageAttributesSize(attributes: Readonly<MessageAttributeMap>): number {
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType, 'utf8');
    size +=
      value.BinaryValue !== undefined
        ? Buffer.from(value.BinaryValue, 'base64').length
        : Buffer.byteLength(value.StringValue ?? '', 'utf8');
  }
  return size;
}

/**
 * The attributes a receive asked for with MessageAttributeNames: `All` or `.*` for every
 * attribute, an exact name, or `prefix.*` for names starting with the prefix (the text before
 * `.*`). Undefined when nothing matches, so the response omits the map and its MD5.
 */
export function selectMessageAttributes(
  attributes: Readonly<MessageAttributeMap>,
  requested: readonly string[],
): MessageAttributeMap | undefined {
  if (requested.length === 0) return undefined;
  const all = requested.some((name) => name === 'All' || name === '.*');
  const prefixes = requested.filter((name) => name.endsWith('.*')).map((name) => name.slice(0, -2));
  const exact = new Set(requested);
  const selected: MessageAttributeMap = {};
  let count = 0;
  for (const [name, value] of Object.entries(attributes)) {
    if (all || exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix))) {
      selected[name] = value;
      count += 1;
    }
  }
  return count === 0 ? undefined : selected;
}
