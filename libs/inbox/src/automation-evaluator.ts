import { RE2JS } from 're2js';
import type { RuleCondition, RuleDefinition } from './automation-rule.schema.js';

/** What a rule can look at: a snapshot of the conversation, its contact and the triggering message. */
export interface RuleFacts {
  channel: string | null;
  inbox_id: string | null;
  team_id: string | null;
  priority: string;
  status: string;
  business_hours: 'open' | 'closed' | null;
  labels: string[];
  message: { body: string } | null;
  contact: {
    name: string | null;
    email: string | null;
    phone: string | null;
    attributes: Record<string, unknown>;
  };
}

const MAX_TEXT = 10_000;

function textOf(facts: RuleFacts, field: string): string | null {
  if (field === 'message.body') return facts.message?.body ?? null;
  if (field === 'contact.name') return facts.contact.name;
  if (field === 'contact.email') return facts.contact.email;
  if (field === 'contact.phone') return facts.contact.phone;
  if (field.startsWith('contact.attributes.')) {
    const value = facts.contact.attributes[field.slice('contact.attributes.'.length)];
    return value === undefined || value === null
      ? null
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  }
  const choice =
    facts[field as 'channel' | 'inbox_id' | 'team_id' | 'priority' | 'status' | 'business_hours'];
  return choice ?? null;
}

/** One condition. Text compares case-insensitively; `matches` runs on at most 10,000 characters. */
export function matchesCondition(condition: RuleCondition, facts: RuleFacts): boolean {
  const wanted = condition.value;
  if (condition.field === 'label') {
    const has = typeof wanted === 'string' && facts.labels.includes(wanted);
    return condition.operator === 'includes' ? has : !has;
  }
  const actual = textOf(facts, condition.field);
  const lower = actual?.toLowerCase() ?? null;
  switch (condition.operator) {
    case 'exists':
      return actual !== null && actual !== '';
    case 'equals':
      return lower !== null && lower === String(wanted).toLowerCase();
    case 'not_equals':
      return lower === null || lower !== String(wanted).toLowerCase();
    case 'contains':
      return lower !== null && lower.includes(String(wanted).toLowerCase());
    case 'not_contains':
      return lower === null || !lower.includes(String(wanted).toLowerCase());
    case 'in':
      return lower !== null && Array.isArray(wanted) && wanted.some((w) => w.toLowerCase() === lower);
    case 'not_in':
      return lower === null || !Array.isArray(wanted) || !wanted.some((w) => w.toLowerCase() === lower);
    case 'matches':
      return (
        actual !== null &&
        RE2JS.compile(String(wanted), RE2JS.CASE_INSENSITIVE).matcher(actual.slice(0, MAX_TEXT)).find()
      );
    default:
      return false;
  }
}

/** All of `all` and at least one of `any` (an empty list imposes nothing). */
export function matchesRule(rule: Pick<RuleDefinition, 'conditions'>, facts: RuleFacts): boolean {
  const { all, any } = rule.conditions;
  return (
    all.every((c) => matchesCondition(c, facts)) &&
    (any.length === 0 || any.some((c) => matchesCondition(c, facts)))
  );
}
