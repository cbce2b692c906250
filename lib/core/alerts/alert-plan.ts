import { STRONG_SUGGESTION } from '../diagnosis/diagnosis-facts.js';
import { routeOf, type AlertConfig, type Channel } from './alert-config.js';
import { formatMoney, parseDecimal, type Decimal } from '../shared/decimal.js';
import { SEVERITIES, type Kind, type Severity } from '../reconcile/discrepancy.js';
import { ageBucket, ageDays } from '../runs/lifecycle.js';
import { AGE_BUCKETS, type AgeBucket, type RunDiscrepancy, type RunMode } from '../runs/run-events.js';

/**
 * What to say after a run, and to whom (issue 7): a pure function of the run's discrepancies (with
 * their lifecycle), what earlier runs alerted (one AlertMark per group), and the configuration.
 *
 * Rules, per discrepancy the run found (NEW or PERSISTING):
 * - It is sendable in this run when its severity is RED or YELLOW, or GREEN in the day's digest run
 *   (the first close run of the day), and its money at stake reaches its warehouse's threshold for
 *   that severity. Its channels are its warehouse's route, those that take that severity.
 * - A sendable discrepancy is alerted when it was never alerted in this occurrence (new, or now
 *   above its threshold, or a GREEN's first digest), when its severity rose since the run before or
 *   above the severity of its last alert, or when it aged into a later age bucket (0-1, 2-7, 8-30,
 *   >30 days) than at its last alert.
 *   Anything else is not said again: a second run over unchanged data sends nothing.
 * - RED: one message per alerted discrepancy and channel; past `limits.redAlertsPerRun` for one
 *   channel, the smaller ones are folded into one more message (chat robots take ~20 a minute).
 *   YELLOW: one digest per channel and run, of the alerted YELLOW discrepancies.
 *   GREEN: only in the daily digest (per channel, sent by the day's digest run), with the counts and
 *   money of everything open in the channel's warehouses.
 * - A discrepancy the run RESOLVED loses its mark (if it opens again it is new), and when a RED
 *   alert went out for it, its channels get a short all-clear.
 * - A discrepancy whose case is quiet (awaiting the books, accepted or closed; CONTRACT section 8) is
 *   in no message, digest or all-clear; its mark forgets what was alerted, so the case is alerted
 *   afresh if it is reopened.
 * - A case waiting for the books past its due date gets one `overdue` message per channel of its
 *   warehouse's route (those taking its severity, else all of them), addressed to its owner.
 * Groups the run did not see (out of scope, failed partitions) keep their marks unchanged.
 */
export interface AlertMark {
  /** As the last run that saw the group found it. */
  severity: Severity;
  ageBucket: AgeBucket;
  /** The last alert sent for it in this occurrence, if any. */
  alerted?: { severity: Severity; ageBucket: AgeBucket; runId: string };
  /** A RED alert went out for it: its resolution gets an all-clear. */
  redAlerted: boolean;
}

export interface AlertRunInfo {
  runId: string;
  mode: RunMode;
  asOf: string;
  /** This run sends the day's digest (a close run, the first of its day to get here). */
  digest: boolean;
  /** The run's day in the configured time zone, YYYY-MM-DD, for the daily digest's title. */
  day: string;
  /** The run's report (the runs API's report route). */
  reportUrl: string;
}

export type AlertReason = 'new' | 'severity-rose' | 'aged' | 'resolved' | 'overdue';

export type AlertKind = 'red' | 'red-more' | 'all-clear' | 'yellow-digest' | 'daily-digest' | 'overdue';

/** A case waiting for the books past its due date, as the overdue alert tells its owner. */
export interface OverdueCase {
  caseId: string;
  groupKey: string;
  warehouseId: string;
  documentRef: string;
  sku: string;
  kind: Kind;
  severity: Severity;
  moneyAtStake: string;
  firstSeen: string;
  explanation: string;
  owner: string;
  /** The approval, and the day the books were due to agree by. */
  since: string;
  dueBy: string;
  daysOverdue: number;
}

/** One discrepancy as a message shows it. */
export interface AlertItem {
  groupKey: string;
  warehouseId: string;
  documentRef: string;
  sku: string;
  kind: Kind;
  severity: Severity;
  /** Exact decimal text, two places (not yet grouped). */
  moneyAtStake: string;
  ageBucket: AgeBucket;
  ageDays: number;
  firstSeen: string;
  explanation: string;
  /** The same in Chinese (CONTRACT §11); absent for a discrepancy stored before it was made. */
  explanationZh?: string;
  reason: AlertReason;
  /** A strong suggested match (CONTRACT §11): the other side's group is probably this one's. */
  probablySameAs?: { documentRef: string; sku: string };
}

export interface SeverityTotals {
  count: number;
  /** Exact decimal text, two places. */
  money: string;
}

