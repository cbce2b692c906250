import type { Assessment } from './classify.js';
import { formatDecimal, formatMoney } from '../shared/decimal.js';
import { day, impliedUnitCost } from './explain.js';
import { MOVEMENT_TYPE_ZH, type MovementType } from '../records/movement-type.js';
import type { Settings } from './settings.js';
import { toleranceFor } from './tolerance.js';

/**
 * The explanation in Chinese (CONTRACT §11): the same numbers as `explain`, in the vocabulary of
 * CONTRACT §6, so a finance clerk reading 中文 reads one language on the whole page.
 */
function ago(asOf: number, at: number | undefined): string {
  if (at === undefined) return '';
  const hours = Math.floor((asOf - at) / 3_600_000);
  return hours < 48 ? `${hours} 小时前` : `${Math.floor(hours / 24)} 天前`;
}

const types = (list: readonly MovementType[]): string => list.map((t) => MOVEMENT_TYPE_ZH[t]).join('/');

function costPhrase(a: Assessment): string {
  if (a.unitCost === undefined) return '单位成本未知';
  const source =
    a.unitCostSource === 'standard'
      ? '标准成本'
      : a.unitCostSource === 'wms'
        ? 'WMS单位成本'
        : a.costPeriod !== undefined
          ? `${a.costPeriod} 月末一次加权平均成本`
          : '财务加权平均成本';
  return `${source} ${formatDecimal(a.unitCost)}`;
}

export function explainZh(a: Assessment, settings: Settings): string {
  const g = a.group;
  const unit = a.item.unit;
  const doc = g.documentRef;
  const wmsQty = `${formatDecimal(a.wmsQuantity)} ${unit}`;
  const finQty = `${formatDecimal(a.financeQuantity)} ${unit}`;
  const finAmt = formatMoney(a.financeAmount);
  const expected = a.expectedAmount === undefined ? '未知' : formatMoney(a.expectedAmount);
  const lag = `${settings.lagHours} 小时的滞后窗口`;
  switch (a.kind) {
    case 'MISSING_IN_WMS':
      return `财务已为单据 ${doc} 记账 ${g.entries.length} 行(${types(a.financeTypes)} ${finQty},金额 ${finAmt}),最近一笔记于 ${day(a.latestPosting)}(${ago(settings.asOf, a.latestPosting)}),WMS 无对应记录,已超出 ${lag}`;
    case 'MISSING_IN_FINANCE':
      return `WMS 已记录单据 ${doc} 的${types(a.wmsTypes)} ${wmsQty}(${g.movements.length} 条事件,最近一条于 ${day(a.latestEvent)},${ago(settings.asOf, a.latestEvent)}),财务尚未记账,已超出 ${lag};预期金额 ${expected}(按${costPhrase(a)})`;
    case 'TIMING_LAG':
      if (a.lagReason === 'cut-off') {
        return `单据 ${doc} 两边一致(${wmsQty},金额 ${finAmt}),但 WMS 记录在 ${a.wmsPeriod ?? '?'} 期间,财务记账在 ${a.financePeriod ?? '?'} 期间(${settings.timeZone}):跨期差异`;
      }
      return g.movements.length > 0
        ? `WMS 于 ${ago(settings.asOf, a.latestEvent)}记录单据 ${doc} 的${types(a.wmsTypes)} ${wmsQty},财务尚未记账,仍在 ${lag}内`
        : `财务于 ${ago(settings.asOf, a.latestPosting)}为单据 ${doc} 记账${types(a.financeTypes)} ${finQty}(金额 ${finAmt}),WMS 尚无记录,仍在 ${lag}内`;
    case 'TYPE_MISMATCH':
      return `WMS 记录单据 ${doc} 为${types(a.wmsTypes)} ${wmsQty},财务却记为${types(a.financeTypes)}(${finQty},金额 ${finAmt}):请核对凭证的业务类型`;
    case 'ACCOUNT_MISMATCH': {
      const booked = [...new Set(a.misbooked.map((e) => e.account ?? '?'))].join('、');
      let amount = 0n;
      for (const e of a.misbooked) amount += e.amount;
      const ids = a.misbooked.map((e) => e.id).join('、');
      return `财务为单据 ${doc} 记入科目 ${booked} 的 ${a.misbooked.length} 行(${ids},金额 ${formatMoney(amount)})与科目映射不符:${g.warehouseId} 的${types(a.financeTypes)}应记 ${a.allowedAccounts.join(' / ')},请核对凭证科目`;
    }
    case 'DUPLICATE_POSTING': {
      const first = a.duplicates[0];
      const perLine =
        first === undefined
          ? ''
          : `${formatDecimal(first.quantity)} ${first.uom} / ${formatMoney(first.amount)}`;
      const ids = a.duplicates.map((e) => e.id).join('、');
      return `财务为单据 ${doc} 记账 ${g.entries.length} 行,合计 ${finQty}(金额 ${finAmt}),WMS 记录 ${wmsQty}:后记的 ${ids}(每行 ${perLine})疑似重复记账`;
    }
    case 'QUANTITY_MISMATCH': {
      const delta = a.financeQuantity - a.wmsQuantity;
      const size = delta < 0n ? -delta : delta;
      const money = a.unitCost === undefined ? '?' : formatMoney((size * a.unitCost) / 1_000_000n);
      return `单据 ${doc} WMS 净数量 ${wmsQty},财务净数量 ${finQty}:财务${delta > 0n ? '多' : '少'} ${formatDecimal(size)} ${unit},约 ${money}(按${costPhrase(a)})`;
    }
    case 'AMOUNT_MISMATCH': {
      const implied = impliedUnitCost(a);
      const delta = a.expectedAmount === undefined ? 0n : a.financeAmount - a.expectedAmount;
      const tol =
        a.expectedAmount === undefined ? '?' : formatDecimal(toleranceFor(a.expectedAmount, settings));
      return `单据 ${doc} 数量一致(${wmsQty}),但财务记账 ${finAmt}(隐含单位成本 ${implied === undefined ? '?' : formatDecimal(implied)}),预期 ${expected}(按${costPhrase(a)}):相差 ${formatMoney(delta)},超出容差 ${tol}`;
    }
    case undefined:
      return `一致:${wmsQty},金额 ${finAmt}`;
  }
}
