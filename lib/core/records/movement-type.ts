/** The movement types both systems share (CONTRACT §1) and their names in Chinese (CONTRACT §6). */
export const MOVEMENT_TYPES = [
  'RECEIPT',
  'SHIPMENT',
  'TRANSFER_IN',
  'TRANSFER_OUT',
  'ADJUSTMENT',
  'CUSTOMER_RETURN',
  'VENDOR_RETURN',
] as const;

export type MovementType = (typeof MOVEMENT_TYPES)[number];

export const MOVEMENT_TYPE_ZH: Readonly<Record<MovementType, string>> = {
  RECEIPT: '采购入库',
  SHIPMENT: '销售出库',
  TRANSFER_IN: '调拨入库',
  TRANSFER_OUT: '调拨出库',
  ADJUSTMENT: '盘点调整',
  CUSTOMER_RETURN: '销售退货',
  VENDOR_RETURN: '采购退货',
};

const TYPE_SET: ReadonlySet<string> = new Set(MOVEMENT_TYPES);

export function isMovementType(value: string): value is MovementType {
  return TYPE_SET.has(value);
}
