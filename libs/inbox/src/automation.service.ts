import { Injectable, Logger } from '@nestjs/common';
import { TransactionRunner } from '@parley/database';
import { JobQueues, OutboxRelay, OutboxRepository } from '@parley/jobs';
import { LocalCaches, type LocalCache } from '@parley/realtime';
import { matchesRule, type RuleFacts } from './automation-evaluator.js';
export { automationJob } from './automation-jobs.js';
import {
  parseRule,
  type AutomationEvent,
  type RuleAction,
  type RuleDefinition,
} from './automation-rule.schema.js';
import { assignConversationJob } from './assignment.service.js';
import { BusinessHours } from './business-hours.js';
import { CatalogService } from './catalog.service.js';
import { ConversationRepository } from './conversation.repository.js';
import { ConversationsService } from './conversations.service.js';
import { Effects, type Actor } from './effects.js';
import { Contact, Message } from './inbox.entities.js';
import { InboxError, InboxErrorCode } from './inbox.errors.js';
import { priorityName } from './priority.js';

export interface AutomationRuleView extends RuleDefinition {
  id: string;
  createdAt: string;
  updatedAt: string;
}

interface RuleRow {
  id: string;
  name: string;
  enabled: boolean;
  position: number;
  event: AutomationEvent;
  conditions: RuleDefinition['conditions'];
  actions: RuleDefinition['actions'];
  created_at: Date;
  updated_at: Date;
}

/** How many rules may set each other off in a row before the chain stops. */
const MAX_CHAIN = 3;

/**
 * Automation rules: for an event, each enabled rule in order (position, then age) is matched against
 * a fresh snapshot; a match applies its actions through the same services agents use, and logs the
 * firing on the conversation's timeline. Loop-safe: a rule never runs again in a chain it started,
 * and chains stop after three rules.
 */
