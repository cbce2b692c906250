/**
 * A voucher's statuses (CONTRACT §9) and their Chinese names, in a module of their own with no
 * imports, so the dashboard speaks the same words without bundling the booking code.
 */
export const VOUCHER_STATUSES = ['proposed', 'posted', 'differs'] as const;
export type VoucherStatus = (typeof VOUCHER_STATUSES)[number];

export const VOUCHER_STATUS_ZH: Readonly<Record<VoucherStatus, string>> = {
  proposed: '待入账',
  posted: '已入账',
  differs: '有差异',
};