export interface AlertMessage {
  /** Unique within the run, the same when the run is notified again: the publish de-duplication key. */
  id: string;
  kind: AlertKind;
  /** Decides the SNS topic: RED for alerts and all-clears, YELLOW for its digest, GREEN for the daily one. */
  severity: Severity;
  channel: Channel;
  run: AlertRunInfo;
  /** RED and all-clear: one item; digests: the items, largest money first. */
  items: AlertItem[];
  /** Items beyond those listed (a digest is capped at `limits.digestItems`). */
  more: number;
  /** The owners of the warehouses the message is about. */
  owners: string[];
  /** Daily digest: everything open in the channel's warehouses, by severity. */
  open?: Record<Severity, SeverityTotals>;
  /** Overdue: the case waiting for the books. */
  awaiting?: Pick<OverdueCase, 'caseId' | 'owner' | 'since' | 'dueBy' | 'daysOverdue'>;
}

export interface MarkChange {
  groupKey: string;
  /** For the store's partition key. */
  sku: string;
  /** The new mark; undefined deletes it (the group was resolved). */
  mark: AlertMark | undefined;
}

export interface AlertPlan {
  messages: AlertMessage[];
  marks: MarkChange[];
}

export interface AlertInput {
  run: AlertRunInfo;
  /** The run's discrepancies: found (NEW, PERSISTING) and resolved (RESOLVED). */
  discrepancies: readonly RunDiscrepancy[];
  /** Marks of earlier runs, by group key. */
  marks: ReadonlyMap<string, AlertMark>;
  config: AlertConfig;
  /** Groups whose case is awaiting the books, accepted or closed: nothing is said of them. */
  quiet?: ReadonlySet<string>;
  /** Cases overdue for the books, not alerted before (the caller claims each once). */
  overdue?: readonly OverdueCase[];
}

const RANK: Readonly<Record<Severity, number>> = { GREEN: 0, YELLOW: 1, RED: 2 };
const bucketIndex = (bucket: AgeBucket): number => AGE_BUCKETS.indexOf(bucket);

function money(text: string): Decimal {
  const parsed = parseDecimal(text);
  // The engine writes moneyAtStake itself: a non-decimal is a bug upstream.
  if (!parsed.ok) throw new Error(`moneyAtStake ${parsed.reason}`);
  return parsed.value;
}

/** Why a sendable discrepancy is alerted now, or undefined when it was already said. */
export function alertReason(
  mark: AlertMark | undefined,
  severity: Severity,
  bucket: AgeBucket,
): Exclude<AlertReason, 'resolved'> | undefined {
  if (mark === undefined) return 'new';
  // Rose since the run before (RED again after a drop to YELLOW is alerted again).
  if (RANK[severity] > RANK[mark.severity]) return 'severity-rose';
  // Sendable for the first time: new above its threshold, or a GREEN's first daily digest.
  if (mark.alerted === undefined) return 'new';
  // Above what was alerted: a RED that was below its threshold when it rose from an alerted YELLOW.
  if (RANK[severity] > RANK[mark.alerted.severity]) return 'severity-rose';
  if (bucketIndex(bucket) > bucketIndex(mark.alerted.ageBucket)) return 'aged';
  return undefined;
}

const byMoneyDesc = (a: AlertItem, b: AlertItem): number => {
  const d = money(b.moneyAtStake) - money(a.moneyAtStake);
  if (d !== 0n) return d > 0n ? 1 : -1;
  return a.groupKey < b.groupKey ? -1 : a.groupKey > b.groupKey ? 1 : 0;
};

function itemOf(d: RunDiscrepancy, asOf: string, reason: AlertReason): AlertItem {
  return {
    groupKey: d.groupKey,
    warehouseId: d.warehouseId,
    documentRef: d.documentRef,
    sku: d.sku,
    kind: d.kind,
    severity: d.severity,
    moneyAtStake: formatMoney(money(d.moneyAtStake)),
    ageBucket: d.ageBucket,
    ageDays: ageDays(d.firstSeen, asOf),
    firstSeen: d.firstSeen,
    explanation: d.explanation,
    ...(d.explanationZh ? { explanationZh: d.explanationZh } : {}),
    reason,
    ...strongSuggestion(d),
  };
}

/** The first suggested match when it is strong enough to say so in an alert. */
function strongSuggestion(d: RunDiscrepancy): Pick<AlertItem, 'probablySameAs'> {
  const top = d.suggestedMatches?.[0];
  if (top === undefined || top.score < STRONG_SUGGESTION) return {};
  return { probablySameAs: { documentRef: top.documentRef, sku: top.sku } };
}

/** The channels of a warehouse's route that take `severity`, in the route's order. */
function channelsFor(config: AlertConfig, warehouseId: string, severity: Severity): Channel[] {
  return routeOf(config, warehouseId)
    .channels.map((name) => config.channels.get(name))
    .filter((c): c is Channel => c !== undefined && c.severities.includes(severity));
}