@Injectable()
export class AutomationService {
  private readonly logger = new Logger(AutomationService.name);
  /** A workspace's enabled rules in firing order (every message and status change reads them). */
  private readonly enabled: LocalCache<RuleRow[]>;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly conversations: ConversationsService,
    private readonly repository: ConversationRepository,
    private readonly catalog: CatalogService,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly businessHours: BusinessHours,
    private readonly queues: JobQueues,
    caches: LocalCaches,
  ) {
    this.enabled = caches.cache('automation-rules');
  }

  async list(workspaceId: string): Promise<AutomationRuleView[]> {
    const rows: RuleRow[] = await this.tx.manager.query(
      `SELECT * FROM automation_rules WHERE workspace_id = $1 ORDER BY event, position, created_at`,
      [workspaceId],
    );
    return rows.map(view);
  }

  async get(workspaceId: string, id: string): Promise<AutomationRuleView> {
    const [row] = await this.tx.manager.query<RuleRow[]>(
      `SELECT * FROM automation_rules WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    if (!row) throw InboxError.notFound('Automation rule');
    return view(row);
  }

  async create(workspaceId: string, input: unknown): Promise<AutomationRuleView> {
    const rule = valid(input);
    const [row] = await this.tx.manager.query<RuleRow[]>(
      `INSERT INTO automation_rules (workspace_id, name, enabled, position, event, conditions, actions)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [
        workspaceId,
        rule.name,
        rule.enabled,
        rule.position,
        rule.event,
        rule.conditions,
        JSON.stringify(rule.actions),
      ],
    );
    await this.enabled.invalidate(workspaceId);
    return view(row);
  }

  /** Replaces a rule with a full, validated definition. */
  async update(workspaceId: string, id: string, input: unknown): Promise<AutomationRuleView> {
    await this.get(workspaceId, id);
    const rule = valid(input);
    // For an UPDATE the query runner answers [rows, affected count].
    const [[row]] = await this.tx.manager.query<[RuleRow[], number]>(
      `UPDATE automation_rules SET name = $3, enabled = $4, position = $5, event = $6, conditions = $7, actions = $8, updated_at = now()
        WHERE workspace_id = $1 AND id = $2 RETURNING *`,
      [
        workspaceId,
        id,
        rule.name,
        rule.enabled,
        rule.position,
        rule.event,
        rule.conditions,
        JSON.stringify(rule.actions),
      ],
    );
    await this.enabled.invalidate(workspaceId);
    return view(row);
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    await this.get(workspaceId, id);
    await this.tx.manager.query(`DELETE FROM automation_rules WHERE workspace_id = $1 AND id = $2`, [
      workspaceId,
      id,
    ]);
    await this.enabled.invalidate(workspaceId);
  }

  /** Runs the rules of one event; resolves with how many fired. */
  async handle(
    workspaceId: string,
    event: AutomationEvent,
    conversationId: string,
    messageId: string | null,
    chain: string[],
  ): Promise<number> {
    if (chain.length >= MAX_CHAIN) return 0;
    const rules = (await this.enabledRules(workspaceId)).filter(
      (rule) => rule.event === event && !chain.includes(rule.id),
    );
    let fired = 0;
    for (const rule of rules) {
      const facts = await this.facts(workspaceId, conversationId, messageId);
      if (!facts || !matchesRule(rule, facts)) continue;
      const actor: Actor = {
        type: 'bot',
        id: null,
        label: `rule “${rule.name}”`,
        chain: [...chain, rule.id],
      };
      const outcomes: Array<{ type: RuleAction['type']; ok: boolean; error?: string }> = [];
      for (const action of rule.actions) {
        try {
          await this.apply(workspaceId, conversationId, actor, action);
          outcomes.push({ type: action.type, ok: true });
        } catch (error) {
          if (!(error instanceof InboxError)) throw error;
          outcomes.push({ type: action.type, ok: false, error: error.message });
        }
      }
      await this.tx.run(async (manager) => {
        await new Effects(workspaceId)
          .event({ id: conversationId }, 'automation_fired', actor, {
            messageId,
            data: { ruleId: rule.id, rule: rule.name, event, actions: outcomes },
          })
          .flush(manager, this.outbox);
      });
      fired += 1;
    }
    if (event === 'conversation.created' && chain.length === 0) {
      // Routing follows the rules: auto-assignment sees the team, priority and labels they set. No
      // row changes here, so no outbox: if the add fails, this job fails and is retried.
      await this.queues.add(assignConversationJob(workspaceId, conversationId));
    }
    if (fired) this.relay.kick();
    return fired;
  }

  private enabledRules(workspaceId: string): Promise<RuleRow[]> {
    return this.enabled.get(workspaceId, () =>
      this.tx.manager.query<RuleRow[]>(
        `SELECT * FROM automation_rules WHERE workspace_id = $1 AND enabled ORDER BY position, created_at`,
        [workspaceId],
      ),
    );
  }

  private async apply(
    workspaceId: string,
    conversationId: string,
    actor: Actor,
    action: RuleAction,
  ): Promise<void> {
    switch (action.type) {
      case 'assign_team':
        await this.conversations.assign(workspaceId, actor, conversationId, { teamId: action.teamId });
        return;
      case 'assign_agent':
        await this.conversations.assign(workspaceId, actor, conversationId, { assigneeId: action.userId });
        return;
      case 'set_priority':
        await this.conversations.setPriority(
          workspaceId,
          actor,
          conversationId,
          action.priority as Parameters<ConversationsService['setPriority']>[3],
        );
        return;
      case 'add_label': {
        const labels = await this.repository.labelsOf(workspaceId, conversationId);
        if (!labels.includes(action.label))
          await this.conversations.setLabels(workspaceId, actor, conversationId, [...labels, action.label]);
        return;
      }
      case 'send_canned_reply': {
        const canned = await this.catalog.getCanned(workspaceId, action.cannedResponseId);
        await this.conversations.reply(workspaceId, actor, conversationId, { body: canned.content });
        return;
      }
      case 'auto_acknowledge': {
        if (await this.acknowledgedThisCycle(workspaceId, conversationId)) return;
        const canned = await this.catalog.getCanned(workspaceId, action.cannedResponseId);
        await this.conversations.reply(workspaceId, actor, conversationId, {
          body: canned.content,
          metadata: { autoAcknowledgement: true },
        });
        return;
      }
      case 'escalate':
        await this.conversations.escalate(workspaceId, actor, conversationId, {
          teamId: action.teamId,
          reason: action.reason ?? null,
        });
        return;
      case 'add_note':
        await this.conversations.addNote(workspaceId, actor, conversationId, action.body);
        return;
      case 'snooze':
        await this.conversations.snooze(
          workspaceId,
          actor,
          conversationId,
          new Date(Date.now() + action.minutes * 60_000),
        );
        return;
      case 'resolve':
        await this.conversations.resolve(workspaceId, actor, conversationId);
        return;
    }
  }

  /** An acknowledgement went out since the conversation last opened or reopened. */
  private async acknowledgedThisCycle(workspaceId: string, conversationId: string): Promise<boolean> {
    const rows: unknown[] = await this.tx.manager.query(
      `SELECT 1 FROM messages m
        WHERE m.workspace_id = $1 AND m.conversation_id = $2 AND m.metadata->>'autoAcknowledgement' = 'true'
          AND m.created_at >= coalesce((SELECT max(e.occurred_at) FROM conversation_events e
                                         WHERE e.conversation_id = $2 AND e.type IN ('opened', 'reopened')), '-infinity')
        LIMIT 1`,
      [workspaceId, conversationId],
    );
    return rows.length > 0;
  }

  private async facts(
    workspaceId: string,
    conversationId: string,
    messageId: string | null,
  ): Promise<RuleFacts | null> {
    const conversation = await this.repository.findById(workspaceId, conversationId);
    if (!conversation) return null;
    const [contact, message, labels, open] = await Promise.all([
      this.tx.manager.findOne(Contact, { where: { workspaceId, id: conversation.contactId } }),
      messageId ? this.tx.manager.findOne(Message, { where: { workspaceId, id: messageId } }) : null,
      this.repository.labelsOf(workspaceId, conversationId),
      this.businessHours.isOpen(workspaceId, {
        inboxId: conversation.replyInboxId,
        teamId: conversation.teamId,
      }),
    ]);
    return {
      channel: conversation.lastChannel,
      inbox_id: conversation.replyInboxId,
      team_id: conversation.teamId,
      priority: priorityName(conversation.priority),
      status: conversation.status,
      business_hours: open === null ? null : open ? 'open' : 'closed',
      labels,
      message: message ? { body: message.body } : null,
      contact: {
        name: contact?.name ?? null,
        email: contact?.email ?? null,
        phone: contact?.phone ?? null,
        attributes: contact?.attributes ?? {},
      },
    };
  }
}

function valid(input: unknown): RuleDefinition {
  const parsed = parseRule(input);
  if ('problems' in parsed)
    throw new InboxError(InboxErrorCode.InvalidInput, 'The rule is not valid', parsed.problems);
  return parsed.rule;
}

function view(row: RuleRow): AutomationRuleView {
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled,
    position: row.position,
    event: row.event,
    conditions: row.conditions,
    actions: row.actions,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
