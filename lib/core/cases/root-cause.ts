import { z } from 'zod';

/**
 * Why a discrepancy happened: one code from a fixed list, recorded before a case may close, so that
 * every difference ends with its cause named rather than plugged. `other` needs its text.
 */
export const ROOT_CAUSES = [
  'late-posting',
  'wrong-unit',
  'wrong-price',
  'duplicate-posting',
  'wrong-movement-type',
  'missing-voucher',
  'count-error',
  'integration-failure',
  'wrong-reference',
  'other',
] as const;
export type RootCauseCode = (typeof ROOT_CAUSES)[number];

export const ROOT_CAUSE_ZH: Readonly<Record<RootCauseCode, string>> = {
  'late-posting': '过账延迟',
  'wrong-unit': '计量单位错误',
  'wrong-price': '价格错误',
  'duplicate-posting': '重复记账',
  'wrong-movement-type': '业务类型错误',
  'missing-voucher': '凭证缺失',
  'count-error': '盘点差错',
  'integration-failure': '系统接口故障',
  'wrong-reference': '单据号或物料编码录入错误',
  other: '其他',
};

export const RootCauseSchema = z
  .strictObject({
    code: z.enum(ROOT_CAUSES),
    text: z.string().trim().min(1).max(500).optional(),
  })
  .superRefine((cause, ctx) => {
    if (cause.code === 'other' && cause.text === undefined) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'is required when the code is other' });
    }
  });
export type RootCause = z.infer<typeof RootCauseSchema>;

/** `过账延迟 late-posting`, or `其他 other: <text>`, for reports and CSV. */
export function rootCauseText(cause: RootCause): string {
  const label = `${ROOT_CAUSE_ZH[cause.code]} ${cause.code}`;
  return cause.text === undefined ? label : `${label}: ${cause.text}`;
}