function ownersOf(config: AlertConfig, items: readonly { warehouseId: string }[]): string[] {
  const owners = new Set<string>();
  for (const item of items) for (const o of routeOf(config, item.warehouseId).owners) owners.add(o);
  return [...owners];
}

/** Adds `item` to the list kept for `channel` under `map`. */
function push<T>(map: Map<string, { channel: Channel; items: T[] }>, channel: Channel, item: T): void {
  let entry = map.get(channel.name);
  if (entry === undefined) map.set(channel.name, (entry = { channel, items: [] }));
  entry.items.push(item);
}

function emptyTotals(): Record<Severity, { count: number; money: Decimal }> {
  return { RED: { count: 0, money: 0n }, YELLOW: { count: 0, money: 0n }, GREEN: { count: 0, money: 0n } };
}

export function planAlerts(input: AlertInput): AlertPlan {
  const { run, config } = input;
  const red = new Map<string, { channel: Channel; items: AlertItem[] }>();
  const clear = new Map<string, { channel: Channel; items: AlertItem[] }>();
  const yellow = new Map<string, { channel: Channel; items: AlertItem[] }>();
  const green = new Map<string, { channel: Channel; items: AlertItem[] }>();
  const marks: MarkChange[] = [];

  for (const d of input.discrepancies) {
    const mark = input.marks.get(d.groupKey);
    if (input.quiet?.has(d.groupKey) === true) {
      const change = quietMark(d, mark);
      if (change !== undefined) marks.push(change);
      continue;
    }
    if (d.state === 'RESOLVED') {
      if (mark === undefined) continue;
      if (mark.redAlerted) {
        const item = itemOf(d, run.asOf, 'resolved');
        for (const channel of channelsFor(config, d.warehouseId, 'RED')) push(clear, channel, item);
      }
      marks.push({ groupKey: d.groupKey, sku: d.sku, mark: undefined });
      continue;
    }
    const { severity, ageBucket } = d;
    const sendable =
      (severity !== 'GREEN' || run.digest) &&
      money(d.moneyAtStake) >= routeOf(config, d.warehouseId).thresholds[severity];
    const reason = sendable ? alertReason(mark, severity, ageBucket) : undefined;
    const channels = reason === undefined ? [] : channelsFor(config, d.warehouseId, severity);
    if (reason !== undefined && channels.length > 0) {
      const item = itemOf(d, run.asOf, reason);
      const target = severity === 'RED' ? red : severity === 'YELLOW' ? yellow : green;
      for (const channel of channels) push(target, channel, item);
    }
    const alerted = reason !== undefined && channels.length > 0;
    const next: AlertMark = {
      severity,
      ageBucket,
      ...(alerted
        ? { alerted: { severity, ageBucket, runId: run.runId } }
        : mark?.alerted === undefined
          ? {}
          : { alerted: mark.alerted }),
      redAlerted: (mark?.redAlerted ?? false) || (alerted && severity === 'RED'),
    };
    if (!sameMark(mark, next)) marks.push({ groupKey: d.groupKey, sku: d.sku, mark: next });
  }

  const messages: AlertMessage[] = [];
  const base = (kind: AlertKind, severity: Severity, channel: Channel, items: AlertItem[], id: string) => ({
    id: `${kind}#${channel.name}${id === '' ? '' : `#${id}`}`,
    kind,
    severity,
    channel,
    run,
    items,
    more: 0,
    owners: ownersOf(config, items),
  });

  for (const { channel, items } of red.values()) {
    items.sort(byMoneyDesc);
    const cap = config.limits.redAlertsPerRun;
    // Beyond the cap, one message for the rest (the cap counts it): robots throttle at ~20 a minute.
    const single = items.length > cap ? items.slice(0, cap - 1) : items;
    for (const item of single) messages.push(base('red', 'RED', channel, [item], item.groupKey));
    const rest = items.slice(single.length);
    if (rest.length > 0) messages.push(capped(base('red-more', 'RED', channel, rest, ''), config));
  }
  for (const { channel, items } of clear.values()) {
    items.sort(byMoneyDesc);
    const cap = config.limits.redAlertsPerRun;
    const single = items.length > cap ? items.slice(0, cap - 1) : items;
    for (const item of single) messages.push(base('all-clear', 'RED', channel, [item], item.groupKey));
    const rest = items.slice(single.length);
    if (rest.length > 0) messages.push(capped(base('all-clear', 'RED', channel, rest, 'more'), config));
  }
  for (const { channel, items } of yellow.values()) {
    items.sort(byMoneyDesc);
    messages.push(capped(base('yellow-digest', 'YELLOW', channel, items, ''), config));
  }
  if (run.digest) messages.push(...dailyDigests(input, green));
  for (const overdue of input.overdue ?? []) messages.push(...overdueMessages(overdue, config, run));
  return { messages, marks };
}

