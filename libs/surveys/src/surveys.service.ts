import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { WorkspacesService } from '@parley/accounts';
import { AppConfig } from '@parley/config';
import { TrackedRow, TransactionRunner } from '@parley/database';
import {
  ContactsService,
  ConversationHookRegistry,
  ConversationsService,
  Effects,
  InboxError,
  InboxErrorCode,
  SYSTEM,
  type Actor,
  type Contact,
  type ConversationChange,
  type ConversationHooks,
  type InboundCandidate,
  type InboundClaim,
} from '@parley/inbox';
import { JobQueues, OutboxRelay, OutboxRepository, type JobRequest } from '@parley/jobs';
import { rooms, type Channel, type SurveyAnswerEvent } from '@parley/realtime';
import { SurveyPoliciesService } from './survey-policies.service.js';
import {
  isLowScore,
  renderQuestion,
  replyHint,
  SCALES,
  wordingFor,
  type SurveyPolicy,
  type SurveyQuestion,
  localeOf,
} from './survey-policy.js';
import {
  parseQuickReply,
  parseScoreReply,
  quickReplyPayload,
  signSurveyToken,
  verifySurveyToken,
  UUID,
} from './survey-reply.js';
import { Survey, SurveyExclusion } from './surveys.entities.js';
import { SurveysError, SurveysErrorCode } from './surveys.errors.js';
import { SurveysRepository } from './surveys.repository.js';

const DAY_MS = 86_400_000;
/** A `scheduled` row this late has lost its job; the sweeper enqueues it again. */
const OVERDUE_MS = 2 * 60_000;

export function sendJob(workspaceId: string, surveyId: string, delayMs = 0): JobRequest<'surveys.send'> {
  return { name: 'surveys.send', data: { workspaceId, surveyId }, jobId: surveyId, delayMs };
}

/** Another run handled the survey between the checks and the send: nothing to do. */
class AlreadyHandled extends Error {}
/** The conversation changed under the send (reopened, merged): the survey no longer applies. */
class NoLongerApplies extends Error {}

export interface PublicSurveyView {
  company: string;
  locale: string;
  expired: boolean;
  expiresAt: string | null;
  questions: Array<SurveyQuestion & { surveyId: string; score: number | null }>;
  comment: string | null;
  answeredAt: string | null;
}

/** Why a contact must not be surveyed (consent `surveys: false`; null: erased or merged away), or null. */
function consentProblem(contact: Pick<Contact, 'consent'> | null): string | null {
  if (!contact) return 'consent: the contact was erased or merged away';
  return contact.consent.surveys === false ? 'consent: the contact does not want surveys' : null;
}

/**
 * Interaction surveys end to end: scheduled in the resolve's transaction, cancelled by a reopen,
 * re-checked and recorded before the message goes out, answered in the channel or on the page.
 */
