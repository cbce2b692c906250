import { z } from 'zod';
import { decimalFromNumber, parseDecimal, type Decimal } from '../shared/decimal.js';
import { SEVERITIES, type Severity } from '../reconcile/discrepancy.js';

/**
 * The alert configuration document (issue 7), YAML or JSON, validated here once for the CDK stack
 * (email subscriptions and the chat function's secret grants, at synth time) and for the notify
 * function (routing, at run time). The text is parsed outside the core (the `yaml` package); this
 * module takes the parsed value.
 *
 *   channels:            by name: type dingtalk | wecom | slack | email
 *     <name>:            chat: `secret`, a Secrets Manager secret (name or ARN) holding
 *                        {"webhookUrl": "...", "signingSecret": "SEC..."} (signingSecret: DingTalk only)
 *                        email: `addresses`, subscribed to the SNS topics by the stack
 *                        `severities` (optional, default all three): what the channel receives
 *   default:             the route of every warehouse not listed below
 *     owners, channels, thresholds   thresholds: the least money at stake alerted, per severity
 *   warehouses:
 *     <warehouseId>:     overrides the default field by field (thresholds severity by severity)
 *   limits:              redAlertsPerRun (more RED alerts for one channel in one run are folded into
 *                        one message: chat robots take about 20 messages a minute), digestItems
 */
export const CHAT_CHANNEL_TYPES = ['dingtalk', 'wecom', 'slack'] as const;
export const CHANNEL_TYPES = [...CHAT_CHANNEL_TYPES, 'email'] as const;
export type ChatChannelType = (typeof CHAT_CHANNEL_TYPES)[number];
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const isChatChannelType = (type: string): type is ChatChannelType =>
  (CHAT_CHANNEL_TYPES as readonly string[]).includes(type);

/** Channel names travel as SNS message attributes, construct ids and message ids: kept plain. */
const CHANNEL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A Secrets Manager secret name (its allowed characters) or a secret ARN. */
const SECRET_REF =
  /^(arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$/;

const severities = z
  .array(z.enum(SEVERITIES))
  .min(1, 'names no severity: leave it out to receive all three')
  .optional();

const ChatChannelSchema = z.strictObject({
  type: z.enum(CHAT_CHANNEL_TYPES),
  secret: z
    .string()
    .regex(SECRET_REF, 'must be a Secrets Manager secret name or ARN (the webhook URL lives in the secret)'),
  severities,
});

const EmailChannelSchema = z.strictObject({
  type: z.literal('email'),
  addresses: z.array(z.email('is not an email address')).min(1, 'lists no address'),
  severities,
});

const ChannelSchema = z.discriminatedUnion('type', [ChatChannelSchema, EmailChannelSchema], {
  error: `type must be one of ${CHANNEL_TYPES.join(', ')}`,
});

const money = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const parsed = typeof v === 'number' ? decimalFromNumber(v) : parseDecimal(v);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.reason });
    return z.NEVER;
  }
  if (parsed.value < 0n) {
    ctx.addIssue({ code: 'custom', message: 'must not be negative' });
    return z.NEVER;
  }
  return parsed.value;
});

const ThresholdsSchema = z.strictObject({
  RED: money.optional(),
  YELLOW: money.optional(),
  GREEN: money.optional(),
});

const RouteSchema = z.strictObject({
  owners: z.array(z.string().min(1, 'is empty')).optional(),
  channels: z.array(z.string().min(1, 'is empty')).optional(),
  thresholds: ThresholdsSchema.optional(),
});

const LimitsSchema = z.strictObject({
  redAlertsPerRun: z.int().min(1).max(100).optional(),
  digestItems: z.int().min(1).max(100).optional(),
});

export const AlertConfigSchema = z.strictObject({
  version: z.literal(1, 'must be 1').optional(),
  channels: z.record(z.string().regex(CHANNEL_NAME), ChannelSchema, {
    error: (issue) =>
      issue.code === 'invalid_key' ? 'a channel name is 1-64 letters, digits, - or _' : undefined,
  }),
  default: RouteSchema,
  warehouses: z.record(z.string().min(1), RouteSchema).optional(),
  limits: LimitsSchema.optional(),
});

export interface ChatChannel {
  name: string;
  type: ChatChannelType;
  /** Secrets Manager secret name or ARN. */
  secret: string;
  severities: readonly Severity[];
}

