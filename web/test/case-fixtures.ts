import type { CaseRecord, Trail, TrailEvent } from '../src/case-types.js';

/**
 * A case as GET /v1/cases/{caseId} answered it on `stocktally start --demo` (the README's walk:
 * WH-10|SKU-00065|DOC-0000153 proposed by li.finance, approved once by zhao.reviewer), typed by the
 * workflow's own view so that a change of the API's shape fails the typecheck here.
 */
export const GROUP = 'WH-10|SKU-00065|DOC-0000153';
export const CASE_ID = 'V0gtMTB8U0tVLTAwMDY1fERPQy0wMDAwMTUz';

const li = { userId: 'local-li.finance', username: 'li.finance', roles: ['finance-specialist' as const] };
const zhao = {
  userId: 'local-zhao.reviewer',
  username: 'zhao.reviewer',
  roles: ['finance-reviewer' as const],
};

export function proposedCase(overrides: Partial<CaseRecord> = {}): CaseRecord {
  return {
    caseId: CASE_ID,
    groupKey: GROUP,
    state: 'PROPOSED',
    stateZh: '待审批',
    owner: 'li.finance',
    version: 4,
    openedAt: '2026-11-25T20:49:38.610Z',
    updatedAt: '2026-11-25T20:50:40.665Z',
    warehouseId: 'WH-10',
    sku: 'SKU-00065',
    documentRef: 'DOC-0000153',
    kind: 'MISSING_IN_FINANCE',
    severity: 'RED',
    period: '2026-10',
    moneyAtStake: '52618.54',
    firstSeen: '2026-11-02T00:00:00.000Z',
    ageDays: 23,
    ageBucket: '8-30',
    facts: {
      groupKey: GROUP,
      kind: 'MISSING_IN_FINANCE',
      severity: 'RED',
      warehouseId: 'WH-10',
      sku: 'SKU-00065',
      documentRef: 'DOC-0000153',
      uom: 'EA',
      wmsQuantity: '461',
      financeQuantity: '0',
      quantityDelta: '-461',
      unitCost: '114.14',
      unitCostSource: 'wms',
      financeUnitCost: null,
      expectedAmount: '52618.54',
      financeAmount: '0.00',
      amountDelta: '-52618.54',
      moneyAtStake: '52618.54',
      wmsTypes: ['SHIPMENT'],
      financeTypes: [],
      latestEventAt: '2026-10-26T12:06:00.000Z',
      latestPostingAt: null,
      wmsPeriod: '2026-10',
      financePeriod: null,
      wmsEventIds: ['E000000192'],
      financeEntryIds: [],
      duplicateEntryIds: [],
      explanation: 'WMS recorded SHIPMENT of 461 EA for DOC-0000153, but finance has posted nothing',
      explanationZh: 'WMS 已记录单据 DOC-0000153 的销售出库 461 EA,财务尚未记账',
      rejectedRows: [],
      state: 'NEW',
      firstSeen: '2026-11-02T00:00:00.000Z',
      runId: 'close-20261102T000000Z-e010a796',
    },
    proposal: {
      seq: 3,
      resolution: { action: 'supplement-voucher', voucherRef: 'V-2026-10-0153' },
      rootCause: { code: 'missing-voucher' },
      entry: {
        entryId: 'ST-202610-5bedcd02-3',
        caseId: CASE_ID,
        groupKey: GROUP,
        warehouseId: 'WH-10',
        sku: 'SKU-00065',
        documentRef: 'DOC-0000153',
        period: '2026-10',
        action: 'supplement-voucher',
        movementType: 'SHIPMENT',
        memo: '补录凭证 DOC-0000153 SKU-00065',
        lines: [
          {
            line: 1,
            side: 'debit',
            accountCode: '6401',
            accountName: '主营业务成本',
            amount: '52618.54',
            memo: '补录凭证 DOC-0000153 SKU-00065',
          },
          {
            line: 2,
            side: 'credit',
            accountCode: '1405',
            accountName: '库存商品',
            amount: '52618.54',
            memo: '补录凭证 DOC-0000153 SKU-00065',
          },
        ],
        total: '52618.54',
      },
      amount: '52618.54',
      requirements: [['finance-reviewer'], ['warehouse-lead']],
      proposedBy: li,
      proposedAt: '2026-11-25T20:50:40.522Z',
      approvals: [{ by: zhao, at: '2026-11-25T20:50:40.665Z' }],
    },
    rootCause: { code: 'missing-voucher' },
    closed: null,
    awaiting: null,
    overdue: false,
    accepted: null,
    held: null,
    account: {
      key: 'WH-10|1405',
      code: '1405',
      name: '库存商品',
      frozen: null,
      bookings: DEFAULT_BOOKINGS,
    },
    comments: 1,
    exports: 0,
    allowedActions: ['assign', 'comment', 'approve', 'reject', 'freeze'],
    ...overrides,
  };
}

