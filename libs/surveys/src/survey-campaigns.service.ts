import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { TransactionRunner } from '@parley/database';
import { Effects } from '@parley/inbox';
import { OutboxRelay, OutboxRepository } from '@parley/jobs';
import type { Channel } from '@parley/realtime';
import { SurveyPoliciesService } from './survey-policies.service.js';
import { SurveyCampaign, type CampaignSegment } from './surveys.entities.js';
import { SurveysError } from './surveys.errors.js';
import { sendJob } from './surveys.service.js';

export interface CampaignInput {
  name: string;
  segment: CampaignSegment;
  ratePerMinute?: number;
}

export interface CampaignView {
  id: string;
  name: string;
  segment: CampaignSegment;
  ratePerMinute: number;
  status: SurveyCampaign['status'];
  targeted: number;
  skipped: number;
  /** Surveys of the campaign by status. */
  progress: Record<string, number>;
  createdAt: string;
}

/**
 * NPS relationship surveys to a segment of contacts, throttled per contact (`npsThrottleDays`,
 * never under 30) and sent at a bounded rate: each survey is scheduled `60 / rate` seconds after
 * the previous one, so the worker never sends faster than the campaign allows.
 */
@Injectable()
export class SurveyCampaignsService {
  constructor(
    @InjectRepository(SurveyCampaign) private readonly campaigns: Repository<SurveyCampaign>,
    private readonly tx: TransactionRunner,
    private readonly policies: SurveyPoliciesService,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
  ) {}

  async create(workspaceId: string, userId: string | null, input: CampaignInput): Promise<CampaignView> {
    const campaign = await this.tx.run(async (manager) => {
      const created = await manager.save(
        manager.create(SurveyCampaign, {
          workspaceId,
          name: input.name,
          segment: input.segment,
          ratePerMinute: input.ratePerMinute ?? 60,
          status: 'planning',
          targeted: 0,
          skipped: 0,
          createdBy: userId,
        }),
      );
      await new Effects(workspaceId)
        .job({
          name: 'surveys.campaign',
          data: { workspaceId, campaignId: created.id },
          jobId: `campaign-${created.id}`,
        })
        .flush(manager, this.outbox);
      return created;
    });
    this.relay.kick();
    return this.view(campaign, {});
  }

  async list(workspaceId: string): Promise<CampaignView[]> {
    const campaigns = await this.campaigns.find({ where: { workspaceId }, order: { createdAt: 'DESC' } });
    const progress = await this.progress(campaigns.map((campaign) => campaign.id));
    return campaigns.map((campaign) => this.view(campaign, progress.get(campaign.id) ?? {}));
  }

  async get(workspaceId: string, id: string): Promise<CampaignView> {
    const campaign = await this.campaigns.findOne({ where: { workspaceId, id } });
    if (!campaign) throw SurveysError.notFound('Campaign');
    return this.view(campaign, (await this.progress([id])).get(id) ?? {});
  }

