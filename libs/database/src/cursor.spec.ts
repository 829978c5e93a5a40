import { decodeCursor, encodeCursor, InvalidCursorError, toPage } from './cursor.js';

describe('keyset cursor', () => {
  const id = '3f2b8c9e-8d1e-4a4e-9a55-1c0e6f1b2a33';

  it('round-trips a value and id', () => {
    expect(decodeCursor(encodeCursor({ values: ['2026-01-01 00:00:00.123456+00', 3], id }))).toEqual({
      values: ['2026-01-01 00:00:00.123456+00', 3],
      id,
    });
    expect(decodeCursor(encodeCursor({ values: [null], id }))).toEqual({ values: [null], id });
  });

  it.each([
    '',
    'not-base64!',
    Buffer.from('[1]').toString('base64url'),
    Buffer.from('[[1],"x"]').toString('base64url'),
  ])('rejects %p', (raw) => expect(() => decodeCursor(raw)).toThrow(InvalidCursorError));

  it('only gives a next cursor when an extra row came back', () => {
    const rows = [1, 2, 3].map((n) => ({ n, id }));
    expect(toPage(rows, 3, (row) => ({ values: [row.n], id: row.id })).nextCursor).toBeNull();
    const page = toPage(rows, 2, (row) => ({ values: [row.n], id: row.id }));
    expect(page.items).toHaveLength(2);
    expect(decodeCursor(page.nextCursor ?? '')).toEqual({ values: [2], id });
  });
});
