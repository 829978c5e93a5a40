import { contactName, initials, longDuration, percent, shortDuration } from './format.js';

describe('format', () => {
  it('writes waiting times compactly and report durations readably', () => {
    expect([shortDuration(42), shortDuration(300), shortDuration(7200), shortDuration(200_000)]).toEqual([
      '42s',
      '5m',
      '2h',
      '2d',
    ]);
    expect(shortDuration(-5)).toBe('0s');
    expect([longDuration(null), longDuration(75), longDuration(3900), longDuration(90_000)]).toEqual([
      '—',
      '1m 15s',
      '1h 05m',
      '1d 1h',
    ]);
    expect([percent(null), percent(61.234)]).toEqual(['—', '61.2%']);
  });

  it('names a contact by name, then email, then phone', () => {
    expect(contactName({ name: null, email: null, phone: '+1415' })).toBe('+1415');
    expect(contactName({ name: '', email: 'a@b.c', phone: null })).toBe('a@b.c');
    expect(contactName(null)).toBe('Unknown customer');
    expect([initials('Maria Garcia'), initials('ana'), initials('Jean de la Fontaine')]).toEqual([
      'MG',
      'AN',
      'JF',
    ]);
  });
});
