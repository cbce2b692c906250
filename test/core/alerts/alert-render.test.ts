import { describe, expect, it } from 'vitest';
import { planAlerts, type AlertMessage } from '../../../lib/core/alerts/alert-plan.js';
import {
  firstLine,
  LIMITS,
  renderDingTalk,
  renderEmail,
  renderSlack,
  renderWeCom,
} from '../../../lib/core/alerts/alert-render.js';
import type { RunDiscrepancy } from '../../../lib/core/runs/run-events.js';
import { applyMarks, config, found, resolved, runInfo } from './alert-factories.js';

function messages(discrepancies: RunDiscrepancy[], run = runInfo()): AlertMessage[] {
  return planAlerts({ run, discrepancies, marks: new Map(), config: config() }).messages;
}

function redAlert(spec: Partial<RunDiscrepancy> = {}): AlertMessage {
  const [message] = messages([
    found({
      warehouseId: 'WH-08',
      documentRef: 'DOC-0000117',
      kind: 'MISSING_IN_WMS',
      moneyAtStake: '1569455.2',
      ageBucket: '2-7',
      firstSeen: '2026-10-29T00:00:00.000Z',
      ...spec,
    }),
  ]);
  if (message === undefined) throw new Error('no message');
  return message;
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const REPORT = 'https://api.example.com/v1/runs/continuous-1/report?format=pdf';

/** Everything a format shows as one text. */
const texts = (m: AlertMessage): Record<string, string> => ({
  dingtalk: renderDingTalk(m).markdown.text,
  wecom: renderWeCom(m).markdown.content,
  slack: JSON.stringify(renderSlack(m).blocks),
  email: renderEmail(m).text,
});

describe('a strong suggested match in an alert (CONTRACT §11)', () => {
  const match = (score: number, sku = 'SKU-00001') => ({
    documentRef: 'DOC-0000171',
    sku,
    score,
    reason: 'documentRef "DOC-0000171" has two characters transposed',
    reasonZh: '单据号相邻两位颠倒',
  });

  it.each(['dingtalk', 'wecom', 'slack', 'email'])(
    '%s says which group it is probably the same as',
    (format) => {
      const text = texts(redAlert({ sku: 'SKU-00001', suggestedMatches: [match(0.9)] }))[format] ?? '';
      expect(text).toContain('可能与 DOC-0000171 为同一笔业务 probably the same as DOC-0000171');
    },
  );

  it('names the sku too when the match is under another sku, and says nothing of a weak match', () => {
    const other =
      texts(redAlert({ sku: 'SKU-00001', suggestedMatches: [match(0.9, 'SKU-00010')] })).email ?? '';
    expect(other).toContain('probably the same as DOC-0000171 (SKU-00010)');
    for (const text of Object.values(texts(redAlert({ suggestedMatches: [match(0.6)] })))) {
      expect(text).not.toContain('probably the same as');
    }
  });

  it('puts it on the digest line of each discrepancy that has one', () => {
    const [digest] = messages([
      found({ groupKey: 'WH-01|SKU-1|A', documentRef: 'A', severity: 'YELLOW', moneyAtStake: '6000.00' }),
      found({
        groupKey: 'WH-01|SKU-1|B',
        documentRef: 'B',
        severity: 'YELLOW',
        moneyAtStake: '6000.00',
        suggestedMatches: [match(0.97, 'SKU-1')],
      }),
    ]);
    const lines = renderEmail(digest ?? redAlert()).text.split('\n');
    expect(lines.filter((l) => l.includes('probably the same as DOC-0000171'))).toHaveLength(1);
  });
});

describe('a RED alert in every format', () => {
  it.each(['dingtalk', 'wecom', 'slack', 'email'])(
    '%s names the warehouse, document, kind, exact money with separators, age and report link',
    (format) => {
      const text = texts(redAlert())[format] ?? '';

      expect(text).toContain('WH-08');
      expect(text).toContain('DOC-0000117');
      expect(text).toContain('WMS缺失(财务有记录) MISSING_IN_WMS');
      expect(text).toContain('1,569,455.20');
      expect(text).not.toContain('1569455');
      expect(text).toContain('4 天 days');
      expect(text).toContain('2-7');
      expect(text).toContain(REPORT);
    },
  );

  it('is a DingTalk markdown message with the title as its notification text', () => {
    const body = renderDingTalk(redAlert());

    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe('🔴 红灯 RED · WH-08 · DOC-0000117 · 1,569,455.20');
    expect(body.markdown.text).toContain('**1,569,455.20**');
    expect(body.markdown.text).toContain(`[查看报告 Report (PDF)](${REPORT})`);
  });

  it('is a WeCom markdown message with the money coloured', () => {
    const body = renderWeCom(redAlert());

    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content).toContain('<font color="warning">1,569,455.20</font>');
  });

  it('is Slack Block Kit: a header, fields, the explanation, the link, the owners', () => {
    const body = renderSlack(redAlert());

    expect(body.text).toBe('🔴 红灯 RED · WH-08 · DOC-0000117 · 1,569,455.20');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context']);
    expect(JSON.stringify(body.blocks)).toContain(`<${REPORT}|查看报告 Report (PDF)>`);
  });

  it('says in its first line why it comes again: aged into a later bucket, or escalated', () => {
    const aged = redAlert({ state: 'PERSISTING' });
    const agedItem = { ...aged.items[0]!, reason: 'aged' as const };
    const rose = { ...agedItem, reason: 'severity-rose' as const };

    expect(firstLine(renderDingTalk({ ...aged, items: [agedItem] }))).toBe(
      '🔴 红灯 RED · 账龄 2-7 天 aged · WH-08 · DOC-0000117 · 1,569,455.20',
    );
    expect(firstLine(renderSlack({ ...aged, items: [rose] }))).toBe(
      '🔴 红灯 RED · 升级 escalated · WH-08 · DOC-0000117 · 1,569,455.20',
    );
  });

  it('quotes the explanation in Chinese first, then in English (CONTRACT §11)', () => {
    const message = redAlert({ explanation: 'finance is under by 2 EA', explanationZh: '财务少 2 EA' });
    expect(renderEmail(message).text).toContain('财务少 2 EA / finance is under by 2 EA');
    expect(JSON.stringify(renderSlack(message).blocks)).toContain('财务少 2 EA / finance is under by 2 EA');
  });

  it('is an email whose subject is the title on one line', () => {
    const mail = renderEmail(redAlert());

    expect(mail.subject).toBe('🔴 红灯 RED · WH-08 · DOC-0000117 · 1,569,455.20');
    expect(mail.text.split('\n')[0]).toBe(mail.subject);
  });

  it('shows markdown and Slack control characters in data as text, never as links or tags', () => {
    const m = redAlert({
      documentRef: 'PO-[1](http://evil)*<b>',
      explanation: 'line one\nline <two> & *three*',
    });

    expect(renderDingTalk(m).markdown.text).toContain('PO-\\[1\\](http://evil)\\*\\<b\\>');
    expect(renderDingTalk(m).markdown.text).not.toContain('[1](http://evil)');
    expect(renderWeCom(m).markdown.content).not.toContain('<b>');
    const slack = JSON.stringify(renderSlack(m).blocks);
    expect(slack).toContain('PO-[1](http://evil)*&lt;b&gt;');
    expect(slack).toContain('line one line &lt;two&gt; &amp; *three*');
    // An email is plain text: shown as it is, on one line per field.
    expect(renderEmail(m).text).toContain('单据 Document: PO-[1](http://evil)*<b>');
  });
});

