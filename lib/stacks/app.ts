import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEFAULT_PARTITIONS } from '../core/records/partition.js';
import { DEFAULT_SETTINGS } from '../core/reconcile/settings.js';
import { findProjectRoot } from './project-root.js';
import { stageOf } from './stage.js';
import { StocktallyStack } from './stocktally-stack.js';

export interface StocktallyApp {
  readonly app: App;
  readonly stack: StocktallyStack;
}

/**
 * The CDK app as `cdk synth` runs it (bin/app.ts) and as the tests build it: one stack per stage,
 * with cdk-nag's AwsSolutions and Serverless packs as validation plugins, so a finding that is not
 * acknowledged with a reason fails the synth.
 *
 * Context: `stage` (default dev; prod turns on deletion protection and RETAIN), `partitions`
 * (default the CLI's), `timeZone` (IANA, default the engine's), `alertConfig` (the alert routing
 * document, default config/alerts.yaml). No lookups: it synthesizes offline.
 */
export function createApp(props: AppProps = {}): StocktallyApp {
  const app = new App(props);
  const stage = stageOf(stringContext(app, 'stage') ?? 'dev');
  const stack = new StocktallyStack(app, `Stocktally-${stage.name}`, {
    stage,
    projectRoot: findProjectRoot(),
    partitions: partitionsContext(app),
    timeZone: timeZoneContext(app),
    alertConfigPath: stringContext(app, 'alertConfig'),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}

function stringContext(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null ? undefined : String(value);
}

function partitionsContext(app: App): number {
  const raw = stringContext(app, 'partitions');
  if (raw === undefined) return DEFAULT_PARTITIONS;
  const partitions = Number(raw);
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new Error(`context partitions must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return partitions;
}

function timeZoneContext(app: App): string {
  const timeZone = stringContext(app, 'timeZone') ?? DEFAULT_SETTINGS.timeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new Error(`context timeZone must be an IANA time zone, got ${JSON.stringify(timeZone)}`);
  }
  return timeZone;
}
