import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.js';

/**
 * The tamper-evident trail of a case: each event carries the SHA-256 of the event before it (the
 * first one a fixed genesis), and its own hash over its canonical serialization (canonical-json.ts)
 * including that link, its case and its sequence number. Changing, removing, reordering or moving
 * an event between cases breaks the chain at that event, and verifyChain names where.
 */
export const GENESIS_HASH = '0'.repeat(64);

/** An event as hashed: everything but its own hash. */
export interface ChainLink {
  /** The case's group key. */
  groupKey: string;
  /** 1, 2, 3, ... with no gaps. */
  seq: number;
  type: string;
  /** ISO 8601 instant. */
  at: string;
  actor: { userId: string; username: string; roles: readonly string[] };
  data: Record<string, unknown>;
  prevHash: string;
}

export type ChainedEvent = ChainLink & { hash: string };

export function hashLink(link: ChainLink): string {
  const { groupKey, seq, type, at, actor, data, prevHash } = link;
  return createHash('sha256')
    .update(canonicalJson({ groupKey, seq, type, at, actor, data, prevHash }), 'utf8')
    .digest('hex');
}

/** Links a new event onto the chain whose last event is `previous` (undefined: the first event). */
export function chain(
  previous: Pick<ChainedEvent, 'seq' | 'hash'> | undefined,
  draft: Omit<ChainLink, 'seq' | 'prevHash'>,
): ChainedEvent {
  const link: ChainLink = {
    ...draft,
    seq: (previous?.seq ?? 0) + 1,
    prevHash: previous?.hash ?? GENESIS_HASH,
  };
  return { ...link, hash: hashLink(link) };
}

export interface BrokenLink {
  groupKey: string;
  /** The event where the chain breaks (for a missing tail, the first missing sequence number). */
  seq: number;
  reason: 'hash' | 'link' | 'sequence' | 'case' | 'head';
  expected: string;
  found: string;
}

export type ChainCheck = { verified: true; events: number } | { verified: false; brokenAt: BrokenLink };

/**
 * Checks a case's events in sequence order, and, when given, that the case head names the last
 * one (so a removed tail shows too). The first broken link is reported.
 */
export function verifyChain(
  groupKey: string,
  events: readonly ChainedEvent[],
  head?: { version: number; lastHash: string },
): ChainCheck {
  let previous = GENESIS_HASH;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as ChainedEvent;
    const seq = i + 1;
    const broken = (reason: BrokenLink['reason'], expected: string, found: string): ChainCheck => ({
      verified: false,
      brokenAt: { groupKey, seq, reason, expected, found },
    });
    if (event.seq !== seq) return broken('sequence', String(seq), String(event.seq));
    if (event.groupKey !== groupKey) return broken('case', groupKey, event.groupKey);
    if (event.prevHash !== previous) return broken('link', previous, event.prevHash);
    const recomputed = hashLink(event);
    if (event.hash !== recomputed) return broken('hash', recomputed, event.hash);
    previous = event.hash;
  }
  // A head may lag its events (a writer stopped between the two writes; the next read rolls it
  // forward), but it never names more events than there are, nor another hash for its last one.
  if (head !== undefined) {
    const named = head.version >= 1 ? events[head.version - 1]?.hash : GENESIS_HASH;
    if (named === undefined || named !== head.lastHash) {
      return {
        verified: false,
        brokenAt: {
          groupKey,
          seq: Math.min(head.version, events.length + 1),
          reason: 'head',
          expected: `event ${head.version} with hash ${head.lastHash} (the case head)`,
          found: named === undefined ? `${events.length} events` : `event ${head.version} with hash ${named}`,
        },
      };
    }
  }
  return { verified: true, events: events.length };
}
