import type { ChannelType } from './alert-config.js';
import type { AlertItem, AlertMessage, AlertReason } from './alert-plan.js';
import { SEVERITIES, KIND_ZH, SEVERITY_ZH, type Severity } from '../reconcile/discrepancy.js';
import { groupDigits } from '../shared/digits.js';

/**
 * An alert message in each channel's format (issue 7): DingTalk robot markdown, WeCom group robot
 * markdown, Slack Block Kit, and plain text for email (SNS). One neutral view of the message is made
 * first, so every format says the same: the warehouse, the document, the kind (中文 and code), the
 * money at stake (exact decimal text with thousands separators), the age, and the report link.
 *
 * Limits kept here: WeCom markdown content at most 4,096 bytes, DingTalk text at most 20,000 bytes,
 * a Slack header 150 characters, a Slack text 3,000, 50 blocks; an SNS subject under 100 characters
 * on one line. A digest that would not fit lists fewer items and counts the rest.
 */
export interface DingTalkBody {
  msgtype: 'markdown';
  markdown: { title: string; text: string };
}

export interface WeComBody {
  msgtype: 'markdown';
  markdown: { content: string };
}

export type SlackText =
  { type: 'plain_text'; text: string; emoji?: boolean } | { type: 'mrkdwn'; text: string };

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: boolean } }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' };

export interface SlackBody {
  /** The notification and fallback text. */
  text: string;
  blocks: SlackBlock[];
}

export interface EmailBody {
  subject: string;
  text: string;
}

export type ChatBody = DingTalkBody | WeComBody | SlackBody;

export const LIMITS = {
  wecomBytes: 4096,
  dingtalkBytes: 20_000,
  slackHeader: 150,
  slackText: 3000,
  slackBlocks: 50,
  emailSubject: 99,
} as const;

const SEVERITY_MARK: Readonly<Record<Severity, string>> = { RED: '🔴', YELLOW: '🟡', GREEN: '🟢' };

const severityLabel = (s: Severity): string => `${SEVERITY_MARK[s]} ${SEVERITY_ZH[s]} ${s}`;

function reasonLabel(reason: AlertReason, item: AlertItem): string {
  switch (reason) {
    case 'new':
      return '新增 new';
    case 'severity-rose':
      return `升级 escalated to ${item.severity}`;
    case 'aged':
      return `账龄进入 ${item.ageBucket} 天 aged into ${item.ageBucket} days`;
    case 'resolved':
      return '已解决 resolved';
    case 'overdue':
      return '逾期待入账 overdue for the books';
  }
}

/** A repeated alert says why in its first line: it is not new. */
function titleReason(item: AlertItem): string {
  if (item.reason === 'aged') return ` · 账龄 ${item.ageBucket} 天 aged`;
  if (item.reason === 'severity-rose') return ' · 升级 escalated';
  return '';
}

const day = (iso: string): string => iso.slice(0, 10);
const amount = (text: string): string => groupDigits(text);
const kindLabel = (item: AlertItem): string => `${KIND_ZH[item.kind]} ${item.kind}`;
const ageLabel = (item: AlertItem): string =>
  `${item.ageDays} 天 days · 账龄段 bucket ${item.ageBucket} · 首次发现 first seen ${day(item.firstSeen)}`;
const reportLabel = '查看报告 Report (PDF)';

/** The format-neutral content of a message. */
interface View {
  /** One line: the notification title, the email subject, the first line everywhere. */
  title: string;
  severity: Severity | 'CLEAR';
  /** Label / value pairs (one discrepancy). */
  facts: [string, string][];
  /** Digest lines, one per discrepancy, under `heading` when set. */
  lines: string[];
  heading?: string;
  /** Discrepancies beyond the lines. */
  more: number;
  /** A quoted paragraph: the explanation. */
  quote?: string;
  /** Small print: owners and the run. */
  context: string[];
  reportUrl: string;
}

/** "可能与 PO-10243 为同一笔业务 probably the same as PO-10243" (the sku too when it differs). */
function sameAs(item: AlertItem): string | undefined {
  const other = item.probablySameAs;
  if (other === undefined) return undefined;
  const name = other.sku === item.sku ? other.documentRef : `${other.documentRef} (${other.sku})`;
  return `可能与 ${name} 为同一笔业务 probably the same as ${name}`;
}