/** The same case before anyone proposed: in review, what a finance specialist may do. */
export function inReviewCase(overrides: Partial<CaseRecord> = {}): CaseRecord {
  return proposedCase({
    state: 'IN_REVIEW',
    stateZh: '审查中',
    version: 2,
    proposal: null,
    rootCause: null,
    comments: 0,
    allowedActions: ['comment', 'propose', 'close'],
    ...overrides,
  });
}

function event(
  seq: number,
  type: string,
  actor: TrailEvent['actor'],
  data: Record<string, unknown>,
): TrailEvent {
  const hex = (n: number) => n.toString(16).repeat(64).slice(0, 64);
  return {
    groupKey: GROUP,
    seq,
    type,
    at: `2026-11-25T20:5${seq}:00.000Z`,
    actor,
    data,
    prevHash: seq === 1 ? '0'.repeat(64) : hex(seq - 1),
    hash: hex(seq),
  };
}

export const TRAIL: Trail = {
  caseId: CASE_ID,
  groupKey: GROUP,
  verified: true,
  events: [
    event(
      1,
      'open',
      { userId: 'stocktally', username: 'stocktally', roles: [] },
      {
        owner: 'li.finance',
        runId: 'close-20261102T000000Z-e010a796',
        kind: 'MISSING_IN_FINANCE',
        severity: 'RED',
        moneyAtStake: '52618.54',
        period: '2026-10',
      },
    ),
    event(2, 'start-review', li, {}),
    event(3, 'comment', li, { text: '出库单 DOC-0000153 未传到财务' }),
    event(4, 'propose', li, {
      resolution: { action: 'supplement-voucher', voucherRef: 'V-2026-10-0153' },
      entry: { entryId: 'ST-202610-5bedcd02-3' },
      amount: '52618.54',
      requirements: [['finance-reviewer'], ['warehouse-lead']],
    }),
    event(5, 'approve', zhao, { complete: false }),
  ],
};

/** config/workflow.yaml's default accounts, as the cases API answers them for a warehouse. */
export const DEFAULT_BOOKINGS: CaseRecord['account']['bookings'] = {
  byType: {
    RECEIPT: { debit: '1403 原材料', credit: '2202 应付账款' },
    SHIPMENT: { debit: '6401 主营业务成本', credit: '1405 库存商品' },
    TRANSFER_IN: { debit: '1405 库存商品', credit: '1402 在途物资' },
    TRANSFER_OUT: { debit: '1402 在途物资', credit: '1405 库存商品' },
    ADJUSTMENT: { debit: '1405 库存商品', credit: '1901 待处理财产损溢' },
    CUSTOMER_RETURN: { debit: '1405 库存商品', credit: '6401 主营业务成本' },
    VENDOR_RETURN: { debit: '2202 应付账款', credit: '1403 原材料' },
  },
  suspense: '1901 待处理财产损溢',
  writeOff: '6602 管理费用',
};
