import { RE2JS } from 're2js';
import { z } from 'zod';
import { PRIORITIES } from './priority.js';

/**
 * The rule language, allow-listed: each field has a type, each type its operators. Rules are
 * evaluated in memory against a snapshot of the conversation; nothing here ever becomes SQL, and
 * patterns run on RE2 (linear time), never on the backtracking RegExp engine.
 */
export const AUTOMATION_EVENTS = [
  'conversation.created',
  'message.created',
  'conversation.resolved',
  'sla.warning',
  'sla.breached',
] as const;
export type AutomationEvent = (typeof AUTOMATION_EVENTS)[number];

const TEXT_OPERATORS = ['equals', 'not_equals', 'contains', 'not_contains', 'matches', 'exists'] as const;
const CHOICE_OPERATORS = ['equals', 'not_equals', 'in', 'not_in'] as const;
const SET_OPERATORS = ['includes', 'excludes'] as const;

export const FIELD_TYPES = {
  channel: 'choice',
  inbox_id: 'choice',
  team_id: 'choice',
  priority: 'choice',
  status: 'choice',
  /** `open` or `closed` by the business calendar of the conversation's team, else inbox, else workspace. */
  business_hours: 'choice',
  label: 'set',
  'message.body': 'text',
  'contact.name': 'text',
  'contact.email': 'text',
  'contact.phone': 'text',
} as const;

const ATTRIBUTE_FIELD = /^contact\.attributes\.[a-zA-Z0-9_]{1,64}$/;
const OPERATORS_BY_TYPE = { text: TEXT_OPERATORS, choice: CHOICE_OPERATORS, set: SET_OPERATORS } as const;

const condition = z
  .object({
    field: z.string().max(100),
    operator: z.string().max(20),
    value: z.union([z.string().max(500), z.array(z.string().max(200)).max(50)]).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const type = ATTRIBUTE_FIELD.test(rule.field)
      ? 'text'
      : FIELD_TYPES[rule.field as keyof typeof FIELD_TYPES];
    if (!type) {
      ctx.addIssue({ code: 'custom', path: ['field'], message: `unknown field "${rule.field}"` });
      return;
    }
    const allowed: readonly string[] = OPERATORS_BY_TYPE[type];
    if (!allowed.includes(rule.operator)) {
      ctx.addIssue({
        code: 'custom',
        path: ['operator'],
        message: `"${rule.operator}" is not an operator for ${rule.field} (use ${allowed.join(', ')})`,
      });
      return;
    }
    const list = rule.operator === 'in' || rule.operator === 'not_in';
    if (
      rule.field === 'business_hours' &&
      [rule.value ?? []].flat().some((value) => value !== 'open' && value !== 'closed')
    ) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'business_hours is "open" or "closed"' });
      return;
    }
    if (rule.operator !== 'exists' && (list ? !Array.isArray(rule.value) : typeof rule.value !== 'string')) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: list ? 'must be a list of strings' : 'must be a string',
      });
      return;
    }
    if (rule.operator === 'matches') {
      // RE2 syntax, matched in linear time (re2js): no pattern can stall a worker.
      const pattern = String(rule.value);
      if (pattern.length > 200) {
        ctx.addIssue({ code: 'custom', path: ['value'], message: 'pattern is longer than 200 characters' });
        return;
      }
      try {
        RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `is not a valid RE2 pattern (${(error as Error).message})`,
        });
      }
    }
  });

const action = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assign_team'), teamId: z.uuid() }).strict(),
  z.object({ type: z.literal('assign_agent'), userId: z.uuid() }).strict(),
  z
    .object({ type: z.literal('set_priority'), priority: z.enum(PRIORITIES as [string, ...string[]]) })
    .strict(),
  z.object({ type: z.literal('add_label'), label: z.string().min(1).max(100) }).strict(),
  z.object({ type: z.literal('send_canned_reply'), cannedResponseId: z.uuid() }).strict(),
  // A canned reply sent at most once per conversation cycle (e.g. "we are closed, we answer at 9").
  z.object({ type: z.literal('auto_acknowledge'), cannedResponseId: z.uuid() }).strict(),
  // Urgent priority, optionally another team, an `escalated` event and a live alert to supervisors.
  z
    .object({
      type: z.literal('escalate'),
      teamId: z.uuid().optional(),
      reason: z.string().min(1).max(500).optional(),
    })
    .strict(),
  z.object({ type: z.literal('add_note'), body: z.string().min(1).max(5000) }).strict(),
  z
    .object({
      type: z.literal('snooze'),
      minutes: z
        .number()
        .int()
        .min(1)
        .max(60 * 24 * 30),
    })
    .strict(),
  z.object({ type: z.literal('resolve') }).strict(),
]);

export const ruleDefinition = z
  .object({
    name: z.string().min(1).max(100),
    enabled: z.boolean().default(true),
    position: z.number().int().min(0).max(10_000).default(0),
    event: z.enum(AUTOMATION_EVENTS),
    conditions: z
      .object({ all: z.array(condition).max(20).default([]), any: z.array(condition).max(20).default([]) })
      .strict()
      .default({ all: [], any: [] }),
    actions: z.array(action).min(1).max(10),
  })
  .strict();

export type RuleDefinition = z.output<typeof ruleDefinition>;
export type RuleCondition = z.output<typeof condition>;
export type RuleAction = z.output<typeof action>;

/** Validates a rule; the problems name their path ("conditions.all.0.operator: …"). */
export function parseRule(input: unknown): { rule: RuleDefinition } | { problems: string[] } {
  const result = ruleDefinition.safeParse(input);
  if (result.success) return { rule: result.data };
  return { problems: result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
}
