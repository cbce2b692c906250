import type { PeriodClose, PeriodLock, PeriodRecord } from '../../lib/core/periods/period-record.js';
import type { LateArrival, PeriodRepository } from '../../lib/core/periods/ports.js';
import type { LiveViewRepository } from '../../lib/core/runs/ports.js';

/** The periods port in memory, for use-case tests: what the DynamoDB store keeps, in a Map. */
export class MemoryPeriods implements PeriodRepository {
  readonly records = new Map<string, PeriodRecord>();
  readonly late: LateArrival[] = [];

  private record(period: string): PeriodRecord {
    let r = this.records.get(period);
    if (r === undefined) this.records.set(period, (r = { period, lastClose: null, lock: null }));
    return r;
  }

  async list(): Promise<PeriodRecord[]> {
    return [...this.records.values()].sort((a, b) => (a.period < b.period ? 1 : -1));
  }
  async get(period: string): Promise<PeriodRecord | undefined> {
    return this.records.get(period);
  }
  async note(periods: Iterable<string>): Promise<void> {
    for (const p of periods) this.record(p);
  }
  async recordClose(period: string, close: PeriodClose): Promise<void> {
    const r = this.record(period);
    if (r.lock === null && (r.lastClose === null || r.lastClose.finishedAt <= close.finishedAt))
      r.lastClose = close;
  }
  async lock(period: string, lock: PeriodLock): Promise<boolean> {
    const r = this.record(period);
    if (r.lock !== null) return false;
    r.lock = lock;
    return true;
  }
  async addLateArrivals(arrivals: readonly LateArrival[]): Promise<void> {
    for (const a of arrivals)
      if (!this.late.some((l) => l.source === a.source && l.id === a.id)) this.late.push(a);
  }
  async lateArrivalCounts(periods: readonly string[]): Promise<Map<string, number>> {
    return new Map(periods.map((p) => [p, this.late.filter((l) => l.period === p).length]));
  }
  async lateGroups(periods: readonly string[]): Promise<Set<string>> {
    return new Set(this.late.filter((l) => periods.includes(l.period)).map((l) => l.groupKey));
  }
}

/** The live view's marker in memory. */
export class MemoryLiveView implements LiveViewRepository {
  current: string | undefined;
  async asOf(): Promise<string | undefined> {
    return this.current;
  }
  async advance(asOf: string): Promise<boolean> {
    if (this.current !== undefined && Date.parse(this.current) > Date.parse(asOf)) return false;
    this.current = asOf;
    return true;
  }
}
