import { describe, expect, it } from 'vitest';
import {
  causeFeatures,
  majorityCause,
  predictCause,
  trainCauseModel,
  type CauseExample,
  type CauseFeatures,
} from '../../../lib/core/diagnosis/predict-cause.js';
import { discrepancy } from '../../report/factories.js';

// The predicted root cause (CONTRACT §11): a naive Bayes over closed cases' facts, only with history.

const features = (over: Partial<CauseFeatures>): CauseFeatures => ({
  kind: 'MISSING_IN_FINANCE',
  warehouseId: 'WH-01',
  type: 'RECEIPT',
  skuFamily: 'SKU',
  amountBand: '10k-100k',
  sides: 'wms-only',
  suggested: 'no',
  ...over,
});

function examples(): CauseExample[] {
  const out: CauseExample[] = [];
  for (let i = 0; i < 12; i++) out.push({ features: features({}), code: 'late-posting' });
  for (let i = 0; i < 8; i++)
    out.push({
      features: features({ kind: 'MISSING_IN_WMS', sides: 'finance-only', suggested: 'yes' }),
      code: 'wrong-reference',
    });
  for (let i = 0; i < 5; i++)
    out.push({
      features: features({ kind: 'AMOUNT_MISMATCH', sides: 'posted-within-a-day' }),
      code: 'wrong-price',
    });
  return out;
}

describe('predictCause', () => {
  it('predicts the cause closed cases with the same facts had, with its probability and basis', () => {
    const model = trainCauseModel(examples());
    const p = predictCause(
      model,
      features({ kind: 'MISSING_IN_WMS', sides: 'finance-only', suggested: 'yes' }),
    );
    expect(p?.code).toBe('wrong-reference');
    expect(p?.confidence).toBeGreaterThan(0.9);
    expect(p?.confidence).toBeLessThanOrEqual(1);
    expect(p?.basis).toBe('kind MISSING_IN_WMS: 8 of 8 closed cases were wrong-reference');
    expect(p?.basisZh).toBe('差异类型 WMS缺失(财务有记录):8 个已关闭案件中 8 个为单据号或物料编码录入错误');
    expect(
      predictCause(model, features({ kind: 'AMOUNT_MISMATCH', sides: 'posted-within-a-day' }))?.code,
    ).toBe('wrong-price');
  });

  it('is less sure of facts it has seen with several causes', () => {
    const model = trainCauseModel(examples());
    const sure = predictCause(model, features({}))?.confidence ?? 0;
    const mixed =
      predictCause(model, features({ kind: 'MISSING_IN_WMS', sides: 'wms-only' }))?.confidence ?? 1;
    expect(mixed).toBeLessThan(sure);
  });

  it('says nothing without history to learn from', () => {
    expect(predictCause(trainCauseModel(examples().slice(0, 9)), features({}))).toBeUndefined();
    expect(predictCause(trainCauseModel([]), features({}))).toBeUndefined();
  });

  it('reads its facts from a discrepancy', () => {
    const f = causeFeatures(
      discrepancy({
        kind: 'MISSING_IN_WMS',
        sku: 'kg-0012',
        moneyAtStake: '15000.00',
        wmsEventIds: [],
        financeEntryIds: ['F1'],
      }),
    );
    expect(f).toMatchObject({
      kind: 'MISSING_IN_WMS',
      skuFamily: 'KG',
      amountBand: '10k-100k',
      sides: 'finance-only',
    });
    expect(majorityCause(trainCauseModel(examples()))).toBe('late-posting');
  });
});
