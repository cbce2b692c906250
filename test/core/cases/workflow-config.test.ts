import { describe, expect, it } from 'vitest';
import {
  approversFor,
  ownerFor,
  accountsFor,
  parseWorkflowConfig,
  splitAccount,
} from '../../../lib/core/cases/workflow-config.js';
import { d } from '../factories.js';
import { defaultConfig } from './case-factories.js';

const config = defaultConfig();

describe('the workflow configuration', () => {
  it('reads the default document: owners, accounts, approval tiers', () => {
    expect(ownerFor(config, 'WH-上海-02')).toBe('wang.lead');
    expect(ownerFor(config, 'WH-99')).toBe('li.finance');
    expect(accountsFor(config, 'WH-08', 'RECEIPT')).toEqual({
      debit: '1405 库存商品',
      credit: '5001 生产成本',
    });
    expect(accountsFor(config, 'WH-08', 'SHIPMENT')).toEqual(config.accounts.default.SHIPMENT);
    expect(splitAccount('1403 原材料')).toEqual({ code: '1403', name: '原材料' });
    expect(splitAccount('1403')).toEqual({ code: '1403', name: '' });
  });

  it('waits 5 days for the books and writes off to 6602 unless the document says otherwise, and refuses a wait of 0', () => {
    const raw = structuredClone(config) as unknown as Record<string, unknown> & {
      accounts: Record<string, unknown>;
    };
    delete raw.awaitingBooksDays;
    delete raw.accounts.writeOff;

    const parsed = parseWorkflowConfig(raw, 'workflow.yaml');
    const zero = parseWorkflowConfig({ ...raw, awaitingBooksDays: 0 }, 'workflow.yaml');

    expect(parsed.ok && [parsed.config.awaitingBooksDays, parsed.config.accounts.writeOff]).toEqual([
      5,
      '6602 管理费用',
    ]);
    expect(zero.ok ? '' : zero.reason).toContain('awaitingBooksDays');
  });

  it('picks the tier of an amount, its lower bound inclusive', () => {
    expect(approversFor(config, d('4999.99'))).toEqual([['finance-specialist', 'finance-reviewer']]);
    expect(approversFor(config, d('5000'))).toEqual([['finance-reviewer']]);
    expect(approversFor(config, d('49999.99'))).toEqual([['finance-reviewer']]);
    expect(approversFor(config, d('50000'))).toEqual([['finance-reviewer'], ['warehouse-lead']]);
  });

  it('refuses a document with mistakes, naming each path', () => {
    const raw = structuredClone(config) as unknown as {
      approval: { tiers: { from: string; approvers: string[][] }[] };
      accounts: { default: Record<string, unknown> };
      owners: Record<string, unknown>;
    };
    raw.approval.tiers[1] = { from: '100', approvers: [['cashier']] };
    delete raw.accounts.default.SHIPMENT;
    raw.owners.extra = 'x';

    const parsed = parseWorkflowConfig(raw, 's3://bucket/config/workflow.yaml');

    expect(parsed.ok).toBe(false);
    const reason = parsed.ok ? '' : parsed.reason;
    expect(reason).toMatch(/^s3:\/\/bucket\/config\/workflow.yaml: /);
    expect(reason).toContain('approval.tiers.1.approvers.0.0');
    expect(reason).toContain('accounts.default.SHIPMENT');
    expect(reason).toContain('owners');
  });

  it('refuses tiers out of order, and a first tier above 0', () => {
    const raw = structuredClone(config);
    raw.approval.tiers = [
      { from: '10', approvers: [['finance-reviewer']] },
      { from: '5', approvers: [['admin']] },
    ];

    const parsed = parseWorkflowConfig(raw, 'workflow.yaml');

    expect(parsed.ok ? '' : parsed.reason).toMatch(
      /approval.tiers.0.from: the first tier must start at 0; approval.tiers.1.from: tiers must be in increasing order/,
    );
  });
});

describe('the report section of the workflow configuration', () => {
  it('names the company and who signs, with the defaults for what it leaves out', () => {
    const raw = {
      ...structuredClone(config),
      report: { company: '某某有限公司', signatories: [{ role: '财务经理' }] },
    };
    const parsed = parseWorkflowConfig(raw, 'workflow.yaml');
    expect(parsed.ok && parsed.config.report).toEqual({
      company: '某某有限公司',
      signatories: [{ role: '财务经理', name: '' }],
      pdfDetailRows: 500,
      dueDays: { RED: 0, YELLOW: 3, GREEN: 10 },
    });
    const without = { ...structuredClone(config) } as Record<string, unknown>;
    delete without.report;
    const fallback = parseWorkflowConfig(without, 'workflow.yaml');
    expect(fallback.ok && fallback.config.report.company).toBe('Stocktally');
    // The bundled default names a company and three signatories.
    expect(config.report.signatories.map((s) => s.role)).toContain('财务经理 Financial controller');
  });

  it('refuses a wrong report section with the path of each mistake', () => {
    const raw = {
      ...structuredClone(config),
      report: { company: '', signatories: [{ name: 'li' }], pdfDetailRows: -1, dueDays: { RED: 'today' } },
    };
    const parsed = parseWorkflowConfig(raw, 's3://bucket/config/workflow.yaml@e1');
    expect(parsed.ok).toBe(false);
    const reason = parsed.ok ? '' : parsed.reason;
    expect(reason).toMatch(/^s3:\/\/bucket\/config\/workflow\.yaml@e1: /);
    for (const path of [
      'report.company',
      'report.signatories.0.role',
      'report.pdfDetailRows',
      'report.dueDays.RED',
    ]) {
      expect(reason).toContain(`${path}: `);
    }
  });
});
