import { z } from 'zod';
import { ResolutionSchema } from './resolution.js';
import { RootCauseSchema } from './root-cause.js';

/**
 * The body of POST /v1/cases/{caseId}/actions: one action on one case, each with its own payload.
 * `version` (optional) is the case version the caller saw: when given and no longer current, the
 * action is refused with 409 instead of applying to a case that moved on.
 */
export const ACTION_TYPES = [
  'assign',
  'comment',
  'start-review',
  'propose',
  'approve',
  'reject',
  'close',
  'freeze',
  'unfreeze',
  'link',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

const version = z.int().min(1).optional();
const text = (max: number) => z.string().trim().min(1).max(max);

export const CaseActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('assign'), owner: text(128), version }),
  z.strictObject({ type: z.literal('comment'), text: text(4000), version }),
  z.strictObject({ type: z.literal('start-review'), comment: text(4000).optional(), version }),
  z.strictObject({
    type: z.literal('propose'),
    resolution: ResolutionSchema,
    rootCause: RootCauseSchema.optional(),
    comment: text(4000).optional(),
    version,
  }),
  z.strictObject({ type: z.literal('approve'), comment: text(4000).optional(), version }),
  z.strictObject({ type: z.literal('reject'), reason: text(4000), version }),
  z.strictObject({
    type: z.literal('close'),
    rootCause: RootCauseSchema.optional(),
    comment: text(4000).optional(),
    version,
  }),
  z.strictObject({ type: z.literal('freeze'), reason: text(500), version }),
  z.strictObject({ type: z.literal('unfreeze'), reason: text(500).optional(), version }),
  // Accepting a suggested match (CONTRACT §11): a proposal to link, approved like any other.
  z.strictObject({
    type: z.literal('link'),
    documentRef: z.string().min(1).max(256),
    sku: z.string().min(1).max(128),
    rootCause: RootCauseSchema.optional(),
    comment: text(4000).optional(),
    version,
  }),
]);
export type CaseAction = z.infer<typeof CaseActionSchema>;
