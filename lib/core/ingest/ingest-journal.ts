import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.js';

/**
 * The ingest journal (issue 16): what each delivery handed to the record store, as the content
 * hashes of its new records, chained per source (wms, finance) like a case's trail. A link is
 * written before the records it names are claimed, so every stored record is in the journal (a link
 * may also name a record another sender won: that one is named too, by its own link). Each link is
 * anchored in the digest log (audit-digest.ts), so the journal cannot be rewritten quietly, and
 * `stocktally audit verify` holds every stored record to it.
 */
export const JOURNAL_GENESIS = '0'.repeat(64);

/** Records named per link: a link stays a small DynamoDB item (ids are at most 256 characters). */
export const RECORDS_PER_LINK = 500;

/** A record as journaled: its id and the hash of its canonical content (content-hash.ts). */
export type JournaledRecord = [id: string, hash: string];

export interface JournalLink {
  source: string;
  seq: number;
  at: string;
  /** The delivery the records came in (`webhook/<request id>`, `s3://bucket/key@etag`). */
  delivery: string;
  records: JournaledRecord[];
  prevHash: string;
  hash: string;
}

export function journalLinkHash(link: Omit<JournalLink, 'hash'>): string {
  const { source, seq, at, delivery, records, prevHash } = link;
  return createHash('sha256')
    .update(canonicalJson({ source, seq, at, delivery, records, prevHash }), 'utf8')
    .digest('hex');
}

/** The link after `previous` (undefined: the source's first). */
export function nextJournalLink(
  previous: Pick<JournalLink, 'seq' | 'hash'> | undefined,
  draft: Pick<JournalLink, 'source' | 'at' | 'delivery' | 'records'>,
): JournalLink {
  const link = { ...draft, seq: (previous?.seq ?? 0) + 1, prevHash: previous?.hash ?? JOURNAL_GENESIS };
  return { ...link, hash: journalLinkHash(link) };
}

export interface JournalBreak {
  source: string;
  seq: number;
  reason: 'sequence' | 'link' | 'hash';
  expected: string;
  found: string;
}

/** A source's links in order, checked: the first broken one, if any. */
export function verifyJournal(source: string, links: readonly JournalLink[]): JournalBreak | undefined {
  let previous = JOURNAL_GENESIS;
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as JournalLink;
    const seq = i + 1;
    if (link.seq !== seq)
      return { source, seq, reason: 'sequence', expected: String(seq), found: String(link.seq) };
    if (link.prevHash !== previous)
      return { source, seq, reason: 'link', expected: previous, found: link.prevHash };
    const recomputed = journalLinkHash(link);
    if (recomputed !== link.hash)
      return { source, seq, reason: 'hash', expected: recomputed, found: link.hash };
    previous = link.hash;
  }
  return undefined;
}
