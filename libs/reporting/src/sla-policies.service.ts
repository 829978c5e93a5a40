import { Injectable } from '@nestjs/common';
import { isUniqueViolation } from '@parley/database';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { PRIORITIES } from '@parley/inbox';
import { LocalCaches, type Channel, type LocalCache, type Priority } from '@parley/realtime';
import type { SlaTargets } from './metrics-fold.js';
import type { ConversationFacts } from './metrics.repository.js';
import { SlaPolicy } from './reporting.entities.js';
import { definedOnly } from './defined-only.js';
import { ReportingError } from './reporting.errors.js';

export interface SlaPolicyInput {
  name: string;
  position?: number;
  enabled?: boolean;
  priorities?: Priority[];
  channels?: Channel[];
  teamIds?: string[];
  inboxIds?: string[];
  firstResponseSeconds?: number | null;
  nextReplySeconds?: number | null;
  resolutionSeconds?: number | null;
  businessHours?: boolean;
  warnAt?: number;
}

export type SlaPolicyView = Omit<SlaPolicy, 'workspaceId'>;

/**
 * SLA policies: the first enabled policy (by position) whose conditions all match a conversation's
 * priority, channel, team and inbox applies; an empty condition matches everything.
 */
@Injectable()
export class SlaPoliciesService {
  /** A workspace's enabled policies in order (every metrics fold reads them). */
  private readonly enabled: LocalCache<SlaPolicy[]>;

  constructor(
    @InjectRepository(SlaPolicy) private readonly policies: Repository<SlaPolicy>,
    caches: LocalCaches,
  ) {
    this.enabled = caches.cache('sla-policies');
  }

  list(workspaceId: string): Promise<SlaPolicy[]> {
    return this.policies.find({ where: { workspaceId }, order: { position: 'ASC', createdAt: 'ASC' } });
  }

  async create(workspaceId: string, input: SlaPolicyInput): Promise<SlaPolicy> {
    this.assertTargets(input);
    const existing = await this.policies.exists({ where: { workspaceId, name: input.name } });
    if (existing) throw ReportingError.conflict(`An SLA policy named "${input.name}" exists`);
    const created = await this.policies.save(this.policies.create({ ...input, workspaceId }));
    await this.enabled.invalidate(workspaceId);
    return created;
  }

  async update(workspaceId: string, id: string, input: Partial<SlaPolicyInput>): Promise<SlaPolicy> {
    const policy = await this.policies.findOne({ where: { workspaceId, id } });
    if (!policy) throw ReportingError.notFound('SLA policy');
    const merged = Object.assign(policy, definedOnly(input));
    this.assertTargets(merged);
    let saved: SlaPolicy;
    try {
      saved = await this.policies.save(merged);
    } catch (error) {
      if (isUniqueViolation(error))
        throw ReportingError.conflict(`An SLA policy named "${merged.name}" exists`);
      throw error;
    }
    await this.enabled.invalidate(workspaceId);
    return saved;
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    const result = await this.policies.delete({ workspaceId, id });
    if (!result.affected) throw ReportingError.notFound('SLA policy');
    await this.enabled.invalidate(workspaceId);
  }

  /** The targets that apply to a conversation now, or null when no policy matches. */
  async targetsFor(
    workspaceId: string,
    facts: ConversationFacts,
    manager: EntityManager,
  ): Promise<SlaTargets | null> {
    // A miss is read through the caller's transaction (the metrics fold holds one).
    const policies = await this.enabled.get(workspaceId, () =>
      manager.find(SlaPolicy, {
        where: { workspaceId, enabled: true },
        order: { position: 'ASC', createdAt: 'ASC' },
      }),
    );
    const priority = PRIORITIES[facts.priority] ?? 'none';
    const policy = policies.find(
      (candidate) =>
        (!candidate.priorities.length || candidate.priorities.includes(priority)) &&
        (!candidate.channels.length ||
          (facts.lastChannel !== null && candidate.channels.includes(facts.lastChannel))) &&
        (!candidate.teamIds.length || (facts.teamId !== null && candidate.teamIds.includes(facts.teamId))) &&
        (!candidate.inboxIds.length ||
          (facts.replyInboxId !== null && candidate.inboxIds.includes(facts.replyInboxId))),
    );
    if (!policy) return null;
    return {
      policyId: policy.id,
      firstResponseSeconds: policy.firstResponseSeconds,
      nextReplySeconds: policy.nextReplySeconds,
      resolutionSeconds: policy.resolutionSeconds,
      businessHours: policy.businessHours,
      warnAt: policy.warnAt,
    };
  }

  private assertTargets(input: Partial<SlaPolicyInput>): void {
    if (!input.firstResponseSeconds && !input.nextReplySeconds && !input.resolutionSeconds) {
      throw ReportingError.invalid('An SLA policy needs at least one target');
    }
  }
}