/** The mark of a group whose case is quiet: what was alerted is forgotten (a reopened case is new). */
function quietMark(d: RunDiscrepancy, mark: AlertMark | undefined): MarkChange | undefined {
  if (d.state === 'RESOLVED') {
    return mark === undefined ? undefined : { groupKey: d.groupKey, sku: d.sku, mark: undefined };
  }
  const next: AlertMark = { severity: d.severity, ageBucket: d.ageBucket, redAlerted: false };
  return sameMark(mark, next) ? undefined : { groupKey: d.groupKey, sku: d.sku, mark: next };
}

/** One message per channel of the case's warehouse route, to its owner. */
function overdueMessages(overdue: OverdueCase, config: AlertConfig, run: AlertRunInfo): AlertMessage[] {
  const taking = channelsFor(config, overdue.warehouseId, overdue.severity);
  const channels =
    taking.length > 0
      ? taking
      : routeOf(config, overdue.warehouseId)
          .channels.map((name) => config.channels.get(name))
          .filter((c): c is Channel => c !== undefined);
  const item: AlertItem = {
    groupKey: overdue.groupKey,
    warehouseId: overdue.warehouseId,
    documentRef: overdue.documentRef,
    sku: overdue.sku,
    kind: overdue.kind,
    severity: overdue.severity,
    moneyAtStake: formatMoney(money(overdue.moneyAtStake)),
    ageBucket: ageBucket(overdue.firstSeen, run.asOf),
    ageDays: ageDays(overdue.firstSeen, run.asOf),
    firstSeen: overdue.firstSeen,
    explanation: overdue.explanation,
    reason: 'overdue',
  };
  const { caseId, owner, since, dueBy, daysOverdue } = overdue;
  return channels.map((channel) => ({
    id: `overdue#${channel.name}#${overdue.groupKey}`,
    kind: 'overdue' as const,
    severity: overdue.severity,
    channel,
    run,
    items: [item],
    more: 0,
    owners: [owner],
    awaiting: { caseId, owner, since, dueBy, daysOverdue },
  }));
}

function sameMark(a: AlertMark | undefined, b: AlertMark): boolean {
  return (
    a !== undefined &&
    a.severity === b.severity &&
    a.ageBucket === b.ageBucket &&
    a.redAlerted === b.redAlerted &&
    a.alerted?.severity === b.alerted?.severity &&
    a.alerted?.ageBucket === b.alerted?.ageBucket &&
    a.alerted?.runId === b.alerted?.runId
  );
}

/** A digest lists at most `limits.digestItems`; the rest is counted. */
function capped(message: AlertMessage, config: AlertConfig): AlertMessage {
  const limit = config.limits.digestItems;
  if (message.items.length <= limit) return message;
  return { ...message, items: message.items.slice(0, limit), more: message.items.length - limit };
}

/**
 * The daily digest, one per channel that takes GREEN and serves at least one warehouse the run saw:
 * everything open in its warehouses by severity, and the GREEN discrepancies alerted today.
 */
function dailyDigests(
  input: AlertInput,
  green: Map<string, { channel: Channel; items: AlertItem[] }>,
): AlertMessage[] {
  const { config, run } = input;
  const totals = new Map<
    string,
    { channel: Channel; open: ReturnType<typeof emptyTotals>; ws: Set<string> }
  >();
  for (const d of input.discrepancies) {
    if (d.state === 'RESOLVED' || input.quiet?.has(d.groupKey) === true) continue;
    for (const channel of channelsFor(config, d.warehouseId, 'GREEN')) {
      let entry = totals.get(channel.name);
      if (entry === undefined) {
        totals.set(channel.name, (entry = { channel, open: emptyTotals(), ws: new Set() }));
      }
      entry.open[d.severity].count++;
      entry.open[d.severity].money += money(d.moneyAtStake);
      entry.ws.add(d.warehouseId);
    }
  }
  const messages: AlertMessage[] = [];
  for (const { channel, open, ws } of totals.values()) {
    const items = (green.get(channel.name)?.items ?? []).sort(byMoneyDesc);
    const shown = Object.fromEntries(
      SEVERITIES.map((s) => [s, { count: open[s].count, money: formatMoney(open[s].money) }]),
    ) as Record<Severity, SeverityTotals>;
    messages.push(
      capped(
        {
          id: `daily-digest#${channel.name}#${run.day}`,
          kind: 'daily-digest',
          severity: 'GREEN',
          channel,
          run,
          items,
          more: 0,
          owners: ownersOf(
            config,
            [...ws].map((warehouseId) => ({ warehouseId })),
          ),
          open: shown,
        },
        config,
      ),
    );
  }
  return messages;
}
