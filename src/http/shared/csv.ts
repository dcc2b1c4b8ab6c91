import type { FastifyReply } from 'fastify';

// CSV export of the searchable lists (issue 14): RFC 4180 (CRLF, fields quoted when they hold a
// comma, quote or line break), UTF-8 with a BOM so spreadsheet programs read accents right, and cells
// that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) prefixed with a quote: a
// value written by someone else (an error text, a URL, an order id) must not become a formula on
// the reader's machine (CSV injection).

export const CSV_MAX_ROWS = 10_000;

const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | Date | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<Parameters<typeof csvCell>[0]>>): string {
  return `\uFEFF${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export function sendCsv(reply: FastifyReply, filename: string, body: string): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
    .header('cache-control', 'no-store')
    .send(body);
}
