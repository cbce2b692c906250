import type { LateArrival, PeriodRepository } from '../../core/periods/ports.js';
import { groupKey } from '../../core/records/group-key.js';
import type { ArrivalRecorder } from '../../core/records/record-sink.js';
import type { LedgerRecord } from '../../core/records/records.js';
import type { ZoneClock } from '../../core/shared/zone-clock.js';

/**
 * The ArrivalRecorder the ingest record store is given. What ingest does with the records it stored (CONTRACT §7): notes the periods they are dated in
 * and, for those dated inside a locked period, stores a late arrival each; the count is the ingest
 * answer's `lateArrivals`.
 */
export function periodArrivals(periods: PeriodRepository, zone: ZoneClock): ArrivalRecorder {
  return {
    async arrived(records: readonly LedgerRecord[], receivedAt: string): Promise<number> {
      if (records.length === 0) return 0;
      const dated = records.map((record) => ({ record, period: zone.periodOf(record.at) }));
      await periods.note(dated.map((d) => d.period));
      const locked = new Set((await periods.list()).filter((p) => p.lock !== null).map((p) => p.period));
      const late: LateArrival[] = dated
        .filter((d) => locked.has(d.period))
        .map(({ record, period }) => ({
          period,
          source: record.source,
          id: record.id,
          groupKey: groupKey(record),
          receivedAt,
        }));
      await periods.addLateArrivals(late);
      return late.length;
    },
  };
}