function itemLine(item: AlertItem): string {
  const why =
    item.reason === 'new' || item.reason === 'resolved' ? '' : ` · ${reasonLabel(item.reason, item)}`;
  const same = sameAs(item);
  return `${item.warehouseId} · ${item.documentRef} · ${kindLabel(item)} · ${amount(item.moneyAtStake)} · ${item.ageDays} 天 days${why}${same === undefined ? '' : ` · ${same}`}`;
}

/** The explanation as alerts quote it: the Chinese first, the English after (CONTRACT §11). */
function explanationOf(d: { explanation: string; explanationZh?: string }): string {
  return d.explanationZh === undefined || d.explanationZh === ''
    ? d.explanation
    : `${d.explanationZh} / ${d.explanation}`;
}

/** Data on one line: a line break inside a document number or an explanation would break the layout. */
const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, ' ');

function viewOf(message: AlertMessage): View {
  const view = rawView(message);
  return {
    ...view,
    title: oneLine(view.title),
    facts: view.facts.map(([k, v]) => [k, oneLine(v)]),
    lines: view.lines.map(oneLine),
    ...(view.quote === undefined ? {} : { quote: oneLine(view.quote) }),
  };
}

function rawView(message: AlertMessage): View {
  const { run } = message;
  const context = [
    ...(message.owners.length > 0 ? [`负责人 Owners: ${message.owners.join(', ')}`] : []),
    `运行 Run: ${run.runId} (${run.mode}, as of ${run.asOf})`,
  ];
  const base = { lines: [] as string[], more: message.more, context, reportUrl: run.reportUrl, facts: [] };
  const [first] = message.items;
  switch (message.kind) {
    case 'red':
    case 'all-clear': {
      if (first === undefined || message.items.length > 1) return digestView(message, context);
      const clear = message.kind === 'all-clear';
      return {
        ...base,
        title: clear
          ? `✅ 已解决 All clear · ${first.warehouseId} · ${first.documentRef} · ${amount(first.moneyAtStake)}`
          : `${severityLabel('RED')}${titleReason(first)} · ${first.warehouseId} · ${first.documentRef} · ${amount(first.moneyAtStake)}`,
        severity: clear ? 'CLEAR' : 'RED',
        facts: [
          [
            '状态 Status',
            clear ? '红灯差异已对平 the RED discrepancy agrees now' : reasonLabel(first.reason, first),
          ],
          ['仓库 Warehouse', first.warehouseId],
          ['单据 Document', first.documentRef],
          ['物料 SKU', first.sku],
          ['差异类型 Kind', kindLabel(first)],
          ['涉及金额 Money at stake', amount(first.moneyAtStake)],
          ['账龄 Age', ageLabel(first)],
          ...(clear || sameAs(first) === undefined
            ? []
            : [['疑似匹配 Suggested match', sameAs(first) ?? ''] as [string, string]]),
        ],
        ...(clear ? {} : { quote: explanationOf(first) }),
      };
    }
    case 'red-more':
    case 'yellow-digest':
      return digestView(message, context);
    case 'overdue': {
      const waiting = message.awaiting;
      if (first === undefined || waiting === undefined) return digestView(message, context);
      return {
        ...base,
        title: `⏰ 逾期待入账 Overdue for the books · ${first.warehouseId} · ${first.documentRef} · ${amount(first.moneyAtStake)}`,
        severity: message.severity,
        facts: [
          [
            '状态 Status',
            `已审批 ${day(waiting.since)}, 应于 ${day(waiting.dueBy)} 前账实相符, 逾期 ${waiting.daysOverdue} 天 · approved ${day(waiting.since)}, due by ${day(waiting.dueBy)}, ${waiting.daysOverdue} days overdue`,
          ],
          ['负责人 Owner', waiting.owner],
          ['案件 Case', waiting.caseId],
          ['仓库 Warehouse', first.warehouseId],
          ['单据 Document', first.documentRef],
          ['物料 SKU', first.sku],
          ['差异类型 Kind', kindLabel(first)],
          ['涉及金额 Money at stake', amount(first.moneyAtStake)],
        ],
        quote: first.explanation,
      };
    }
    case 'daily-digest': {
      const open = message.open;
      const counts = SEVERITIES.map((s) => `${SEVERITY_ZH[s]} ${s} ${open?.[s].count ?? 0}`).join(' · ');
      return {
        ...base,
        title: `🟢 每日汇总 Daily digest ${run.day} · ${counts}`,
        severity: 'GREEN',
        facts: SEVERITIES.map((s): [string, string] => [
          `未结 Open ${severityLabel(s)}`,
          `${open?.[s].count ?? 0} 项 items, ${amount(open?.[s].money ?? '0.00')}`,
        ]),
        lines: message.items.map(itemLine),
        heading: '今日绿灯 GREEN today',
      };
    }
  }
}