@Injectable()
export class SurveysService implements ConversationHooks, OnModuleInit {
  private readonly logger = new Logger(SurveysService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly repository: SurveysRepository,
    private readonly policies: SurveyPoliciesService,
    private readonly conversations: ConversationsService,
    private readonly contacts: ContactsService,
    private readonly workspaces: WorkspacesService,
    private readonly hooks: ConversationHookRegistry,
    private readonly config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly queues: JobQueues,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  // ── Hooks, inside the inbox's transactions ─────────────────────────────────────────────

  /** Resolve → one row per question, `scheduled` (or `skipped` with the reason), and the delayed job. */
  async resolved({ manager, conversation, actor, effects }: ConversationChange): Promise<void> {
    const policy = await this.policies.effective(
      manager,
      conversation.workspaceId,
      conversation.replyInboxId,
    );
    if (!policy.enabled || !conversation.resolvedAt) return;
    const reason = await this.skipReason(manager, conversation, actor, policy);
    const groupId = randomUUID();
    const scheduledFor = new Date(conversation.resolvedAt.getTime() + policy.delayMinutes * 60_000);
    await manager
      .createQueryBuilder()
      .insert()
      .into(Survey)
      .values(
        policy.kinds.map((kind, index) => ({
          id: index === 0 ? groupId : randomUUID(),
          workspaceId: conversation.workspaceId,
          kind,
          contactId: conversation.contactId,
          conversationId: conversation.id,
          campaignId: null,
          cycleResolvedAt: conversation.resolvedAt,
          groupId,
          position: index + 1,
          status: reason ? ('skipped' as const) : ('scheduled' as const),
          statusReason: reason,
          locale: policy.defaultLocale,
          scheduledFor,
        })),
      )
      .orIgnore()
      .execute();
    if (!reason) effects.job(sendJob(conversation.workspaceId, groupId, policy.delayMinutes * 60_000));
  }

  async reopened({ manager, conversation }: ConversationChange): Promise<void> {
    await this.repository.cancelScheduled(manager, conversation.id, 'the conversation was reopened');
  }

  /**
   * A chat reply to a sent survey: a score (button, quick reply or a bare number) answers it; a
   * comment answers the comment question; any other text cancels the survey and is threaded as usual.
   */
  async claimInbound(candidate: InboundCandidate): Promise<InboundClaim | null> {
    const { manager, workspaceId, contactId, inbox, now } = candidate;
    // A brand-new contact was never sent a survey; email answers come by link, not by reply.
    if (candidate.newContact || inbox.channel === 'email') return null;
    // Almost every customer message has no survey out: one indexed lookup, then threading as usual.
    if (!(await this.repository.hasOpenSurvey(manager, workspaceId, contactId))) return null;
    const button = parseQuickReply(candidate.metadata.quickReply);
    // A widget button names its survey; anything that is not a survey id is just message metadata.
    const widgetSurveyId = candidate.metadata.surveyId;
    const buttonSurveyId =
      button?.surveyId ??
      (typeof widgetSurveyId === 'string' && UUID.test(widgetSurveyId) ? widgetSurveyId : null);
    let survey = await this.repository.awaitingAnswer(manager, workspaceId, contactId, inbox.channel, now);
    if (buttonSurveyId && survey?.id !== buttonSurveyId) {
      const pressed = await this.repository.find(workspaceId, buttonSurveyId, manager);
      survey =
        pressed &&
        pressed.contactId === contactId &&
        pressed.status === 'sent' &&
        (pressed.expiresAt ?? now) > now
          ? pressed
          : null;
    }
    // Lock order as everywhere else (postAutomated): the conversation, then the survey row.
    const locked = survey && (await this.lockInOrder(manager, survey));
    if (locked && locked.survey.status === 'sent') {
      survey = locked.survey;
      const answer = button
        ? SCALES[survey.kind].min <= button.score && button.score <= SCALES[survey.kind].max
          ? { score: button.score, comment: null }
          : null
        : parseScoreReply(survey.kind, candidate.body);
      if (!answer) {
        await this.cancelGroup(manager, candidate.effects, survey, 'the customer wrote something else');
        return null;
      }
      await this.recordAnswer(
        manager,
        candidate.effects,
        survey,
        answer.score,
        answer.comment,
        candidate.messageId,
      );
      return {
        conversationId: locked.conversationId,
        metadata: { surveyId: survey.id, score: answer.score },
      };
    }
    const policy = await this.policies.effective(manager, workspaceId, inbox.id);
    const since = new Date(now.getTime() - policy.commentWindowMinutes * 60_000);
    const commented = await this.repository.awaitingComment(
      manager,
      workspaceId,
      contactId,
      inbox.channel,
      since,
    );
    if (!commented || !candidate.body.trim()) return null;
    const held = await this.lockInOrder(manager, commented);
    if (!held || held.survey.comment !== null) return null;
    held.survey.comment = candidate.body.trim().slice(0, 2000);
    await manager.save(held.survey);
    this.announce(
      candidate.effects,
      held.survey,
      { type: 'contact', id: contactId },
      candidate.messageId,
      true,
    );
    return { conversationId: held.conversationId, metadata: { surveyId: held.survey.id, comment: true } };
  }

  /**
   * Locks the survey's conversation, then re-reads the survey locked: the order every sender uses
   * (postAutomated locks the conversation first), so an answer and a send never deadlock.
   */
  private async lockInOrder(
    manager: EntityManager,
    survey: Survey,
  ): Promise<{ survey: Survey; conversationId: string } | null> {
    const conversationId = await this.conversationOf(survey, manager);
    if (!conversationId) return null;
    await this.repository.lockConversation(manager, conversationId);
    const [fresh] = await this.repository.lock(manager, survey.workspaceId, [survey.id]);
    return fresh ? { survey: fresh, conversationId } : null;
  }

  // ── Jobs ───────────────────────────────────────────────────────────────────────────────

  /** `surveys.send`: re-check everything, record the send with the message, let delivery deliver it. */
  async send(workspaceId: string, surveyId: string): Promise<void> {
    const { rows, excluded } = await this.repository.groupOf(workspaceId, surveyId);
    const survey = rows.find((row) => row.id === surveyId);
    if (!survey || survey.status !== 'scheduled') return;
    const conversationId =
      survey.conversationId ?? (await this.repository.latestConversationOf(workspaceId, survey.contactId));
    if (!conversationId) {
      await this.repository.close(
        workspaceId,
        [survey.id],
        'skipped',
        'the contact has no conversation to send it in',
      );
      return;
    }
    // Consent can be withdrawn between the resolve and the send.
    const contact = await this.liveContact(workspaceId, survey.contactId);
    const consentReason = consentProblem(contact);
    if (consentReason) {
      await this.repository.close(workspaceId, [survey.id], 'skipped', consentReason);
      return;
    }
    if (excluded) {
      await this.repository.close(
        workspaceId,
        [survey.id],
        'cancelled',
        'an agent chose not to survey this conversation',
      );
      return;
    }
    const option = await this.conversations.replyOption(workspaceId, conversationId);
    if (!option?.available) {
      await this.repository.close(
        workspaceId,
        [survey.id],
        'skipped',
        option?.reason ?? 'the customer cannot be reached where they wrote last',
      );
      return;
    }
    const policy = await this.policies.effective(null, workspaceId, option.inboxId);
    if (survey.kind === 'nps') {
      const last = await this.repository.lastSurveyed(
        this.repository.manager,
        workspaceId,
        survey.contactId,
        ['nps'],
        survey.groupId,
      );
      if (last && last.getTime() > Date.now() - policy.npsThrottleDays * DAY_MS) {
        await this.repository.close(
          workspaceId,
          [survey.id],
          'skipped',
          `an NPS survey went to this contact on ${last.toISOString().slice(0, 10)}`,
        );
        return;
      }
    }
    // In a chat the next question follows an answer to the previous one (the answer enqueues it).
    const previous = rows.find((row) => row.position === survey.position - 1);
    if (previous && previous.status !== 'answered') return;
    const group = rows.filter((row) => row.status === 'scheduled');
    // Email asks every question of the sequence on one page; chat channels ask one at a time.
    const batch = option.channel === 'email' ? group : [survey];
    const locale = localeOf(contact?.attributes.locale) ?? policy.defaultLocale;
    const company = (await this.workspaces.get(workspaceId)).name;
    const words = wordingFor(policy, locale);
    const questions = batch.map((row) => ({ row, question: renderQuestion(words, row.kind, company) }));
    const message = this.compose(
      option.channel,
      survey,
      questions[0].question,
      words.replyHint ? replyHint(words, questions[0].question) : '',
      words.linkHint,
    );
    try {
      await this.conversations.postAutomated(
        workspaceId,
        conversationId,
        { kind: 'survey', body: message.body, inboxId: option.inboxId, metadata: message.metadata },
        async ({ manager, conversation, effects, message: sent }) => {
          const locked = await this.repository.lockScheduled(
            manager,
            batch.map((row) => row.id),
          );
          if (locked.length !== batch.length) throw new AlreadyHandled();
          if (
            survey.kind !== 'nps' &&
            (conversation.status !== 'resolved' ||
              conversation.mergedIntoId ||
              conversation.resolvedAt?.getTime() !== survey.cycleResolvedAt?.getTime())
          )
            throw new NoLongerApplies();
          const now = new Date();
          const tracked = locked.map((row) => new TrackedRow(manager, Survey, row));
          for (const row of locked) {
            Object.assign(row, {
              status: 'sent',
              sentAt: now,
              expiresAt: new Date(now.getTime() + policy.expiryDays * DAY_MS),
              channel: sent.channel,
              inboxId: sent.inboxId,
              messageId: sent.id,
              agentId: conversation.assigneeId,
              teamId: conversation.teamId,
              locale,
            });
          }
          for (const row of tracked) await row.write();
          if (survey.kind !== 'nps') {
            effects.event(conversation, 'survey_sent', SYSTEM, {
              channel: sent.channel,
              inboxId: sent.inboxId,
              messageId: sent.id,
              data: { surveyIds: locked.map((row) => row.id), kinds: locked.map((row) => row.kind) },
            });
          }
        },
      );
    } catch (error) {
      if (error instanceof AlreadyHandled) return;
      if (error instanceof NoLongerApplies) {
        await this.repository.close(
          workspaceId,
          batch.map((row) => row.id),
          'cancelled',
          'the conversation was reopened',
        );
        return;
      }
      if (error instanceof InboxError && error.code === InboxErrorCode.Unreachable) {
        await this.repository.close(
          workspaceId,
          batch.map((row) => row.id),
          'skipped',
          error.message,
        );
        return;
      }
      throw error;
    }
  }

  /** `surveys.follow_up`: after the last score on a chat channel, ask for a comment or say thanks (once). */
  async followUp(workspaceId: string, surveyId: string): Promise<void> {
    const survey = await this.repository.find(workspaceId, surveyId);
    if (!survey || survey.status !== 'answered' || survey.followUp || !survey.channel) return;
    const policy = await this.policies.effective(null, workspaceId, survey.inboxId);
    const words = wordingFor(policy, survey.locale);
    const kind = policy.askComment && !survey.comment ? 'comment' : 'thanks';
    const conversationId = await this.conversationOf(survey);
    if (!conversationId) return;
    await this.postOnce(
      workspaceId,
      conversationId,
      survey,
      {
        kind: 'survey',
        body: kind === 'comment' ? words.comment : words.thanks,
        inboxId: survey.inboxId,
        metadata: { surveyFollowUp: kind, surveyId: survey.id },
      },
      (row) => {
        if (row.followUp) return false;
        row.followUp = kind;
        row.followUpAt = new Date();
        return true;
      },
    );
  }

  /** `surveys.alert`: a low score becomes a note on the conversation (the live alert went out with the answer). */
  async alert(workspaceId: string, surveyId: string): Promise<void> {
    const survey = await this.repository.find(workspaceId, surveyId);
    if (!survey?.conversationId || survey.alertedAt || survey.score === null) return;
    const { max } = SCALES[survey.kind];
    const body =
      `Low ${survey.kind.toUpperCase()} score: ${survey.score}/${max}` +
      (survey.comment ? ` — “${survey.comment}”` : '') +
      '. The customer was not contacted again automatically; consider following up.';
    await this.postOnce(
      workspaceId,
      survey.conversationId,
      survey,
      { kind: 'note', body, metadata: { surveyId } },
      (row) => {
        if (row.alertedAt) return false;
        row.alertedAt = new Date();
        return true;
      },
    );
  }

  /** `surveys.sweep`: expire unanswered surveys and re-enqueue rows whose job was lost. */
  async sweep(now = new Date()): Promise<{ expired: number; requeued: number }> {
    const expired = await this.repository.expire(now);
    const overdue = await this.repository.overdue(new Date(now.getTime() - OVERDUE_MS), 500);
    const minute = Math.floor(now.getTime() / 60_000);
    for (const row of overdue) {
      // A fresh id: the original job id may still be held by a finished or failed job. The send is idempotent.
      await this.queues.add({ ...sendJob(row.workspaceId, row.id), jobId: `${row.id}-repair-${minute}` });
    }
    if (overdue.length) this.logger.warn(`re-enqueued ${overdue.length} overdue survey(s)`);
    return { expired, requeued: overdue.length };
  }

  // ── Agents and the public page ─────────────────────────────────────────────────────────

  /** "Don't survey": also cancels what is already scheduled for the conversation. */
  async exclude(
    workspaceId: string,
    conversationId: string,
    userId: string | null,
    excluded: boolean,
  ): Promise<void> {
    await this.conversations.get(workspaceId, conversationId);
    await this.tx.run(async (manager) => {
      if (!excluded) {
        await manager.delete(SurveyExclusion, { workspaceId, conversationId });
        return;
      }
      await manager
        .createQueryBuilder()
        .insert()
        .into(SurveyExclusion)
        .values({ workspaceId, conversationId, excludedBy: userId })
        .orIgnore()
        .execute();
      await this.repository.cancelScheduled(
        manager,
        conversationId,
        'an agent chose not to survey this conversation',
      );
    });
  }

  async exclusion(workspaceId: string, conversationId: string): Promise<boolean> {
    await this.conversations.get(workspaceId, conversationId);
    return this.repository.isExcluded(conversationId);
  }

  tokenFor(groupId: string): string {
    return signSurveyToken(this.config.env.JWT_SECRET, groupId);
  }

  async view(token: string): Promise<PublicSurveyView> {
    const rows = await this.pageRows(token);
    const head = rows[0];
    const policy = await this.policies.effective(null, head.workspaceId, head.inboxId);
    const words = wordingFor(policy, head.locale);
    const company = (await this.workspaces.get(head.workspaceId)).name;
    const expiresAt = head.expiresAt;
    return {
      company,
      locale: head.locale,
      expired:
        !expiresAt || expiresAt.getTime() <= Date.now() || rows.every((row) => row.status === 'expired'),
      expiresAt: expiresAt?.toISOString() ?? null,
      questions: rows.map((row) => ({
        ...renderQuestion(words, row.kind, company),
        surveyId: row.id,
        score: row.score,
      })),
      comment: rows.map((row) => row.comment).find((comment) => comment) ?? null,
      answeredAt:
        rows
          .map((row) => row.answeredAt)
          .find((at) => at)
          ?.toISOString() ?? null,
    };
  }

  /**
   * The page's confirmed answer. The first answer counts as the response; until the link expires
   * the customer may change it. Opening the link (a GET, or a mail scanner) never answers.
   */
  async answerByToken(
    token: string,
    answers: Array<{ surveyId: string; score: number }>,
    comment: string | null,
  ): Promise<PublicSurveyView> {
    const rows = await this.pageRows(token);
    const problems = answers.flatMap((answer) => {
      const row = rows.find((r) => r.id === answer.surveyId);
      if (!row) return [`surveyId ${answer.surveyId} is not part of this survey`];
      const { min, max } = SCALES[row.kind];
      return Number.isInteger(answer.score) && answer.score >= min && answer.score <= max
        ? []
        : [`score for ${row.kind} must be an integer from ${min} to ${max}`];
    });
    if (!answers.length) problems.push('answer at least one question');
    if (problems.length) throw SurveysError.invalid('The answer is invalid', problems);
    const workspaceId = rows[0].workspaceId;
    await this.tx.run(async (manager) => {
      const locked = await this.repository.lock(
        manager,
        workspaceId,
        rows.map((row) => row.id),
      );
      const now = new Date();
      if (
        locked.some(
          (row) =>
            !row.expiresAt || row.expiresAt <= now || row.status === 'expired' || row.status === 'cancelled',
        )
      )
        throw new SurveysError(SurveysErrorCode.Gone, 'This survey has expired');
      const effects = new Effects(workspaceId);
      const answered = answers.map((answer) => locked.find((row) => row.id === answer.surveyId)!);
      for (const [index, answer] of answers.entries()) {
        const last = index === answers.length - 1;
        await this.recordAnswer(manager, effects, answered[index], answer.score, last ? comment : null, null);
      }
      await effects.flush(manager, this.outbox);
    });
    this.relay.kick();
    return this.view(token);
  }

  // ── Internals ──────────────────────────────────────────────────────────────────────────

  private async skipReason(
    manager: EntityManager,
    conversation: ConversationChange['conversation'],
    actor: Actor,
    policy: SurveyPolicy,
  ): Promise<string | null> {
    const consentReason = consentProblem(
      await this.liveContact(conversation.workspaceId, conversation.contactId, manager),
    );
    if (consentReason) return consentReason;
    if (actor.type !== 'agent' && !policy.surveyAutoResolved) return 'resolved automatically';
    const replies = await this.repository.agentRepliesThisCycle(manager, conversation.id);
    if (replies < policy.minAgentReplies)
      return `${replies} agent repl${replies === 1 ? 'y' : 'ies'} (the policy asks for ${policy.minAgentReplies})`;
    if (await this.repository.isExcluded(conversation.id, manager))
      return 'an agent chose not to survey this conversation';
    const last = await this.repository.lastSurveyed(
      manager,
      conversation.workspaceId,
      conversation.contactId,
      ['csat', 'ces'],
    );
    if (last && last.getTime() > Date.now() - policy.throttleDays * DAY_MS)
      return `the contact was surveyed on ${last.toISOString().slice(0, 10)} (throttle ${policy.throttleDays} days)`;
    return null;
  }

  /** The contact, or null when it was erased or merged away. */
  private liveContact(
    workspaceId: string,
    contactId: string,
    manager?: EntityManager,
  ): Promise<Contact | null> {
    return this.contacts.requireLive(workspaceId, contactId, manager).catch(() => null);
  }

  private compose(
    channel: Channel,
    survey: Survey,
    question: SurveyQuestion,
    hint: string,
    linkHint: string,
  ): { body: string; metadata: Record<string, unknown> } {
    const metadata: Record<string, unknown> = {
      survey: {
        surveyId: survey.id,
        kind: survey.kind,
        question: question.question,
        choices: question.choices,
      },
    };
    switch (channel) {
      case 'email': {
        const url = `${this.config.env.PUBLIC_URL}/survey/${this.tokenFor(survey.groupId)}`;
        const links = question.choices.map((choice) => {
          const label =
            choice.value === question.choices[0].value
              ? ` (${question.minLabel})`
              : choice.value === question.choices[question.choices.length - 1].value
                ? ` (${question.maxLabel})`
                : '';
          return `${choice.value}${label}: ${url}?score=${choice.value}`;
        });
        return {
          body: `${question.question}\n\n${linkHint}\n${links.join('\n')}`,
          metadata: { ...metadata, surveyUrl: url },
        };
      }
      case 'messenger':
      case 'instagram':
        return {
          body: question.question,
          metadata: {
            ...metadata,
            quickReplies: question.choices.map((choice) => ({
              title: choice.label,
              payload: quickReplyPayload(survey.id, choice.value),
            })),
          },
        };
      case 'webchat':
      case 'api':
        return { body: question.question, metadata };
      case 'sms':
      case 'whatsapp':
        return { body: `${question.question} ${hint}`, metadata };
    }
  }

  private async recordAnswer(
    manager: EntityManager,
    effects: Effects,
    survey: Survey,
    score: number,
    comment: string | null,
    messageId: string | null,
  ): Promise<void> {
    const changed = survey.status === 'answered';
    survey.status = 'answered';
    survey.score = score;
    survey.answeredAt ??= new Date();
    if (comment) survey.comment = comment.slice(0, 2000);
    await manager.save(survey);
    const customer: Actor = { type: 'contact', id: survey.contactId };
    this.announce(effects, survey, customer, messageId, false, changed);
    if (isLowScore(survey.kind, score) && !survey.alertedAt) {
      effects.job({
        name: 'surveys.alert',
        data: { workspaceId: survey.workspaceId, surveyId: survey.id },
        jobId: `survey-alert-${survey.id}`,
      });
    }
    if (messageId === null || changed) return;
    // In a chat: ask the next question of the sequence, else follow up once.
    const next = await manager.findOne(Survey, {
      where: { groupId: survey.groupId, position: survey.position + 1, status: 'scheduled' },
    });
    effects.job(
      next
        ? sendJob(survey.workspaceId, next.id)
        : {
            name: 'surveys.follow_up',
            data: { workspaceId: survey.workspaceId, surveyId: survey.id },
            jobId: `survey-follow-up-${survey.id}`,
          },
    );
  }

  private announce(
    effects: Effects,
    survey: Survey,
    actor: Actor,
    messageId: string | null,
    commentOnly: boolean,
    changed = false,
  ): void {
    const low = survey.score !== null && isLowScore(survey.kind, survey.score);
    const payload: SurveyAnswerEvent = {
      surveyId: survey.id,
      kind: survey.kind,
      score: survey.score ?? 0,
      comment: survey.comment,
      low,
      conversationId: survey.conversationId,
      contactId: survey.contactId,
      agentId: survey.agentId,
      channel: survey.channel,
    };
    if (survey.conversationId) {
      effects.event({ id: survey.conversationId }, 'survey_answered', actor, {
        channel: survey.channel,
        inboxId: survey.inboxId,
        messageId,
        data: { surveyId: survey.id, kind: survey.kind, score: survey.score, commentOnly, changed },
      });
    }
    effects.realtime('survey.answered', [rooms.workspace(survey.workspaceId)], payload);
    if (low && !commentOnly && !changed) {
      effects.realtime(
        'survey.alert',
        [rooms.supervisors(survey.workspaceId), ...(survey.agentId ? [rooms.agent(survey.agentId)] : [])],
        payload,
      );
    }
  }

  private async cancelGroup(
    manager: EntityManager,
    effects: Effects,
    survey: Survey,
    reason: string,
  ): Promise<void> {
    await this.repository.cancel(manager, { groupId: survey.groupId }, ['sent', 'scheduled'], reason);
    if (survey.conversationId) {
      effects.event({ id: survey.conversationId }, 'survey_cancelled', SYSTEM, {
        channel: survey.channel,
        data: { surveyId: survey.id, reason },
      });
    }
  }

  /** Posts a message tied to one survey row, exactly once: `claim` marks the row or says it is done. */
  private async postOnce(
    workspaceId: string,
    conversationId: string,
    survey: Survey,
    message: Parameters<ConversationsService['postAutomated']>[2],
    claim: (row: Survey) => boolean,
  ): Promise<void> {
    try {
      await this.conversations.postAutomated(workspaceId, conversationId, message, async ({ manager }) => {
        const [row] = await this.repository.lock(manager, workspaceId, [survey.id]);
        if (!row || !claim(row)) throw new AlreadyHandled();
        await manager.save(row);
      });
    } catch (error) {
      if (error instanceof AlreadyHandled) return;
      if (error instanceof InboxError && error.code === InboxErrorCode.Unreachable) {
        this.logger.warn(`survey ${survey.id}: follow-up not sent: ${error.message}`);
        return;
      }
      throw error;
    }
  }

  /** Where a survey was asked: its conversation, or for NPS the conversation its message went out in. */
  private async conversationOf(survey: Survey, manager = this.repository.manager): Promise<string | null> {
    return (
      survey.conversationId ??
      (survey.messageId ? this.repository.conversationOfMessage(manager, survey.messageId) : null)
    );
  }

  private async pageRows(token: string): Promise<Survey[]> {
    const groupId = verifySurveyToken(this.config.env.JWT_SECRET, token);
    if (!groupId) throw SurveysError.notFound('Survey');
    const rows = (
      await this.repository.manager.find(Survey, { where: { groupId }, order: { position: 'ASC' } })
    ).filter((row) => row.sentAt !== null);
    if (!rows.length) throw SurveysError.notFound('Survey');
    return rows;
  }
}
