import { BusinessClock, calendarProblems, type CalendarDefinition } from './business-calendar.js';

const weekdays9to17: CalendarDefinition['week'] = {
  mon: [{ start: '09:00', end: '17:00' }],
  tue: [{ start: '09:00', end: '17:00' }],
  wed: [{ start: '09:00', end: '17:00' }],
  thu: [{ start: '09:00', end: '17:00' }],
  fri: [{ start: '09:00', end: '17:00' }],
};

describe('BusinessClock', () => {
  const lisbon = new BusinessClock({
    timezone: 'Europe/Lisbon',
    week: weekdays9to17,
    holidays: ['2026-12-25'],
  });

  it('counts only working hours, across a weekend', () => {
    // Friday 16:00 → Monday 10:00 (Lisbon is UTC+0 in November)
    expect(lisbon.businessSeconds(new Date('2026-11-20T16:00:00Z'), new Date('2026-11-23T10:00:00Z'))).toBe(
      2 * 3600,
    );
  });

  it('skips a holiday', () => {
    // Thursday Dec 24 16:00 → Monday Dec 28 10:00 with Friday Dec 25 closed: 1 h + 1 h
    expect(lisbon.businessSeconds(new Date('2026-12-24T16:00:00Z'), new Date('2026-12-28T10:00:00Z'))).toBe(
      2 * 3600,
    );
  });

  it('supports several intervals per day', () => {
    const split = new BusinessClock({
      timezone: 'UTC',
      week: {
        mon: [
          { start: '09:00', end: '12:00' },
          { start: '13:00', end: '17:00' },
        ],
      },
      holidays: [],
    });
    expect(split.businessSeconds(new Date('2026-11-23T11:00:00Z'), new Date('2026-11-23T14:00:00Z'))).toBe(
      2 * 3600,
    );
    expect(split.isOpen(new Date('2026-11-23T12:30:00Z'))).toBe(false);
    expect(split.isOpen(new Date('2026-11-23T13:30:00Z'))).toBe(true);
  });

  it('is DST-safe: a 24-hour day is 23 h when clocks go forward and 25 h when they go back', () => {
    const allDay = { start: '00:00', end: '24:00' };
    const berlin = new BusinessClock({ timezone: 'Europe/Berlin', week: { sun: [allDay] }, holidays: [] });
    // Sunday 2026-03-29: Berlin goes from +01:00 to +02:00
    expect(berlin.businessSeconds(new Date('2026-03-28T00:00:00Z'), new Date('2026-03-30T00:00:00Z'))).toBe(
      23 * 3600,
    );
    const newYork = new BusinessClock({
      timezone: 'America/New_York',
      week: { sun: [allDay] },
      holidays: [],
    });
    // Sunday 2026-11-01: New York goes from -04:00 to -05:00
    expect(newYork.businessSeconds(new Date('2026-10-31T00:00:00Z'), new Date('2026-11-03T00:00:00Z'))).toBe(
      25 * 3600,
    );
  });

  it('keeps wall-clock hours across a DST change (9:00 local before and after)', () => {
    const newYork = new BusinessClock({ timezone: 'America/New_York', week: weekdays9to17, holidays: [] });
    // Friday Oct 30 16:00 EDT (20:00Z) → Monday Nov 2 10:00 EST (15:00Z): 1 h + 1 h
    expect(newYork.businessSeconds(new Date('2026-10-30T20:00:00Z'), new Date('2026-11-02T15:00:00Z'))).toBe(
      2 * 3600,
    );
  });

  it('adds business time: Friday 16:30 + 1 h is Monday 09:30', () => {
    expect(lisbon.addBusinessSeconds(new Date('2026-11-20T16:30:00Z'), 3600)?.toISOString()).toBe(
      '2026-11-23T09:30:00.000Z',
    );
    const closed = new BusinessClock({ timezone: 'UTC', week: {}, holidays: [] });
    expect(closed.addBusinessSeconds(new Date('2026-11-20T16:30:00Z'), 60)).toBeNull();
  });

  it('reports invalid definitions', () => {
    expect(
      calendarProblems({
        timezone: 'Mars/Olympus',
        week: {
          mon: [
            { start: '09:00', end: '12:00' },
            { start: '11:00', end: '13:00' },
          ],
          tue: [{ start: '18:00', end: '08:00' }],
        },
        holidays: ['25/12/2026'],
      }),
    ).toEqual([
      'unknown time zone "Mars/Olympus"',
      'mon: intervals overlap',
      'tue: 18:00–08:00 ends before it starts',
      'holiday "25/12/2026" is not a YYYY-MM-DD date',
    ]);
    expect(calendarProblems({ timezone: 'Europe/Lisbon', week: weekdays9to17, holidays: [] })).toEqual([]);
  });
});
