import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { MembersService } from '@parley/accounts';
import { AppConfig } from '@parley/config';
import { AssignmentService } from '@parley/inbox';
import { PresenceStore } from '@parley/realtime';
import { JobQueues, type JobMap, type JobNameOf } from '@parley/jobs';

export const ASSIGNMENT_JOBS: ReadonlyArray<JobNameOf<'assignment'>> = [
  'assignment.run',
  'assignment.conversation',
  'assignment.sweep',
  'assignment.requeue',
];

/** Every 30 s, once across all workers: anything left waiting gets another chance. */
const SWEEP_EVERY_MS = 30_000;

type AssignmentJob = Job<
  JobMap['assignment.run'] &
    JobMap['assignment.conversation'] &
    JobMap['assignment.sweep'] &
    JobMap['assignment.requeue']
>;

/** Auto-assignment: runs per scope, sweeps per workspace (or all), and requeues after silence. */
@Processor('assignment', { concurrency: 4 })
export class AssignmentProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly assignment: AssignmentService,
    private readonly queues: JobQueues,
    private readonly members: MembersService,
    private readonly presence: PresenceStore,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queues.schedule('assignment-sweep', 'assignment.sweep', { workspaceId: null }, SWEEP_EVERY_MS);
  }

  /**
   * Online members with no open socket for AGENT_IDLE_OFFLINE_MINUTES go offline (and, where the
   * policy says so, their conversations go back to the queue).
   */
  private async offlineIdleAgents(): Promise<void> {
    const cutoff = new Date(Date.now() - this.config.env.AGENT_IDLE_OFFLINE_MINUTES * 60_000);
    for (const { workspaceId, userId } of await this.members.onlineSince(cutoff)) {
      const [connected] = await this.presence.onlineUserIds(workspaceId, [userId]);
      if (connected) continue;
      await this.members.update(workspaceId, userId, { availability: 'offline' });
      await this.assignment.releaseOffline(workspaceId, userId);
    }
  }

  async process(job: AssignmentJob): Promise<number | boolean> {
    const name = job.name as JobNameOf<'assignment'>;
    switch (name) {
      case 'assignment.run':
        return this.assignment.run(job.data.workspaceId, job.data.scope);
      case 'assignment.conversation':
        return this.assignment.runForConversation(job.data.workspaceId, job.data.conversationId);
      case 'assignment.sweep': {
        if (!job.data.workspaceId) await this.offlineIdleAgents();
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
