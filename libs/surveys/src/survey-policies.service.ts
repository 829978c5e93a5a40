import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type EntityManager, type Repository } from 'typeorm';
import { InboxesService } from '@parley/inbox';
import { LocalCaches, type LocalCache } from '@parley/realtime';
import {
  effectivePolicy,
  policyProblems,
  type SurveyPolicy,
  type SurveyPolicyOverride,
} from './survey-policy.js';
import { SurveyPolicyRow } from './surveys.entities.js';
import { SurveysError } from './surveys.errors.js';

export interface SurveyPolicyView {
  /** What applies (defaults, then the workspace policy, then the inbox's override). */
  effective: SurveyPolicy;
  /** What is stored at this level; unset fields inherit. */
  override: SurveyPolicyOverride;
}

/** The workspace's survey policy and per-inbox overrides (METRICS.md "Surveys"). */
@Injectable()
export class SurveyPoliciesService {
  /** A workspace's stored policies (its own and its inboxes'), read on every resolve and survey sent. */
  private readonly stored: LocalCache<SurveyPolicyRow[]>;

  constructor(
    @InjectRepository(SurveyPolicyRow) private readonly rows: Repository<SurveyPolicyRow>,
    private readonly inboxes: InboxesService,
    caches: LocalCaches,
  ) {
    this.stored = caches.cache('survey-policies');
  }

  /** `manager`: the caller's transaction, if it holds one (a cache miss is read through it). */
  async effective(
    manager: EntityManager | null,
    workspaceId: string,
    inboxId: string | null,
  ): Promise<SurveyPolicy> {
    const rows = await this.stored.get(workspaceId, () =>
      (manager ?? this.rows.manager).find(SurveyPolicyRow, { where: { workspaceId } }),
    );
    const workspace = rows.find((row) => row.inboxId === null)?.policy;
    const inbox = inboxId ? rows.find((row) => row.inboxId === inboxId)?.policy : undefined;
    return effectivePolicy(workspace, inbox);
  }

  async get(workspaceId: string, inboxId: string | null = null): Promise<SurveyPolicyView> {
    if (inboxId) await this.inboxes.get(workspaceId, inboxId);
    const row = await this.rows.findOne({ where: { workspaceId, inboxId: inboxId ?? IsNull() } });
    return { effective: await this.effective(null, workspaceId, inboxId), override: row?.policy ?? {} };
  }

  /** Replaces the stored policy of one level; fields left out inherit from the level above. */
  async put(
    workspaceId: string,
    inboxId: string | null,
    policy: SurveyPolicyOverride,
  ): Promise<SurveyPolicyView> {
    if (inboxId) await this.inboxes.get(workspaceId, inboxId);
    const problems = policyProblems(policy);
    if (problems.length) throw SurveysError.invalid('The survey policy is invalid', problems);
    const existing = await this.rows.findOne({ where: { workspaceId, inboxId: inboxId ?? IsNull() } });
    await this.rows.save({ ...(existing ?? {}), workspaceId, inboxId, policy });
    await this.stored.invalidate(workspaceId);
    return this.get(workspaceId, inboxId);
  }

  /** An inbox goes back to the workspace policy. */
  async clear(workspaceId: string, inboxId: string): Promise<void> {
    await this.inboxes.get(workspaceId, inboxId);
    await this.rows.delete({ workspaceId, inboxId });
    await this.stored.invalidate(workspaceId);
  }
}
