import { daysFromCivil, daysInMonth } from './civil-date.js';
import type { ZoneClock } from './zone-clock.js';

export { daysFromCivil, daysInMonth } from './civil-date.js';

/**
 * Strict ISO 8601 instants: `2026-10-05`, `2026-10-05T10:00`, `2026-10-05T10:00:00.123+08:00`.
 * An impossible calendar date (2026-02-30, hour 25) is rejected, never rolled over the way
 * `Date.parse` would. A date, or a date-time without an offset, is read in the run's time zone.
 */
export type InstantParse = { ok: true; ms: number; dateOnly: boolean } | { ok: false; reason: string };

const MS_PER_DAY = 86_400_000;

function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function bad(text: string, why: string): string {
  return `${why}: ${JSON.stringify(text)}`;
}

export function parseInstant(text: string, zone: ZoneClock): InstantParse {
  const ms = readInstant(text, zone);
  if (typeof ms === 'string') return { ok: false, reason: ms };
  const t = text.trim();
  return { ok: true, ms, dateOnly: t.length === 10 };
}

/** The allocation-free form for the hot path: epoch ms, or the reason the text is not an instant. */
export function readInstant(text: string, zone: ZoneClock): number | string {
  const s = text.trim();
  if (s.length === 0) return 'is empty';
  if (s.length < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) {
    return bad(text, 'is not an ISO 8601 date or date-time');
  }
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  if (y < 0 || mo < 0 || d < 0) return bad(text, 'is not an ISO 8601 date or date-time');
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return bad(text, 'is an impossible date');
  const day = daysFromCivil(y, mo, d);
  if (s.length === 10) return zone.localToUtc(day * MS_PER_DAY);

  const sep = s.charCodeAt(10);
  if ((sep !== 84 /* T */ && sep !== 32) /* space */ || s.length < 16 || s.charCodeAt(13) !== 58) {
    return bad(text, 'is not an ISO 8601 date-time');
  }
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  if (h < 0 || mi < 0) return bad(text, 'is not an ISO 8601 date-time');
  let i = 16;
  let sec = 0;
  let ms = 0;
  if (s.charCodeAt(i) === 58 /* : */) {
    sec = digits(s, i + 1, 2);
    if (sec < 0) return bad(text, 'is not an ISO 8601 date-time');
    i += 3;
    if (s.charCodeAt(i) === 46 /* . */ || s.charCodeAt(i) === 44 /* , */) {
      i++;
      const start = i;
      let frac = 0;
      while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
        if (i - start < 3) frac = frac * 10 + (s.charCodeAt(i) - 48);
        i++;
      }
      if (i === start) return bad(text, 'is not an ISO 8601 date-time');
      const n = Math.min(3, i - start);
      ms = frac * (n === 1 ? 100 : n === 2 ? 10 : 1);
    }
  }
  if (h > 23 || mi > 59 || sec > 59) return bad(text, 'is an impossible time of day');
  const local = day * MS_PER_DAY + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms;
  if (i === s.length) return zone.localToUtc(local);
  const z = s.charCodeAt(i);
  if ((z === 90 /* Z */ || z === 122) /* z */ && i + 1 === s.length) return local;
  if (z === 43 /* + */ || z === 45 /* - */) {
    const rest = s.slice(i + 1);
    let oh: number;
    let om = 0;
    if (/^\d\d$/.test(rest)) oh = digits(rest, 0, 2);
    else if (/^\d\d:?\d\d$/.test(rest)) {
      oh = digits(rest, 0, 2);
      om = digits(rest, rest.length - 2, 2);
    } else return bad(text, 'has an unreadable UTC offset');
    if (oh > 23 || om > 59) return bad(text, 'has an impossible UTC offset');
    const offset = (oh * 60 + om) * 60_000 * (z === 45 ? -1 : 1);
    return local - offset;
  }
  return bad(text, 'is not an ISO 8601 date-time');
}

export function formatInstant(ms: number): string {
  return new Date(ms).toISOString();
}