function digestView(message: AlertMessage, context: string[]): View {
  const total = message.items.length + message.more;
  const title =
    message.kind === 'yellow-digest'
      ? `${severityLabel('YELLOW')} 汇总 digest · ${total} 项 items`
      : message.kind === 'all-clear'
        ? `✅ 已解决 All clear · ${total} 项红灯差异 RED discrepancies agree now`
        : `${severityLabel('RED')} · 另有 ${total} 项 ${total} more RED discrepancies`;
  return {
    title,
    severity: message.kind === 'all-clear' ? 'CLEAR' : message.severity,
    facts: [],
    lines: message.items.map(itemLine),
    more: message.more,
    context,
    reportUrl: message.run.reportUrl,
  };
}

const moreLine = (n: number): string => `… 另有 ${n} 项, 见报告 ${n} more in the report`;

const bytes = (text: string): number => new TextEncoder().encode(text).length;

/** Drops digest lines from the end until `render` fits `limit` bytes, counting them as more. */
function fitted(view: View, limit: number, render: (v: View) => string): string {
  let shown = view;
  let text = render(shown);
  while (bytes(text) > limit && shown.lines.length > 0) {
    shown = { ...shown, lines: shown.lines.slice(0, -1), more: shown.more + 1 };
    text = render(shown);
  }
  return text;
}

/**
 * Markdown punctuation in data (document numbers, explanations) is shown, not interpreted: emphasis,
 * links, code and the angle brackets WeCom's <font> tags use. Intraword `_` (MISSING_IN_WMS) is
 * plain text in CommonMark already.
 */
