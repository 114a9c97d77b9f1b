import type { CostEstimate } from './cost.ts';

/** A plain text table: the first row is the header; numbers are right-aligned. */
export function table(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  const widths = cells[0]?.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? '').length))) ?? [];
  const numeric = rows[1]?.map((cell) => typeof cell === 'number') ?? [];
  const render = (row: string[]): string =>
    row.map((cell, col) => (numeric[col] ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0))).join('  ').trimEnd();
  const [header, ...body] = cells;
  if (!header) return '';
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(render)].join('\n');
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  return value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : abs >= 0.01 ? 3 : 4);
}

export function dollars(value: number): string {
  return `$${value.toFixed(3)}`;
}

/** Cost categories, so a measured bill and the floor can be compared line by line. */
export function category(item: string): string {
  if (item.startsWith('API Gateway')) return 'API Gateway';
  if (item.startsWith('Lambda api')) return 'Lambda api';
  if (item.startsWith('Lambda worker')) return 'Lambda worker';
  if (item.startsWith('Lambda')) return 'Lambda other';
  if (item.startsWith('SQS')) return 'SQS';
  if (item.startsWith('DynamoDB writes')) return 'DynamoDB writes';
  if (item.startsWith('DynamoDB reads')) return 'DynamoDB reads';
  if (item.startsWith('CloudWatch')) return 'CloudWatch Logs';
  return item;
}

/** Per category: measured minus floor, dollars per million, biggest first (what the gap is made of). */
export function gapToFloor(measured: CostEstimate, floor: CostEstimate): Array<{ category: string; perMillion: number }> {
  const byCategory = new Map<string, number>();
  for (const line of measured.lines) byCategory.set(category(line.item), (byCategory.get(category(line.item)) ?? 0) + line.perMillion);
  for (const line of floor.lines) byCategory.set(category(line.item), (byCategory.get(category(line.item)) ?? 0) - line.perMillion);
  return [...byCategory.entries()].map(([c, perMillion]) => ({ category: c, perMillion })).sort((a, b) => b.perMillion - a.perMillion);
}
