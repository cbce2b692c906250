import { groupDigits } from '../../lib/core/shared/digits.js';

export { groupDigits };
/**
 * Numbers as finance reads them, made from the API's exact decimal strings by string manipulation
 * only: a JS number never holds an amount on its way to the screen.
 */
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Money with its two minor-unit places: `12.5` -> `12.50`, `1234` -> `1,234.00`. */
export function formatMoney(text: string | null | undefined): string {
  if (text === null || text === undefined || text === '') return '—';
  const m = DECIMAL.exec(text.trim());
  if (m === null) return text;
  const [, sign = '', whole = '0', fraction = ''] = m;
  const places = fraction.length >= 2 ? fraction : fraction.padEnd(2, '0');
  return groupDigits(`${sign}${whole}.${places}`);
}

/** A quantity or other decimal, exact: separators only. */
export function formatQuantity(text: string | null | undefined): string {
  if (text === null || text === undefined || text === '') return '—';
  return groupDigits(text);
}

/**
 * A ratio string of the API (`0.9712`, `1.0000`) as a percentage with two places (`97.12 %`), by
 * moving the decimal point: the four places the API gives are shown exactly.
 */
export function formatRate(text: string | null | undefined): string {
  if (text === null || text === undefined) return '—';
  const m = DECIMAL.exec(text.trim());
  if (m === null) return text;
  const [, sign = '', whole = '0', fraction = ''] = m;
  const digits = `${whole}${fraction.padEnd(2, '0')}`;
  const point = whole.length + 2;
  const intPart = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const rest = digits.slice(point);
  const shown = rest === '' ? '00' : rest.length === 1 ? `${rest}0` : rest;
  return `${sign}${groupDigits(intPart)}.${shown} %`;
}

/**
 * A rough magnitude of an amount for colour scales only (never shown): log10 from the string's digits.
 * Exactness does not matter for a shade; what is displayed is always the string itself.
 */
export function magnitude(text: string): number {
  const m = DECIMAL.exec(text.trim());
  if (m === null) return 0;
  const whole = (m[2] ?? '0').replace(/^0+/, '');
  if (whole === '') return 0;
  const lead = Number(`${whole.slice(0, 1)}.${whole.slice(1, 6) || '0'}`);
  return whole.length - 1 + Math.log10(lead);
}

/** Integer counts with separators. */
export function formatCount(n: number): string {
  return groupDigits(String(Math.trunc(n)));
}

/** An ISO instant as `YYYY-MM-DD HH:mm` in a time zone (the run's), with the zone's name. */
export function formatInstant(iso: string | null | undefined, timeZone = 'UTC'): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const parts: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at)) {
    parts[p.type] = p.value;
  }
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** Whole days from `from` to `to` (never negative). */
export function daysBetween(from: string, to: string): number {
  return Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / 86_400_000));
}
