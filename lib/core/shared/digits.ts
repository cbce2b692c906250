/**
 * Numbers as finance reads them, made from exact decimal strings by string manipulation only: a JS
 * number never holds an amount on its way to a page, a report or a message.
 */
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** `1234567.5` -> `1,234,567.5`; the digits stay exactly as given, only separators are added (text that is not a decimal is returned as is). */
export function groupDigits(text: string): string {
  const m = DECIMAL.exec(text.trim());
  if (m === null) return text;
  const [, sign = '', whole = '0', fraction] = m;
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const negative = sign === '-' && /[1-9]/.test(`${whole}${fraction ?? ''}`);
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}