describe('digests and all-clears', () => {
  const yellows = (n: number): RunDiscrepancy[] =>
    Array.from({ length: n }, (_, i) =>
      found({
        warehouseId: 'WH-上海-02',
        severity: 'YELLOW',
        moneyAtStake: `${6000 + i}.00`,
        explanation: '说明'.repeat(40),
      }),
    );

  function digest(n: number, limit = 100): AlertMessage {
    const message = planAlerts({
      run: runInfo(),
      discrepancies: yellows(n),
      marks: new Map(),
      config: config({ limits: { digestItems: limit } }),
    }).messages.find((m) => m.kind === 'yellow-digest');
    if (message === undefined) throw new Error('no digest');
    return message;
  }

  it('list one line per discrepancy, largest money first', () => {
    const text = renderDingTalk(digest(3)).markdown.text;

    expect(renderDingTalk(digest(3)).markdown.title).toBe('🟡 黄灯 YELLOW 汇总 digest · 3 项 items');
    expect(text.indexOf('6,002.00')).toBeLessThan(text.indexOf('6,001.00'));
    expect(text).toMatch(/- WH-上海-02 · DOC-\d+ · 数量差异 QUANTITY_MISMATCH · 6,002\.00 · 0 天 days/);
  });

  it('stay within WeCom’s 4,096 bytes, counting what they leave out', () => {
    const content = renderWeCom(digest(100)).markdown.content;

    expect(bytes(content)).toBeLessThanOrEqual(LIMITS.wecomBytes);
    expect(content).toMatch(/另有 \d+ 项, 见报告 \d+ more in the report/);
    // A small digest is left whole.
    expect(renderWeCom(digest(3)).markdown.content).not.toContain('另有');
  });

  it('stay within Slack’s 50 blocks and 3,000 characters per text', () => {
    const body = renderSlack(digest(100));

    expect(body.blocks.length).toBeLessThanOrEqual(LIMITS.slackBlocks);
    for (const block of body.blocks) {
      if (block.type === 'section' && block.text !== undefined) {
        expect(block.text.text.length).toBeLessThanOrEqual(LIMITS.slackText);
      }
    }
  });

  it('count the discrepancies beyond limits.digestItems', () => {
    expect(renderEmail(digest(7, 5)).text).toContain('另有 2 项, 见报告 2 more in the report');
  });

  it('an all-clear names the discrepancy that agrees now', () => {
    const red = found({ warehouseId: 'WH-08', documentRef: 'DOC-9' });
    const p1 = planAlerts({ run: runInfo(), discrepancies: [red], marks: new Map(), config: config() });
    const marks = applyMarks(new Map(), p1);

    const [clear] = planAlerts({
      run: runInfo(),
      discrepancies: [resolved(red)],
      marks,
      config: config(),
    }).messages;

    expect(clear?.kind).toBe('all-clear');
    expect(firstLine(renderSlack(clear!))).toBe('✅ 已解决 All clear · WH-08 · DOC-9 · 60,000.00');
    expect(renderEmail(clear!).text).toContain('红灯差异已对平 the RED discrepancy agrees now');
  });

  it('the daily digest shows everything open by severity, and the GREEN ones of the day', () => {
    const run = runInfo({ mode: 'close', digest: true });
    const daily = messages(
      [
        found(),
        found({ severity: 'GREEN', moneyAtStake: '215.26' }),
        found({ severity: 'YELLOW', moneyAtStake: '12345.6' }),
      ],
      run,
    ).find((m) => m.kind === 'daily-digest');

    const text = renderEmail(daily!).text;

    expect(renderEmail(daily!).subject).toBe(
      '🟢 每日汇总 Daily digest 2026-11-02 · 红灯 RED 1 · 黄灯 YELLOW 1 · 绿灯 GREEN 1',
    );
    expect(text).toContain('未结 Open 🔴 红灯 RED: 1 项 items, 60,000.00');
    expect(text).toContain('未结 Open 🟡 黄灯 YELLOW: 1 项 items, 12,345.60');
    expect(text).toMatch(/今日绿灯 GREEN today:\n- WH-01 · DOC-\d+ · 数量差异 QUANTITY_MISMATCH · 215\.26/);
  });
});

