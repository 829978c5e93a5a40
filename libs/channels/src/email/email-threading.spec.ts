import { baseSubject, messageIdsIn, replySubject, replyTokensIn, trimReferences } from './email-threading.js';

describe('email threading helpers', () => {
  it('adds one Re: and never duplicates it', () => {
    expect(replySubject('Order 42 is late')).toBe('Re: Order 42 is late');
    expect(replySubject('Re: Order 42 is late')).toBe('Re: Order 42 is late');
    expect(replySubject('RE: re: Re[2]: AW: Order 42')).toBe('Re: Order 42');
    expect(replySubject('Fwd: invoice')).toBe('Re: Fwd: invoice');
    expect(replySubject('')).toBe('Re:');
    expect(baseSubject('  Re:   Order   42 ')).toBe('Order 42');
  });

  it('reads message ids from header values', () => {
    expect(messageIdsIn('<a@b>  <c@d>\r\n <e@f>')).toEqual(['<a@b>', '<c@d>', '<e@f>']);
    expect(messageIdsIn(['<a@b>', '<c@d>'])).toEqual(['<a@b>', '<c@d>']);
    expect(messageIdsIn(null)).toEqual([]);
    expect(messageIdsIn('no ids here')).toEqual([]);
  });

  it('trims References to the root and the latest ids, without duplicates', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `<m${i}@x>`);
    const trimmed = trimReferences([...ids, '<m29@x>']);
    expect(trimmed).toHaveLength(11);
    expect(trimmed[0]).toBe('<m0@x>');
    expect(trimmed.slice(1)).toEqual(ids.slice(20));
    expect(trimReferences(['<a@x>', '<b@x>', '<a@x>'])).toEqual(['<a@x>', '<b@x>']);
  });

  it('finds reply tokens in plus-addressed recipients', () => {
    const token = `${'a'.repeat(32)}-${'0'.repeat(12)}`;
    expect(replyTokensIn([`reply+${token}@reply.acme.test`, 'other@x.y'])).toEqual([token]);
    expect(replyTokensIn([`support+${token.toUpperCase()}@acme.test`])).toEqual([token]);
    expect(replyTokensIn(['reply+short@acme.test', 'plain@acme.test'])).toEqual([]);
  });
});
