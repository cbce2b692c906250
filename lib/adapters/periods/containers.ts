import { dynamoClient } from '../aws/aws-clients.js';
import { config } from '../aws/env.js';
import { PeriodStore } from './period-store.js';

/** The periods store, one per container, made on first use: its items live in the records table. */
let periods: PeriodStore | undefined;

export function periodStore(): PeriodStore {
  return (periods ??= new PeriodStore(dynamoClient(), config.recordsTable()));
}
