import { describe, expect, it } from 'vitest';
import {
  chain,
  GENESIS_HASH,
  hashLink,
  verifyChain,
  type ChainedEvent,
} from '../../../lib/core/cases/audit-chain.js';
import { canonicalJson } from '../../../lib/core/shared/canonical-json.js';

const KEY = 'WH-上海-02|SKU-1|PO/2026/001';

function events(n: number, groupKey = KEY): ChainedEvent[] {
  const out: ChainedEvent[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      chain(out.at(-1), {
        groupKey,
        type: i === 0 ? 'open' : 'comment',
        at: `2026-11-0${i + 1}T00:00:00.000Z`,
        actor: { userId: 'u1', username: 'li.finance', roles: ['finance-specialist'] },
        data: i === 0 ? { owner: 'wang.lead' } : { text: `第${i}条 note`, amount: '12.50' },
      }),
    );
  }
  return out;
}

describe('canonical JSON', () => {
  it('writes one text whatever the key order, leaving undefined out', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: undefined, 中: true } })).toBe(
      '{"a":{"d":[1,"x"],"中":true},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('refuses what JSON cannot hold exactly', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/finite/);
  });
});

describe('the audit chain', () => {
  it('starts from the fixed genesis and links each event to the hash of the one before', () => {
    const chained = events(3);

    expect(chained[0]?.prevHash).toBe(GENESIS_HASH);
    expect(chained[1]?.prevHash).toBe(chained[0]?.hash);
    expect(chained.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(verifyChain(KEY, chained, { version: 3, lastHash: chained[2]?.hash ?? '' })).toEqual({
      verified: true,
      events: 3,
    });
  });

  it('names a changed field of an event as the broken link, with the hash it should have', () => {
    const chained = events(4);
    const tampered = chained.map((e) => (e.seq === 2 ? { ...e, data: { ...e.data, amount: '1250.00' } } : e));

    const check = verifyChain(KEY, tampered);

    expect(check).toEqual({
      verified: false,
      brokenAt: {
        groupKey: KEY,
        seq: 2,
        reason: 'hash',
        expected: hashLink(tampered[1] as ChainedEvent),
        found: chained[1]?.hash,
      },
    });
  });

  it('breaks at the next event when the changed event is re-hashed too', () => {
    const chained = events(4);
    const changed = {
      ...(chained[1] as ChainedEvent),
      actor: { userId: 'u2', username: 'zhao.reviewer', roles: [] },
    };
    const rehashed = chained.map((e) => (e.seq === 2 ? { ...changed, hash: hashLink(changed) } : e));

    const check = verifyChain(KEY, rehashed);

    expect(check.verified === false && check.brokenAt).toMatchObject({ seq: 3, reason: 'link' });
  });

  it('notices a removed event, reordered events and an event moved from another case', () => {
    const chained = events(4);

    expect(verifyChain(KEY, [chained[0], chained[2], chained[3]] as ChainedEvent[])).toMatchObject({
      verified: false,
      brokenAt: { seq: 2, reason: 'sequence' },
    });
    const other = events(2, 'WH-01|SKU-9|PO-9');
    expect(verifyChain(KEY, [chained[0], other[1]] as ChainedEvent[])).toMatchObject({
      verified: false,
      brokenAt: { seq: 2, reason: 'case' },
    });
  });

  it('notices a removed tail through the case head, and accepts a head that lags its events', () => {
    const chained = events(4);

    expect(
      verifyChain(KEY, chained.slice(0, 3), { version: 4, lastHash: chained[3]?.hash ?? '' }),
    ).toMatchObject({
      verified: false,
      brokenAt: { seq: 4, reason: 'head' },
    });
    expect(verifyChain(KEY, chained, { version: 3, lastHash: chained[2]?.hash ?? '' }).verified).toBe(true);
    expect(verifyChain(KEY, chained, { version: 3, lastHash: chained[1]?.hash ?? '' }).verified).toBe(false);
  });
});
