import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.js';

/**
 * Anchoring (issue 16): every link a chain gains (a case event, an ingest journal link) is written
 * at once, by the function that appended it, to a digest log the functions can only add to (S3
 * Object Lock in compliance mode in the cloud, an append-only file locally). A chain rewritten in
 * the tables then disagrees with its digests: an event nobody anchored (written straight into the
 * table), an anchored event gone (a deleted tail, its head rewritten) or changed (a consistently
 * rewritten chain) is named at its first break. Digests are per link rather than periodic, so that a
 * forged tail is told from a real one however soon after the last digest it was written.
 *
 * The log's own lines are chained too (`prev`: the hash of the line before), so the file locally
 * cannot be edited quietly either.
 */
export const DIGEST_GENESIS = '0'.repeat(64);

/** A chain anchored: `case:<groupKey>`, `ingest:wms`, `ingest:finance`. */
export type ChainId = `case:${string}` | `ingest:${string}`;

export const caseChain = (groupKey: string): ChainId => `case:${groupKey}`;
export const ingestChain = (source: string): ChainId => `ingest:${source}`;

/** One link of one chain as anchored. */
export interface Anchor {
  chain: ChainId;
  seq: number;
  hash: string;
}

/** A line of the digest log: anchors written together, at one moment, chained to the line before. */
export interface DigestLine {
  at: string;
  anchors: Anchor[];
  prev: string;
  hash: string;
}

export function digestLineHash(line: Omit<DigestLine, 'hash'>): string {
  const { at, anchors, prev } = line;
  return createHash('sha256').update(canonicalJson({ at, anchors, prev }), 'utf8').digest('hex');
}

export function digestLine(previous: string, at: string, anchors: readonly Anchor[]): DigestLine {
  const line = { at, anchors: [...anchors], prev: previous };
  return { ...line, hash: digestLineHash(line) };
}

/** Where the digest log itself is broken (a line edited, removed or inserted), if anywhere. */
export function verifyDigestLog(lines: readonly DigestLine[]): { line: number; reason: string } | undefined {
  let previous = DIGEST_GENESIS;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as DigestLine;
    if (line.prev !== previous) return { line: i + 1, reason: 'does not follow the line before it' };
    if (digestLineHash(line) !== line.hash)
      return { line: i + 1, reason: 'was changed after it was written' };
    previous = line.hash;
  }
  return undefined;
}

/** Every anchored link, by chain then sequence number; a link anchored twice keeps both hashes. */
export function anchorsByChain(lines: readonly DigestLine[]): Map<ChainId, Map<number, string[]>> {
  const out = new Map<ChainId, Map<number, string[]>>();
  for (const line of lines) {
    for (const a of line.anchors) {
      let chain = out.get(a.chain);
      if (chain === undefined) out.set(a.chain, (chain = new Map()));
      const hashes = chain.get(a.seq);
      if (hashes === undefined) chain.set(a.seq, [a.hash]);
      else if (!hashes.includes(a.hash)) hashes.push(a.hash);
    }
  }
  return out;
}

export interface DigestBreak {
  chain: ChainId;
  seq: number;
  reason: 'unanchored' | 'differs' | 'missing';
  expected: string;
  found: string;
}

/**
 * A chain as the tables hold it (its links in order, 1, 2, 3, ...) against its digests: the first
 * link that was never anchored, differs from its digest, or was anchored but is gone.
 */
export function checkAgainstDigests(
  chain: ChainId,
  links: readonly { seq: number; hash: string }[],
  anchored: ReadonlyMap<number, readonly string[]> | undefined,
): DigestBreak | undefined {
  for (const link of links) {
    const hashes = anchored?.get(link.seq);
    if (hashes === undefined) {
      return {
        chain,
        seq: link.seq,
        reason: 'unanchored',
        expected: 'a digest written when the link was appended',
        found: `no digest of link ${link.seq} (${link.hash}): it was not written through Stocktally`,
      };
    }
    if (!hashes.includes(link.hash)) {
      return { chain, seq: link.seq, reason: 'differs', expected: hashes.join(' or '), found: link.hash };
    }
  }
  const last = Math.max(0, ...(anchored?.keys() ?? []));
  if (last > links.length) {
    const seq = links.length + 1;
    return {
      chain,
      seq,
      reason: 'missing',
      expected: `link ${seq} (${(anchored?.get(seq) ?? ['?']).join(' or ')}), anchored, and ${last} links in all`,
      found: `${links.length} links`,
    };
  }
  return undefined;
}