describe('an overdue alert', () => {
  const [overdue] = planAlerts({
    run: runInfo(),
    discrepancies: [],
    marks: new Map(),
    config: config(),
    overdue: [
      {
        caseId: 'V0gtMDh8U0tVLTl8RE9DLTk',
        groupKey: 'WH-08|SKU-9|DOC-9',
        warehouseId: 'WH-08',
        documentRef: 'DOC-9',
        sku: 'SKU-9',
        kind: 'AMOUNT_MISMATCH',
        severity: 'RED',
        moneyAtStake: '61234.5',
        firstSeen: '2026-10-01T00:00:00.000Z',
        explanation: 'finance booked 10% more',
        owner: 'wang.lead',
        since: '2026-10-20T09:00:00.000Z',
        dueBy: '2026-10-25T09:00:00.000Z',
        daysOverdue: 7,
      },
    ],
  }).messages;

  it.each(['dingtalk', 'wecom', 'slack', 'email'])(
    '%s tells the owner the case, the approval, the due date and the days overdue',
    (format) => {
      const text = texts(overdue!)[format] ?? '';

      expect(text).toContain('wang.lead');
      expect(text).toContain('V0gtMDh8U0tVLTl8RE9DLTk');
      expect(text).toContain('2026-10-25');
      expect(text).toContain('逾期 7 天');
      expect(text).toContain('61,234.50');
    },
  );

  it('says what it is in its first line', () => {
    expect(firstLine(renderEmail(overdue!))).toBe(
      '⏰ 逾期待入账 Overdue for the books · WH-08 · DOC-9 · 61,234.50',
    );
  });
});

describe('firstLine', () => {
  it('is the title in every format', () => {
    const m = redAlert();
    const title = '🔴 红灯 RED · WH-08 · DOC-0000117 · 1,569,455.20';

    expect(firstLine(renderDingTalk(m))).toBe(title);
    expect(firstLine(renderWeCom(m))).toBe(title);
    expect(firstLine(renderSlack(m))).toBe(title);
    expect(firstLine(renderEmail(m))).toBe(title);
  });
});