  /** `surveys.campaign`: one statement picks and schedules the contacts; their send jobs go through the outbox. */
  async plan(workspaceId: string, campaignId: string): Promise<void> {
    const policy = await this.policies.effective(null, workspaceId, null);
    await this.tx.run(async (manager) => {
      const [campaign] = await manager
        .createQueryBuilder(SurveyCampaign, 'c')
        .setLock('pessimistic_write')
        .where('c.workspace_id = :workspaceId AND c.id = :campaignId', { workspaceId, campaignId })
        .getMany();
      if (!campaign || campaign.status !== 'planning') return;
      const channels: Channel[] = campaign.segment.channels ?? [];
      const spacingMs = Math.ceil(60_000 / campaign.ratePerMinute);
      const rows: Array<{ id: string; delay_ms: string; eligible: string; targets: string }> =
        await manager.query(
          `WITH targets AS (
           SELECT DISTINCT ON (c.contact_id) c.contact_id, c.last_channel
             FROM conversations c
            WHERE c.workspace_id = $1 AND c.merged_into_id IS NULL AND c.status = 'resolved'
              AND c.resolved_at >= now() - $2 * interval '1 day'
            ORDER BY c.contact_id, c.resolved_at DESC
         ), segment AS (
           SELECT t.contact_id, k.consent, k.erased_at FROM targets t
             JOIN contacts k ON k.id = t.contact_id AND k.merged_into_id IS NULL
            WHERE cardinality($3::text[]) = 0 OR t.last_channel = ANY($3::text[])
         ), eligible AS (
           SELECT s.contact_id, row_number() OVER (ORDER BY s.contact_id) - 1 AS n FROM segment s
            WHERE s.erased_at IS NULL AND (s.consent->'surveys') IS DISTINCT FROM 'false'::jsonb
              AND NOT EXISTS (SELECT 1 FROM surveys p WHERE p.workspace_id = $1 AND p.contact_id = s.contact_id
                                 AND p.kind = 'nps' AND p.status IN ('scheduled', 'sent', 'answered', 'expired')
                                 AND coalesce(p.sent_at, p.scheduled_for) > now() - $4 * interval '1 day')
         ), inserted AS (
           INSERT INTO surveys (id, workspace_id, kind, contact_id, campaign_id, group_id, status, locale, scheduled_for)
           SELECT x.id, $1, 'nps', x.contact_id, $5, x.id, 'scheduled', $6, now() + x.n * $7 * interval '1 millisecond'
             FROM (SELECT gen_random_uuid() AS id, e.* FROM eligible e) x
           ON CONFLICT DO NOTHING
           RETURNING id, (extract(epoch FROM scheduled_for - now()) * 1000)::bigint AS delay_ms
         )
         SELECT i.id, i.delay_ms, (SELECT count(*) FROM segment) AS targets, (SELECT count(*) FROM eligible) AS eligible
           FROM inserted i`,
          [
            workspaceId,
            campaign.segment.resolvedWithinDays,
            channels,
            policy.npsThrottleDays,
            campaign.id,
            policy.defaultLocale,
            spacingMs,
          ],
        );
      const effects = new Effects(workspaceId);
      for (const row of rows) effects.job(sendJob(workspaceId, row.id, Math.max(0, Number(row.delay_ms))));
      const targets = rows.length ? Number(rows[0].targets) : await this.segmentSize(manager, workspaceId, campaign);
      campaign.status = 'running';
      campaign.targeted = rows.length;
      campaign.skipped = Math.max(0, targets - rows.length);
      await manager.save(campaign);
      await effects.flush(manager, this.outbox);
    });
    this.relay.kick();
  }

  private async segmentSize(
    manager: EntityManager,
    workspaceId: string,
    campaign: SurveyCampaign,
  ): Promise<number> {
    const rows: Array<{ n: string }> = await manager.query(
      `SELECT count(DISTINCT c.contact_id) AS n FROM conversations c
        WHERE c.workspace_id = $1 AND c.merged_into_id IS NULL AND c.status = 'resolved'
          AND c.resolved_at >= now() - $2 * interval '1 day'
          AND (cardinality($3::text[]) = 0 OR c.last_channel = ANY($3::text[]))`,
      [workspaceId, campaign.segment.resolvedWithinDays, campaign.segment.channels ?? []],
    );
    return Number(rows[0]?.n ?? 0);
  }

  private async progress(ids: string[]): Promise<Map<string, Record<string, number>>> {
    const result = new Map<string, Record<string, number>>();
    if (!ids.length) return result;
    const rows: Array<{ campaign_id: string; status: string; n: string }> = await this.campaigns.query(
      `SELECT campaign_id, status, count(*) AS n FROM surveys WHERE campaign_id = ANY($1) GROUP BY 1, 2`,
      [ids],
    );
    for (const row of rows) {
      result.set(row.campaign_id, { ...result.get(row.campaign_id), [row.status]: Number(row.n) });
    }
    return result;
  }

  private view(campaign: SurveyCampaign, progress: Record<string, number>): CampaignView {
    const pending = (progress.scheduled ?? 0) > 0;
    return {
      id: campaign.id,
      name: campaign.name,
      segment: campaign.segment,
      ratePerMinute: campaign.ratePerMinute,
      status: campaign.status === 'running' && !pending ? 'done' : campaign.status,
      targeted: campaign.targeted,
      skipped: campaign.skipped,
      progress,
      createdAt: campaign.createdAt.toISOString(),
    };
  }
}
