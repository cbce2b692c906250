import { describe, expect, it } from 'vitest';
import { linkLifetime, REPORT_LINK } from '../../lib/adapters/runs/report-keys.js';

const NOW = new Date('2026-11-02T08:00:00Z');
const WEEK = REPORT_LINK.maxSeconds;
const inSeconds = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe('a report link’s lifetime', () => {
  it('is what was asked, up to 7 days, when long-term keys sign it', () => {
    expect(linkLifetime(3600, {}, NOW)).toBe(3600);
    expect(linkLifetime(WEEK, {}, NOW)).toBe(WEEK);
  });

  it('ends before the temporary credentials that sign it expire, less a minute', () => {
    const credentials = { sessionToken: 'token', expiration: inSeconds(1800) };

    expect(linkLifetime(WEEK, credentials, NOW)).toBe(1800 - 60);
    expect(linkLifetime(600, credentials, NOW)).toBe(600);
  });

  it('claims at most an hour when temporary credentials do not say when they expire (Lambda’s)', () => {
    expect(linkLifetime(WEEK, { sessionToken: 'token' }, NOW)).toBe(3600);
    expect(linkLifetime(WEEK, { sessionToken: 'token', expiration: inSeconds(12 * 3600) }, NOW)).toBe(3600);
  });

  it('never claims less than a second', () => {
    expect(linkLifetime(3600, { sessionToken: 'token', expiration: inSeconds(30) }, NOW)).toBe(1);
  });
});
