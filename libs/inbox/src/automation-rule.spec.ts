import { matchesRule, type RuleFacts } from './automation-evaluator.js';
import { parseRule } from './automation-rule.schema.js';

const facts: RuleFacts = {
  channel: 'whatsapp',
  inbox_id: 'inbox-1',
  team_id: null,
  priority: 'none',
  status: 'open',
  business_hours: 'closed',
  labels: ['vip'],
  message: { body: 'I want a REFUND for order #1042' },
  contact: {
    name: 'Tom',
    email: 'tom@example.com',
    phone: null,
    attributes: { plan: 'enterprise', seats: 40 },
  },
};

const rule = (conditions: unknown, actions: unknown = [{ type: 'set_priority', priority: 'high' }]) =>
  parseRule({ name: 'r', event: 'message.created', conditions, actions });

describe('automation rules', () => {
  it('accepts allow-listed fields and operators and evaluates them', () => {
    const parsed = rule({
      all: [
        { field: 'channel', operator: 'in', value: ['sms', 'whatsapp'] },
        { field: 'message.body', operator: 'matches', value: 'refund|money back' },
        { field: 'contact.attributes.plan', operator: 'equals', value: 'Enterprise' },
        { field: 'label', operator: 'includes', value: 'vip' },
      ],
      any: [
        { field: 'contact.email', operator: 'contains', value: '@example.com' },
        { field: 'contact.phone', operator: 'exists' },
      ],
    });
    if (!('rule' in parsed)) throw new Error(parsed.problems.join('; '));
    expect(matchesRule(parsed.rule, facts)).toBe(true);
    expect(matchesRule(parsed.rule, { ...facts, labels: [] })).toBe(false);
    expect(matchesRule(parsed.rule, { ...facts, contact: { ...facts.contact, email: null } })).toBe(false);
  });

  it.each([
    [
      { all: [{ field: 'channel', operator: "'; DROP TABLE conversations; --", value: 'sms' }] },
      'conditions.all.0.operator',
    ],
    [
      { all: [{ field: 'contact.attributes.plan); DELETE FROM contacts', operator: 'equals', value: 'x' }] },
      'conditions.all.0.field',
    ],
    [{ all: [{ field: 'password_hash', operator: 'equals', value: 'x' }] }, 'conditions.all.0.field'],
    [{ all: [{ field: 'channel', operator: 'matches', value: '.*' }] }, 'conditions.all.0.operator'],
    [
      { all: [{ field: 'message.body', operator: 'matches', value: '(a)\\1' }] },
      'conditions.all.0.value: is not a valid RE2 pattern',
    ],
    [
      { all: [{ field: 'message.body', operator: 'matches', value: '(?=lookahead)' }] },
      'not a valid RE2 pattern',
    ],
    [
      { all: [{ field: 'message.body', operator: 'matches', value: 'x'.repeat(201) }] },
      'longer than 200 characters',
    ],
    [
      { all: [{ field: 'message.body', operator: 'matches', value: '[unclosed' }] },
      'not a valid RE2 pattern',
    ],
    [{ all: [{ field: 'channel', operator: 'in', value: 'sms' }] }, 'must be a list of strings'],
    [{ all: [{ field: 'channel', operator: 'equals', value: 'sms', extra: 1 }] }, 'conditions.all.0'],
  ])('rejects %j', (conditions, problem) => {
    const parsed = rule(conditions);
    expect('problems' in parsed && parsed.problems.join('\n')).toContain(problem);
  });

  it('matches patterns that would make a backtracking engine hang, on long input, without hanging', () => {
    for (const pattern of ['(a+)+$', '(a|aa)+$', '.*.*.*.*x', '((a+))+$']) {
      const parsed = rule({ all: [{ field: 'message.body', operator: 'matches', value: pattern }] });
      if (!('rule' in parsed)) throw new Error(parsed.problems.join('; '));
      expect(matchesRule(parsed.rule, { ...facts, message: { body: `${'a'.repeat(9_999)}b` } })).toBe(false);
    }
  });

  it('rejects unknown actions and extra action fields', () => {
    const unknown = rule({ all: [] }, [{ type: 'run_sql', sql: 'select 1' }]);
    expect('problems' in unknown).toBe(true);
    const extra = rule({ all: [] }, [{ type: 'resolve', force: true }]);
    expect('problems' in extra).toBe(true);
  });

  it('matches business hours and validates its values', () => {
    const closed = rule({ all: [{ field: 'business_hours', operator: 'equals', value: 'closed' }] });
    if (!('rule' in closed)) throw new Error(closed.problems.join('; '));
    expect(matchesRule(closed.rule, facts)).toBe(true);
    expect(matchesRule(closed.rule, { ...facts, business_hours: 'open' })).toBe(false);
    // No calendar service: no business-hours condition matches either way.
    expect(matchesRule(closed.rule, { ...facts, business_hours: null })).toBe(false);
    expect(rule({ all: [{ field: 'business_hours', operator: 'equals', value: 'night' }] })).toEqual({
      problems: ['conditions.all.0.value: business_hours is "open" or "closed"'],
    });
    expect(rule({ all: [{ field: 'business_hours', operator: 'contains', value: 'open' }] })).toMatchObject({
      problems: [expect.stringContaining('"contains" is not an operator for business_hours')],
    });
  });

  it('takes the escalation and acknowledgement actions and the SLA events', () => {
    expect(
      rule({}, [
        { type: 'escalate', reason: 'VIP waiting' },
        { type: 'auto_acknowledge', cannedResponseId: 'x' },
      ]),
    ).toMatchObject({ problems: [expect.stringContaining('actions.1.cannedResponseId')] });
    const sla = parseRule({
      name: 'breach',
      event: 'sla.breached',
      actions: [{ type: 'escalate', teamId: '6f1c1f8e-0b5e-4a57-9a7e-0e4f4f5b3a11' }],
    });
    expect('rule' in sla).toBe(true);
  });
});
