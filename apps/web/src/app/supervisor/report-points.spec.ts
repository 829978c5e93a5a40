import { pointValue } from './report-points.js';

describe('report points', () => {
  it('charts counts, calendar medians and rates', () => {
    expect(pointValue('volume', { period: 'd', opened: 4 })).toBe(4);
    const stats = { count: 2, mean: 10, median: 8, p90: 12 };
    expect(pointValue('first_response', { period: 'd', value: { calendar: stats } })).toBe(8);
    expect(pointValue('handle_time', { period: 'd', value: stats })).toBe(8);
    expect(pointValue('fcr', { period: 'd', fcr: 3, decided: 4 })).toBe(75);
    expect(pointValue('fcr', { period: 'd', fcr: 0, decided: 0 })).toBeNull();
    expect(pointValue('reopen', { period: 'd', resolved: 10, reopened: 1 })).toBe(10);
  });
});

describe('survey series points', () => {
  it('charts CSAT %, CES mean and NPS score', () => {
    expect(pointValue('csat', { period: '2026-11-16', percent: 86.9 })).toBe(86.9);
    expect(pointValue('ces', { period: '2026-11-16', mean: 5.8 })).toBe(5.8);
    expect(pointValue('nps', { period: '2026-11-16', score: -20 })).toBe(-20);
    expect(pointValue('csat', { period: '2026-11-16', percent: null })).toBeNull();
  });
});
