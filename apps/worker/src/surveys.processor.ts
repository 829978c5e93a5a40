import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobQueues, type JobMap, type JobNameOf } from '@parley/jobs';
import { SurveyCampaignsService, SurveysService } from '@parley/surveys';

export const SURVEY_JOBS: ReadonlyArray<JobNameOf<'surveys'>> = [
  'surveys.send',
  'surveys.follow_up',
  'surveys.alert',
  'surveys.campaign',
  'surveys.sweep',
];

/** Once a minute across all workers: expire unanswered surveys, repair rows whose job was lost. */
const SWEEP_EVERY_MS = 60_000;

type SurveyJob = Job<JobMap['surveys.send'] & JobMap['surveys.campaign']>;

/** Sends surveys at their time, follows up answers, turns low scores into notes, plans NPS campaigns. */
@Processor('surveys', { concurrency: 16 })
export class SurveysProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly surveys: SurveysService,
    private readonly campaigns: SurveyCampaignsService,
    private readonly queues: JobQueues,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queues.schedule('surveys-sweep', 'surveys.sweep', {}, SWEEP_EVERY_MS);
  }

  async process(job: SurveyJob): Promise<unknown> {
    const name = job.name as JobNameOf<'surveys'>;
    const { workspaceId } = job.data;
    switch (name) {
      case 'surveys.send':
        return this.surveys.send(workspaceId, job.data.surveyId);
      case 'surveys.follow_up':
        return this.surveys.followUp(workspaceId, job.data.surveyId);
      case 'surveys.alert':
        return this.surveys.alert(workspaceId, job.data.surveyId);
      case 'surveys.campaign':
        return this.campaigns.plan(workspaceId, job.data.campaignId);
      case 'surveys.sweep':
        return this.surveys.sweep();
    }
  }
}
