import { daysFromCivil } from './civil-date.js';

const SLOT_MS = 15 * 60_000; // every real zone's offset changes on a quarter-hour boundary

/**
 * Local time and accounting periods (calendar months) in one IANA time zone. Intl is slow, so
 * offsets are cached per quarter hour: a run touches a few thousand distinct slots at most.
 */
export class ZoneClock {
  readonly timeZone: string;
  private readonly format: Intl.DateTimeFormat | undefined;
  private readonly offsets = new Map<number, number>();
  private readonly periods = new Map<number, string>();

  constructor(timeZone: string) {
    this.timeZone = timeZone;
    // Throws RangeError for a zone Intl does not know: callers validate arguments with it.
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    this.format = timeZone === 'UTC' || timeZone === 'Etc/UTC' ? undefined : format;
  }

  static isValid(timeZone: string): boolean {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone });
      return true;
    } catch {
      return false;
    }
  }

  /** Offset of local time from UTC, in ms, at a UTC instant. */
  offsetAt(utcMs: number): number {
    if (this.format === undefined) return 0;
    const slot = Math.floor(utcMs / SLOT_MS);
    let offset = this.offsets.get(slot);
    if (offset === undefined) {
      const at = slot * SLOT_MS;
      const parts: Record<string, number> = {};
      for (const p of this.format.formatToParts(new Date(at))) {
        if (p.type !== 'literal') parts[p.type] = Number(p.value);
      }
      const local =
        daysFromCivil(parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1) * 86_400_000 +
        (parts.hour ?? 0) * 3_600_000 +
        (parts.minute ?? 0) * 60_000 +
        (parts.second ?? 0) * 1000;
      offset = local - at;
      this.offsets.set(slot, offset);
    }
    return offset;
  }

  /** The UTC instant of a local wall-clock time (ms since epoch as if local were UTC). */
  localToUtc(localMs: number): number {
    if (this.format === undefined) return localMs;
    // The two offsets around the moment: keep a candidate that maps back to the same wall clock,
    // the earlier one when the clock repeats an hour; in a skipped hour, the first instant after it.
    const a = localMs - this.offsetAt(localMs - 86_400_000);
    const b = localMs - this.offsetAt(localMs + 86_400_000);
    const [early, late] = a <= b ? [a, b] : [b, a];
    if (early + this.offsetAt(early) === localMs) return early;
    if (late + this.offsetAt(late) === localMs) return late;
    return late;
  }

  /**
   * The instants a period `YYYY-MM` spans in this zone: from midnight on its first day to midnight
   * on the first day of the next month (the cut-off, exclusive). The period must be well formed.
   */
  periodBounds(period: string): { start: number; end: number } {
    const year = Number(period.slice(0, 4));
    const month = Number(period.slice(5, 7));
    const first = daysFromCivil(year, month, 1);
    const next = month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1);
    return { start: this.localToUtc(first * 86_400_000), end: this.localToUtc(next * 86_400_000) };
  }

  /** The accounting period, `YYYY-MM`, of a UTC instant in this zone. */
  periodOf(utcMs: number): string {
    const localDay = Math.floor((utcMs + this.offsetAt(utcMs)) / 86_400_000);
    let period = this.periods.get(localDay);
    if (period === undefined) {
      const d = new Date(localDay * 86_400_000);
      period = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
      this.periods.set(localDay, period);
    }
    return period;
  }
}
