import { DateTime } from 'luxon';

/** One working interval of a day, in local wall-clock time ("09:00"–"17:30"; "24:00" ends at midnight). */
export interface WorkInterval {
  start: string;
  end: string;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A business calendar: its IANA time zone, working intervals per weekday and holidays (local dates). */
export interface CalendarDefinition {
  timezone: string;
  week: Partial<Record<Weekday, WorkInterval[]>>;
  /** `YYYY-MM-DD` in the calendar's time zone; the whole local day is closed. */
  holidays: string[];
}

/** How far `addBusinessSeconds` looks ahead before it gives up (a calendar with no working time). */
const MAX_SCAN_DAYS = 800;

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

/** Checks a definition; returns the problems, empty when it is usable. */
export function calendarProblems(definition: CalendarDefinition): string[] {
  const problems: string[] = [];
  if (!DateTime.local().setZone(definition.timezone).isValid) {
    problems.push(`unknown time zone "${definition.timezone}"`);
  }
  for (const [day, intervals] of Object.entries(definition.week)) {
    if (!WEEKDAYS.includes(day as Weekday)) problems.push(`unknown weekday "${day}"`);
    const sorted = [...(intervals ?? [])].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
    let previousEnd = -1;
    for (const interval of sorted) {
      const valid =
        /^([01]\d|2[0-3]):[0-5]\d$/.test(interval.start) &&
        /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/.test(interval.end);
      if (!valid) {
        problems.push(
          `${day}: times must be HH:MM (end may be 24:00), got ${interval.start}–${interval.end}`,
        );
        continue;
      }
      if (minutesOf(interval.end) <= minutesOf(interval.start)) {
        problems.push(`${day}: ${interval.start}–${interval.end} ends before it starts`);
      }
      if (minutesOf(interval.start) < previousEnd) problems.push(`${day}: intervals overlap`);
      previousEnd = minutesOf(interval.end);
    }
  }
  for (const holiday of definition.holidays) {
    if (
      !DateTime.fromISO(holiday, { zone: definition.timezone }).isValid ||
      !/^\d{4}-\d{2}-\d{2}$/.test(holiday)
    ) {
      problems.push(`holiday "${holiday}" is not a YYYY-MM-DD date`);
    }
  }
  return problems;
}

/**
 * Business time against one calendar. Working intervals are wall-clock times turned into instants
 * in the calendar's zone day by day, so a DST change shortens or lengthens that day's interval by
 * exactly the hour the clocks moved (a nonexistent local time moves forward, as the clocks do).
 */
export class BusinessClock {
  private readonly holidays: Set<string>;

  constructor(private readonly definition: CalendarDefinition) {
    this.holidays = new Set(definition.holidays);
  }

  /** A clock where every second is a business second (no calendar configured). */
  static readonly ALWAYS: Pick<BusinessClock, 'businessSeconds' | 'addBusinessSeconds' | 'isOpen'> = {
    businessSeconds: (from: Date, to: Date) =>
      Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000)),
    addBusinessSeconds: (from: Date, seconds: number) => new Date(from.getTime() + seconds * 1000),
    isOpen: () => true,
  };

  /** Working seconds between two instants (0 when `to` is not after `from`). */
  businessSeconds(from: Date, to: Date): number {
    if (to <= from) return 0;
    let total = 0;
    for (const [start, end] of this.windows(from, to)) {
      const overlap = Math.min(end, to.getTime()) - Math.max(start, from.getTime());
      if (overlap > 0) total += overlap;
    }
    return Math.round(total / 1000);
  }

  /** The instant when `seconds` of working time have passed after `from`; null if none within ~2 years. */
  addBusinessSeconds(from: Date, seconds: number): Date | null {
    let remaining = seconds * 1000;
    let day = DateTime.fromJSDate(from, { zone: this.definition.timezone }).startOf('day');
    for (let scanned = 0; scanned < MAX_SCAN_DAYS; scanned += 1, day = day.plus({ days: 1 })) {
      for (const [start, end] of this.dayWindows(day)) {
        const begin = Math.max(start, from.getTime());
        if (end <= begin) continue;
        if (remaining <= end - begin) return new Date(begin + remaining);
        remaining -= end - begin;
      }
    }
    return null;
  }

  isOpen(at: Date): boolean {
    const day = DateTime.fromJSDate(at, { zone: this.definition.timezone }).startOf('day');
    return this.dayWindows(day).some(([start, end]) => at.getTime() >= start && at.getTime() < end);
  }

  private *windows(from: Date, to: Date): Generator<[number, number]> {
    const last = DateTime.fromJSDate(to, { zone: this.definition.timezone }).startOf('day');
    for (
      let day = DateTime.fromJSDate(from, { zone: this.definition.timezone }).startOf('day');
      day <= last;
      day = day.plus({ days: 1 })
    ) {
      yield* this.dayWindows(day);
    }
  }

  /** The working windows of one local day as epoch-millisecond pairs. */
  private dayWindows(day: DateTime): Array<[number, number]> {
    if (this.holidays.has(day.toISODate() ?? '')) return [];
    const weekday = WEEKDAYS[day.weekday - 1];
    return (this.definition.week[weekday] ?? []).map(({ start, end }) => [
      this.at(day, start),
      end === '24:00' ? day.plus({ days: 1 }).startOf('day').toMillis() : this.at(day, end),
    ]);
  }

  private at(day: DateTime, time: string): number {
    const [hour, minute] = time.split(':').map(Number);
    return day.set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
  }
}

export type Clock = Pick<BusinessClock, 'businessSeconds' | 'addBusinessSeconds' | 'isOpen'>;
