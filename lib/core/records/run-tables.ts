import type { CostTable } from './costs.js';
import type { UomTable } from './uom.js';

/**
 * The reference tables a run reconciles with: the unit and cost tables of the latest accepted drops
 * (empty when none was dropped). Every partition of a run sees the same ones.
 */
export interface RunTables {
  uom: UomTable;
  costs: CostTable;
}