function md(text: string): string {
  return text.replace(/([\\`*[\]<>])/g, '\\$1');
}

const isAmount = (text: string): boolean => /^-?[\d,]+\.\d{2}$/.test(text);

function markdown(view: View, color: (text: string) => string): string {
  const parts = [`### ${md(view.title)}`];
  if (view.facts.length > 0) parts.push(view.facts.map(([k, v]) => `- ${k}: ${color(md(v))}`).join('\n'));
  if (view.quote !== undefined) parts.push(`> ${md(view.quote)}`);
  if (view.heading !== undefined && (view.lines.length > 0 || view.more > 0))
    parts.push(`**${view.heading}**`);
  if (view.lines.length > 0 || view.more > 0) {
    parts.push(
      [...view.lines.map((l) => `- ${md(l)}`), ...(view.more > 0 ? [`- ${moreLine(view.more)}`] : [])].join(
        '\n',
      ),
    );
  }
  parts.push(view.context.map(md).join('\n\n'));
  parts.push(`[${reportLabel}](${view.reportUrl})`);
  return parts.join('\n\n');
}

export function renderDingTalk(message: AlertMessage): DingTalkBody {
  const view = viewOf(message);
  const text = fitted(view, LIMITS.dingtalkBytes, (v) => markdown(v, (t) => (isAmount(t) ? `**${t}**` : t)));
  return { msgtype: 'markdown', markdown: { title: view.title, text } };
}

/** WeCom colours the money: warning (orange) for alerts, info (green) for an all-clear. */
export function renderWeCom(message: AlertMessage): WeComBody {
  const view = viewOf(message);
  const tone = view.severity === 'CLEAR' || view.severity === 'GREEN' ? 'info' : 'warning';
  const content = fitted(view, LIMITS.wecomBytes, (v) =>
    markdown(v, (t) => (isAmount(t) ? `<font color="${tone}">${t}</font>` : t)),
  );
  return { msgtype: 'markdown', markdown: { content } };
}

/** Slack's mrkdwn: &, < and > are control characters there. */
function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/** Lines into sections of at most 3,000 characters each. */
function sections(lines: readonly string[]): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  let current = '';
  for (const line of lines) {
    const next = current === '' ? line : `${current}\n${line}`;
    if (next.length > LIMITS.slackText && current !== '') {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
      current = clip(line, LIMITS.slackText);
    } else {
      current = clip(next, LIMITS.slackText);
    }
  }
  if (current !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
  return blocks;
}

export function renderSlack(message: AlertMessage): SlackBody {
  const view = viewOf(message);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(view.title, LIMITS.slackHeader), emoji: true } },
  ];
  for (let i = 0; i < view.facts.length; i += 10) {
    blocks.push({
      type: 'section',
      fields: view.facts
        .slice(i, i + 10)
        .map(([k, v]) => ({ type: 'mrkdwn' as const, text: clip(`*${k}*\n${mrkdwn(v)}`, 2000) })),
    });
  }
  if (view.quote !== undefined) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`> ${mrkdwn(view.quote)}`, LIMITS.slackText) },
    });
  }
  const tail: SlackBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `<${view.reportUrl}|${reportLabel}>` } },
    {
      type: 'context',
      elements: view.context.map((c) => ({ type: 'mrkdwn' as const, text: clip(mrkdwn(c), 2000) })),
    },
  ];
  let lines = [
    ...(view.heading !== undefined && view.lines.length > 0 ? [`*${view.heading}*`] : []),
    ...view.lines.map((l) => `• ${mrkdwn(l)}`),
  ];
  let more = view.more;
  // Keep within 50 blocks: fewer lines, the rest counted.
  for (;;) {
    const listed = sections([...lines, ...(more > 0 ? [`• ${moreLine(more)}`] : [])]);
    if (blocks.length + listed.length + tail.length <= LIMITS.slackBlocks || lines.length === 0) {
      return { text: view.title, blocks: [...blocks, ...listed, ...tail] };
    }
    lines = lines.slice(0, -1);
    more++;
  }
}

export function renderEmail(message: AlertMessage): EmailBody {
  const view = viewOf(message);
  const body = [
    view.title,
    '',
    ...view.facts.map(([k, v]) => `${k}: ${v}`),
    ...(view.quote === undefined ? [] : ['', view.quote]),
    ...(view.lines.length > 0 || view.more > 0
      ? [
          '',
          ...(view.heading === undefined ? [] : [`${view.heading}:`]),
          ...view.lines.map((l) => `- ${l}`),
          ...(view.more > 0 ? [`- ${moreLine(view.more)}`] : []),
        ]
      : []),
    '',
    ...view.context,
    `${reportLabel}: ${view.reportUrl}`,
    '',
  ];
  const subject = clip(view.title.replace(/[\r\n\t]+/g, ' '), LIMITS.emailSubject);
  return { subject, text: body.join('\n') };
}

export function renderFor(type: 'dingtalk', message: AlertMessage): DingTalkBody;
export function renderFor(type: 'wecom', message: AlertMessage): WeComBody;
export function renderFor(type: 'slack', message: AlertMessage): SlackBody;
export function renderFor(type: 'email', message: AlertMessage): EmailBody;
export function renderFor(type: ChannelType, message: AlertMessage): ChatBody | EmailBody;
export function renderFor(type: ChannelType, message: AlertMessage): ChatBody | EmailBody {
  switch (type) {
    case 'dingtalk':
      return renderDingTalk(message);
    case 'wecom':
      return renderWeCom(message);
    case 'slack':
      return renderSlack(message);
    case 'email':
      return renderEmail(message);
  }
}

/** The first line of a message as its channel shows it (the local sink's summary). */
export function firstLine(body: ChatBody | EmailBody): string {
  if ('subject' in body) return body.subject;
  if ('blocks' in body) return body.text;
  const text = 'title' in body.markdown ? body.markdown.text : body.markdown.content;
  return (text.split('\n')[0] ?? '').replace(/^#+\s*/, '');
}
