// Plain-text tables the kubectl way: upper-case headers, columns padded to their widest cell
// and three spaces apart, no borders, no trailing blanks (so `awk '{print $1}'` works).

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Numbers read better right-aligned. */
  align?: 'left' | 'right';
}

export const NONE = '—';
const GAP = '   ';

export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row))));
  const widths = columns.map((c, i) =>
    Math.max(width(c.header), ...cells.map((r) => width(r[i] ?? ''))),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => pad(v, widths[i] ?? 0, columns[i]?.align ?? 'left'))
      .join(GAP)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

/** One object, one `KEY   value` line per field: `get sensor S`, `get command ID`. */
export function renderDetails(fields: readonly (readonly [string, string])[]): string {
  const keyWidth = Math.max(...fields.map(([k]) => width(k)));
  return (
    fields.map(([k, v]) => `${pad(k, keyWidth, 'left')}${GAP}${cell(v)}`.trimEnd()).join('\n') +
    '\n'
  );
}

/** Text from a device or a user (log and alarm messages) must not break the columns. */
export function cell(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

// Code points, not UTF-16 units, so `—` and most accented names count as one column.
const width = (s: string) => [...s].length;

function pad(value: string, to: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, to - width(value)));
  return align === 'right' ? fill + value : value + fill;
}
