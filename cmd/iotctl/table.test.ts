import { describe, expect, it } from 'vitest';
import { NONE, renderDetails, renderTable, type Column } from './table.js';

interface Row {
  name: string;
  hz: number;
  note: string | null;
}

const columns: Column<Row>[] = [
  { header: 'NAME', value: (r) => r.name },
  { header: 'HZ', value: (r) => String(r.hz), align: 'right' },
  { header: 'NOTE', value: (r) => r.note ?? NONE },
];

describe('renderTable', () => {
  it.each([
    [
      'pads every column to its widest cell, three spaces apart, numbers right',
      [
        { name: 'AAD-1123', hz: 1000, note: 'press 1' },
        { name: 'TRUCK-7', hz: 25600, note: null },
        { name: 'X', hz: 3, note: 'ok' },
      ],
      'NAME          HZ   NOTE\n' +
        'AAD-1123    1000   press 1\n' +
        'TRUCK-7    25600   —\n' +
        'X              3   ok\n',
    ],
    [
      'a header wider than every cell sets the width',
      [{ name: 'A', hz: 1, note: 'n' }],
      'NAME   HZ   NOTE\nA       1   n\n',
    ],
    ['no rows: the header alone', [], 'NAME   HZ   NOTE\n'],
    [
      'control characters in device text cannot break a row',
      [{ name: 'A', hz: 1, note: 'line one\nline two\tTAB' }],
      'NAME   HZ   NOTE\nA       1   line one line two TAB\n',
    ],
    [
      'no trailing blanks when the last column is short',
      [
        { name: 'A', hz: 1, note: 'a long note' },
        { name: 'B', hz: 2, note: 'x' },
      ],
      'NAME   HZ   NOTE\nA       1   a long note\nB       2   x\n',
    ],
  ])('%s', (_name, rows, expected) => {
    expect(renderTable(columns, rows)).toBe(expected);
  });

  it('counts — as one column wide', () => {
    const [, none, some] = renderTable(columns, [
      { name: 'A', hz: 1, note: null },
      { name: 'B', hz: 2, note: 'xy' },
    ]).split('\n');
    expect(none?.indexOf(NONE)).toBe(some?.indexOf('xy'));
  });
});

describe('renderDetails', () => {
  it('aligns the values after the widest key', () => {
    expect(
      renderDetails([
        ['SERIAL', 'AAD-1123'],
        ['DESIRED STATE', NONE],
        ['', 'continued'],
      ]),
    ).toBe('SERIAL          AAD-1123\nDESIRED STATE   —\n                continued\n');
  });
});
