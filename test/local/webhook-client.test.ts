import { describe, expect, it } from 'vitest';
import { countsOf, ndjsonBatches } from '../../lib/local/clients/webhook-client.js';

describe('the demo webhook client', () => {
  const lines = Array.from({ length: 25 }, (_, i) =>
    JSON.stringify({ eventId: `E${String(i).padStart(2, '0')}`, note: '十月' }),
  );

  it('cuts NDJSON into batches of at most N records, skipping blank lines, losing none', () => {
    const batches = ndjsonBatches(`${lines.join('\n')}\n\n`, 10, 1_000_000);

    expect(batches.map((b) => b.trim().split('\n').length)).toEqual([10, 10, 5]);
    expect(batches.join('')).toBe(`${lines.join('\n')}\n`);
  });

  it('cuts NDJSON into batches of at most N bytes, counted in UTF-8', () => {
    const size = Buffer.byteLength(lines[0]!) + 1;
    const batches = ndjsonBatches(lines.join('\n'), 10_000, size * 4);

    expect(batches.every((b) => Buffer.byteLength(b) <= size * 4)).toBe(true);
    expect(batches.map((b) => b.trim().split('\n').length)).toEqual([4, 4, 4, 4, 4, 4, 1]);
  });

  it('reads counts from a webhook answer or an ingest report, and nothing from anything else', () => {
    expect(countsOf({ accepted: 3, duplicates: 1, conflicts: [{ id: 'E1' }], rejected: [{}, {}] })).toEqual({
      accepted: 3,
      duplicates: 1,
      conflicts: 1,
      rejected: 2,
    });
    expect(countsOf({ message: 'Unauthorized' })).toBeUndefined();
    expect(countsOf('accepted')).toBeUndefined();
  });
});
