import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AssignmentService } from '@parley/inbox';
import { JobQueues, type JobMap, type JobNameOf } from '@parley/jobs';

export const ASSIGNMENT_JOBS: ReadonlyArray<JobNameOf<'assignment'>> = [
  'assignment.run',
  'assignment.sweep',
  'assignment.requeue',
];

/** Every 30 s, once across all workers: anything left waiting gets another chance. */
const SWEEP_EVERY_MS = 30_000;

type AssignmentJob = Job<
  JobMap['assignment.run'] & JobMap['assignment.sweep'] & JobMap['assignment.requeue']
>;

/** Auto-assignment: runs per scope, sweeps per workspace (or all), and requeues after silence. */
@Processor('assignment', { concurrency: 4 })
export class AssignmentProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly assignment: AssignmentService,
    private readonly queues: JobQueues,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queues.schedule('assignment-sweep', 'assignment.sweep', { workspaceId: null }, SWEEP_EVERY_MS);
  }

  async process(job: AssignmentJob): Promise<number | boolean> {
    const name = job.name as JobNameOf<'assignment'>;
    switch (name) {
      case 'assignment.run':
        return this.assignment.run(job.data.workspaceId, job.data.scope);
      case 'assignment.sweep': {
        const workspaces = job.data.workspaceId
          ? [job.data.workspaceId]
          : await this.assignment.workspacesWaiting();
        let total = 0;
        for (const workspaceId of workspaces) total += await this.assignment.runAll(workspaceId);
        return total;
      }
      case 'assignment.requeue':
        return this.assignment.requeue(
          job.data.workspaceId,
          job.data.conversationId,
          new Date(job.data.assignedAt),
          job.data.afterMinutes,
        );
    }
  }
}
