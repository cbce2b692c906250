import type { CostTable } from './costs.js';
import type { RateTable } from './rates.js';
import type { UomTable } from './uom.js';

/**
 * The reference tables a run reconciles with: the unit, cost and rate tables of the latest accepted
 * drops (empty when none was dropped). Every partition of a run sees the same ones.
 */
export interface RunTables {
  uom: UomTable;
  costs: CostTable;
  /** tables/rates.csv (CONTRACT §10): finance entries in another currency are converted with it. */
  rates: RateTable;
}
