import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEFAULT_PARTITIONS } from '../core/records/partition.js';
import { DEFAULT_SETTINGS } from '../core/reconcile/settings.js';
import { findProjectRoot } from './project-root.js';
import { stageOf } from './stage.js';
import { StocktallyStack } from './stocktally-stack.js';
import { isCurrencyCode } from '../core/records/rates.js';
import type { ReconcileRules } from './rules.js';

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
 * document, default config/alerts.yaml), and the reconciliation rules (lib/stacks/rules.ts):
 * `currency` (ISO 4217, default CNY), `checkAccounts` and `varianceCompensates` (true or false,
 * default false). No lookups: it synthesizes offline.
 */
export function createApp(props: AppProps = {}): StocktallyApp {
  const app = new App(props);
  const stage = stageOf(stringContext(app, 'stage') ?? 'dev');
  const stack = new StocktallyStack(app, `Stocktally-${stage.name}`, {
    stage,
    projectRoot: findProjectRoot(),
    partitions: partitionsContext(app),
    timeZone: timeZoneContext(app),
    rules: rulesContext(app),
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

function rulesContext(app: App): ReconcileRules {
  const currency = stringContext(app, 'currency');
  if (currency !== undefined && !isCurrencyCode(currency)) {
    throw new Error(`context currency must be an ISO 4217 code, got ${JSON.stringify(currency)}`);
  }
  const flag = (key: string): boolean | undefined => {
    const value = stringContext(app, key);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') {
      throw new Error(`context ${key} must be true or false, got ${JSON.stringify(value)}`);
    }
    return value === 'true';
  };
  const checkAccounts = flag('checkAccounts');
  const varianceCompensates = flag('varianceCompensates');
  return {
    ...(currency === undefined ? {} : { currency }),
    ...(checkAccounts === undefined ? {} : { checkAccounts }),
    ...(varianceCompensates === undefined ? {} : { varianceCompensates }),
  };
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
