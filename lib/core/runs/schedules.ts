/** The scheduled runs, as the stack deploys them and the dashboard counts down to them. */
export type ScheduledRunName = 'continuous' | 'dailyClose' | 'weeklyClose' | 'monthlyClose';

export interface ScheduledRun {
  /** Construct id of the schedule. */
  id: string;
  mode: 'continuous' | 'close';
  /** Starts the runId of each run it starts, followed by EventBridge Scheduler's execution id. */
  runIdPrefix: string;
  /** EventBridge Scheduler expression, evaluated in the configured time zone. */
  expression: string;
  description: string;
}

/**
 * Continuous runs every 15 minutes over the dirty partitions, and the closes (日结/周结/月结) at
 * midnight in the configured time zone. A close's asOf is its scheduled time, midnight exactly; a
 * flexible window lets Scheduler start it within the following minutes.
 */
export const SCHEDULED_RUNS: Readonly<Record<ScheduledRunName, ScheduledRun>> = {
  continuous: {
    id: 'ContinuousRuns',
    mode: 'continuous',
    runIdPrefix: 'continuous-',
    expression: 'rate(15 minutes)',
    description: 'Continuous reconciliation of the dirty partitions every 15 minutes',
  },
  dailyClose: {
    id: 'DailyClose',
    mode: 'close',
    runIdPrefix: 'close-daily-',
    expression: 'cron(0 0 * * ? *)',
    description: 'Daily close (日结): every partition, as of midnight',
  },
  weeklyClose: {
    id: 'WeeklyClose',
    mode: 'close',
    runIdPrefix: 'close-weekly-',
    expression: 'cron(0 0 ? * MON *)',
    description: 'Weekly close (周结): every partition, as of midnight starting Monday',
  },
  monthlyClose: {
    id: 'MonthlyClose',
    mode: 'close',
    runIdPrefix: 'close-monthly-',
    expression: 'cron(0 0 1 * ? *)',
    description: 'Monthly close (月结): every partition, as of midnight on the first of the month',
  },
};