export interface EmailChannel {
  name: string;
  type: 'email';
  addresses: readonly string[];
  severities: readonly Severity[];
}

export type Channel = ChatChannel | EmailChannel;

/** Where one warehouse's alerts go. */
export interface AlertRoute {
  owners: readonly string[];
  channels: readonly string[];
  /** The least money at stake alerted, per severity (0: everything). */
  thresholds: Readonly<Record<Severity, Decimal>>;
}

export interface AlertLimits {
  redAlertsPerRun: number;
  digestItems: number;
}

export const DEFAULT_LIMITS: AlertLimits = { redAlertsPerRun: 20, digestItems: 20 };

export interface AlertConfig {
  channels: ReadonlyMap<string, Channel>;
  default: AlertRoute;
  warehouses: ReadonlyMap<string, AlertRoute>;
  limits: AlertLimits;
}

export type AlertConfigParse = { ok: true; config: AlertConfig } | { ok: false; errors: string[] };

type RouteInput = z.infer<typeof RouteSchema>;

const ZERO_THRESHOLDS: Record<Severity, Decimal> = { RED: 0n, YELLOW: 0n, GREEN: 0n };

function route(input: RouteInput, base: AlertRoute | undefined): AlertRoute {
  const thresholds = { ...(base?.thresholds ?? ZERO_THRESHOLDS) };
  for (const severity of SEVERITIES) {
    const value = input.thresholds?.[severity];
    if (value !== undefined) thresholds[severity] = value;
  }
  return {
    owners: input.owners ?? base?.owners ?? [],
    channels: input.channels ?? base?.channels ?? [],
    thresholds,
  };
}

function where(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'document' : path.map(String).join('.');
}

function describe(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${where([...issue.path, key])}: is not a field here`);
  }
  return [`${where(issue.path)}: ${issue.message}`];
}

/**
 * The parsed document (YAML or JSON, already parsed) as an AlertConfig, or every problem found,
 * each naming its field (`channels.ops.secret: ...`, `warehouses.WH-1.channels: names ...`).
 */
export function parseAlertConfig(document: unknown): AlertConfigParse {
  const parsed = AlertConfigSchema.safeParse(document);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.flatMap(describe) };
  }
  const doc = parsed.data;
  const errors: string[] = [];
  const channels = new Map<string, Channel>();
  for (const [name, c] of Object.entries(doc.channels)) {
    const severitiesOf = c.severities ?? [...SEVERITIES];
    channels.set(
      name,
      c.type === 'email'
        ? { name, type: 'email', addresses: c.addresses, severities: severitiesOf }
        : { name, type: c.type, secret: c.secret, severities: severitiesOf },
    );
  }
  const checkChannels = (path: string, input: RouteInput): void => {
    for (const name of input.channels ?? []) {
      if (!channels.has(name)) errors.push(`${path}.channels: names ${name}, which is not under channels`);
    }
  };
  checkChannels('default', doc.default);
  const defaultRoute = route(doc.default, undefined);
  const warehouses = new Map<string, AlertRoute>();
  for (const [warehouseId, input] of Object.entries(doc.warehouses ?? {})) {
    checkChannels(`warehouses.${warehouseId}`, input);
    warehouses.set(warehouseId, route(input, defaultRoute));
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      channels,
      default: defaultRoute,
      warehouses,
      limits: { ...DEFAULT_LIMITS, ...doc.limits },
    },
  };
}

/** The route of a warehouse: its own entry, else the default. */
export function routeOf(config: AlertConfig, warehouseId: string): AlertRoute {
  return config.warehouses.get(warehouseId) ?? config.default;
}

export function chatChannels(config: AlertConfig): ChatChannel[] {
  return [...config.channels.values()].filter((c): c is ChatChannel => c.type !== 'email');
}

export function emailChannels(config: AlertConfig): EmailChannel[] {
  return [...config.channels.values()].filter((c): c is EmailChannel => c.type === 'email');
}

/**
 * What a chat channel's secret holds: the robot's webhook URL and, for DingTalk's signed robots,
 * the signing secret (`SEC...`). Validated where it is read; its values are never logged.
 */
export const ChatSecretSchema = z.object({
  webhookUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  signingSecret: z.string().min(1, 'is empty').optional(),
});
export type ChatSecret = z.infer<typeof ChatSecretSchema>;
