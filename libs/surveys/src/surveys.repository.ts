import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Channel } from '@parley/realtime';
import { Survey, SurveyExclusion, type SurveyStatus } from './surveys.entities.js';

/** Surveys' storage, plus the few facts it reads from the inbox's tables (a read model). */
@Injectable()
export class SurveysRepository {
  constructor(private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  find(workspaceId: string, id: string, manager = this.manager): Promise<Survey | null> {
    return manager.findOne(Survey, { where: { workspaceId, id } });
  }

  /**
   * Every survey of the group `surveyId` belongs to (a sequence of questions), by position, and
   * whether an agent chose not to survey its conversation.
   */
  async groupOf(workspaceId: string, surveyId: string): Promise<{ rows: Survey[]; excluded: boolean }> {
    const { entities, raw } = await this.manager
      .createQueryBuilder(Survey, 's')
      .addSelect(
        'EXISTS (SELECT 1 FROM survey_exclusions x WHERE x.conversation_id = s.conversation_id)',
        'excluded',
      )
      .where(
        's.workspace_id = :workspaceId AND s.group_id = (SELECT g.group_id FROM surveys g WHERE g.workspace_id = :workspaceId AND g.id = :surveyId)',
        { workspaceId, surveyId },
      )
      .orderBy('s.position', 'ASC')
      .getRawAndEntities<{ excluded: boolean }>();
    const index = entities.findIndex((row) => row.id === surveyId);
    return { rows: entities, excluded: raw[index]?.excluded === true };
  }

  /** Rows still `scheduled`, locked; fewer than asked means another run got there first. */
  async lockScheduled(manager: EntityManager, ids: string[]): Promise<Survey[]> {
    return manager
      .createQueryBuilder(Survey, 's')
      .setLock('pessimistic_write')
      .where('s.id IN (:...ids)', { ids })
      .andWhere(`s.status = 'scheduled'`)
      .getMany();
  }

  lock(manager: EntityManager, workspaceId: string, ids: string[]): Promise<Survey[]> {
    return manager
      .createQueryBuilder(Survey, 's')
      .setLock('pessimistic_write')
      .where('s.workspace_id = :workspaceId AND s.id IN (:...ids)', { workspaceId, ids })
      .orderBy('s.position', 'ASC')
      .getMany();
  }

  async close(
    workspaceId: string,
    ids: string[],
    status: Extract<SurveyStatus, 'cancelled' | 'skipped' | 'expired'>,
    reason: string,
    manager = this.manager,
  ): Promise<number> {
    const result = await manager
      .createQueryBuilder()
      .update(Survey)
      .set({ status, statusReason: reason.slice(0, 500) })
      .where(`workspace_id = :workspaceId AND id IN (:...ids) AND status = 'scheduled'`, { workspaceId, ids })
      .execute();
    return result.affected ?? 0;
  }

  /** A reopen cancels whatever this conversation still has scheduled. */
  cancelScheduled(manager: EntityManager, conversationId: string, reason: string): Promise<void> {
    return this.cancel(manager, { conversationId }, ['scheduled'], reason);
  }

  /** Cancels the surveys of a conversation or a sequence that are still in one of `statuses`. */
  async cancel(
    manager: EntityManager,
    of: { conversationId: string } | { groupId: string },
    statuses: SurveyStatus[],
    reason: string,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(Survey)
      .set({ status: 'cancelled', statusReason: reason })
      .where('conversationId' in of ? 'conversation_id = :id' : 'group_id = :id', {
        id: 'conversationId' in of ? of.conversationId : of.groupId,
      })
      .andWhere('status IN (:...statuses)', { statuses })
      .execute();
  }

  /** Agent replies in the conversation's current cycle (since its latest reopen). */
  async agentRepliesThisCycle(manager: EntityManager, conversationId: string): Promise<number> {
    const rows: Array<{ replies: string }> = await manager.query(
      `SELECT count(*) AS replies FROM conversation_events e
        WHERE e.conversation_id = $1 AND e.type = 'agent_reply'
          AND e.occurred_at >= coalesce((SELECT max(r.occurred_at) FROM conversation_events r
                                          WHERE r.conversation_id = $1 AND r.type = 'reopened'), '-infinity')`,
      [conversationId],
    );
    return Number(rows[0]?.replies ?? 0);
  }

  /** When the contact was last asked (or is about to be asked) a survey of these kinds. */
  async lastSurveyed(
    manager: EntityManager,
    workspaceId: string,
    contactId: string,
    kinds: string[],
    excludeGroupId: string | null = null,
  ): Promise<Date | null> {
    const rows: Array<{ at: Date | null }> = await manager.query(
      `SELECT max(coalesce(sent_at, scheduled_for)) AS at FROM surveys
        WHERE workspace_id = $1 AND contact_id = $2 AND kind = ANY($3)
          AND status IN ('scheduled', 'sent', 'answered', 'expired')
          AND ($4::uuid IS NULL OR group_id <> $4)`,
      [workspaceId, contactId, kinds, excludeGroupId],
    );
    return rows[0]?.at ? new Date(rows[0].at) : null;
  }

  isExcluded(conversationId: string, manager = this.manager): Promise<boolean> {
    return manager.exists(SurveyExclusion, { where: { conversationId } });
  }

  /** Whether the contact has a survey out (sent, or awaiting a comment): one indexed lookup per inbound message. */
  async hasOpenSurvey(manager: EntityManager, workspaceId: string, contactId: string): Promise<boolean> {
    const rows: Array<{ open: boolean }> = await manager.query(
      `SELECT EXISTS (SELECT 1 FROM surveys WHERE workspace_id = $1 AND contact_id = $2
                         AND (status = 'sent' OR (follow_up = 'comment' AND comment IS NULL))) AS open`,
      [workspaceId, contactId],
    );
    return rows[0]?.open === true;
  }

  /** The survey on this channel that a chat reply from the contact would answer (not locked). */
  awaitingAnswer(
    manager: EntityManager,
    workspaceId: string,
    contactId: string,
    channel: Channel,
    now: Date,
  ) {
    return this.latestOfContact(manager, { workspaceId, contactId, channel }, 'sent_at', {
      sql: `s.status = 'sent' AND s.expires_at > :now`,
      params: { now },
    });
  }

  /** A survey whose comment question went out on this channel within the window and has no comment yet. */
  awaitingComment(
    manager: EntityManager,
    workspaceId: string,
    contactId: string,
    channel: Channel,
    since: Date,
  ) {
    return this.latestOfContact(manager, { workspaceId, contactId, channel }, 'follow_up_at', {
      sql: `s.status = 'answered' AND s.comment IS NULL AND s.follow_up = 'comment' AND s.follow_up_at > :since`,
      params: { since },
    });
  }

  private latestOfContact(
    manager: EntityManager,
    of: { workspaceId: string; contactId: string; channel: Channel },
    newest: 'sent_at' | 'follow_up_at',
    condition: { sql: string; params: Record<string, unknown> },
  ): Promise<Survey | null> {
    return manager
      .createQueryBuilder(Survey, 's')
      .where(`s.workspace_id = :workspaceId AND s.contact_id = :contactId AND s.channel = :channel`, of)
      .andWhere(condition.sql, condition.params)
      .orderBy(`s.${newest}`, 'DESC')
      .getOne();
  }

  /** The conversation an NPS survey goes out in: the contact's latest. */
  async latestConversationOf(workspaceId: string, contactId: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.manager.query(
      `SELECT id FROM conversations WHERE workspace_id = $1 AND contact_id = $2 AND merged_into_id IS NULL
        ORDER BY last_message_at DESC LIMIT 1`,
      [workspaceId, contactId],
    );
    return rows[0]?.id ?? null;
  }

  /** Row lock on a conversation, taken before any survey row of it (the senders' order). */
  async lockConversation(manager: EntityManager, conversationId: string): Promise<void> {
    await manager.query(`SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE`, [conversationId]);
  }

  async conversationOfMessage(manager: EntityManager, messageId: string): Promise<string | null> {
    const rows: Array<{ conversation_id: string }> = await manager.query(
      `SELECT conversation_id FROM messages WHERE id = $1`,
      [messageId],
    );
    return rows[0]?.conversation_id ?? null;
  }

  /** `scheduled` rows whose job should have run: the head of a sequence, or the next after an answer. */
  async overdue(before: Date, limit: number): Promise<Array<{ id: string; workspaceId: string }>> {
    const rows: Array<{ id: string; workspace_id: string }> = await this.manager.query(
      `SELECT s.id, s.workspace_id FROM surveys s
        WHERE s.status = 'scheduled' AND s.scheduled_for < $1
          AND (s.position = 1 OR EXISTS (SELECT 1 FROM surveys p WHERE p.group_id = s.group_id
                                            AND p.position = s.position - 1 AND p.status = 'answered'))
        ORDER BY s.scheduled_for LIMIT $2`,
      [before, limit],
    );
    return rows.map((row) => ({ id: row.id, workspaceId: row.workspace_id }));
  }

  /** Sent and unanswered past their expiry → expired, with the unsent rest of their sequences. */
  async expire(now: Date): Promise<number> {
    // An UPDATE answers [rows, affected count] through TypeORM's pg driver.
    const [rows]: [Array<{ group_id: string }>, number] = await this.manager.query(
      `UPDATE surveys SET status = 'expired', status_reason = 'not answered before the link expired', updated_at = now()
        WHERE status = 'sent' AND expires_at <= $1 RETURNING group_id`,
      [now],
    );
    if (rows.length) {
      await this.manager.query(
        `UPDATE surveys SET status = 'expired', status_reason = 'an earlier question was not answered', updated_at = now()
          WHERE status = 'scheduled' AND position > 1 AND group_id = ANY($1)`,
        [rows.map((row) => row.group_id)],
      );
    }
    return rows.length;
  }
}
