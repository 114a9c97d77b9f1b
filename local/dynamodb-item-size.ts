/**
 * DynamoDB's item size rules (Developer Guide, "Item sizes and formats"), which decide what
 * every read and write is billed: dynalite does not report capacity for indexes, and its own
 * size function counts UTF-16 code units rather than UTF-8 bytes.
 */

/** An attribute value in DynamoDB's JSON wire format: `{ S: 'x' }`, `{ N: '1' }`, `{ M: {...} }`. */
export type WireValue = Record<string, unknown>;
/** An item (or key) in DynamoDB's JSON wire format. */
export type WireItem = Record<string, WireValue>;

/** Bytes of an item: for each attribute, its name's UTF-8 length plus its value's size. */
export function itemSizeBytes(item: WireItem): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name, 'utf8') + valueSizeBytes(value);
  return size;
}

/**
 * Bytes of one attribute value:
 * - S: UTF-8 length; B: decoded length; BOOL and NULL: 1;
 * - N: 1 byte per two significant digits plus 1 (leading and trailing zeros do not count);
 * - SS/NS/BS: the sum of the elements;
 * - L and M: 3 bytes, plus per element 1 byte and its size (a map element also its name).
 */
export function valueSizeBytes(value: WireValue): number {
  const [type, raw] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return Buffer.byteLength(String(raw), 'utf8');
    case 'N':
      return numberSizeBytes(String(raw));
    case 'B':
      return Buffer.from(String(raw), 'base64').length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (raw as string[]).reduce((sum, s) => sum + Buffer.byteLength(s, 'utf8'), 0);
    case 'NS':
      return (raw as string[]).reduce((sum, n) => sum + numberSizeBytes(n), 0);
    case 'BS':
      return (raw as string[]).reduce((sum, b) => sum + Buffer.from(b, 'base64').length, 0);
    case 'L':
      return 3 + (raw as WireValue[]).reduce((sum, v) => sum + 1 + valueSizeBytes(v), 0);
    case 'M':
      return (
        3 +
        Object.entries(raw as WireItem).reduce((sum, [name, v]) => sum + 1 + Buffer.byteLength(name, 'utf8') + valueSizeBytes(v), 0)
      );
    default:
      throw new TypeError(`unknown DynamoDB attribute type ${type}`);
  }
}

function numberSizeBytes(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return digits.length === 0 ? 1 : Math.ceil(digits.length / 2) + 1;
}

/** Write request units of a write: 1 per started KB of the larger of the old and new item (at least 1). */
export function writeUnitsFor(oldSize: number, newSize: number): number {
  return Math.max(1, Math.ceil(Math.max(oldSize, newSize) / 1024));
}

/** Read request units: 1 per started 4 KB strongly consistent, half that eventually consistent (at least one unit). */
export function readUnitsFor(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}
