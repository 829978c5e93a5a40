import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { WebchatContinuityService } from '@parley/inbox';

const SWEEP_MS = 60_000;

/**
 * Runs the continuity-by-email sweep once a minute. Every api process may run it: each reply is
 * claimed in the database before it is emailed, so none goes out twice.
 */
@Injectable()
export class WidgetContinuityTimer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WidgetContinuityTimer.name);
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;

  constructor(private readonly continuity: WebchatContinuityService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.continuity.sendDue();
    } catch (error) {
      this.logger.warn(`continuity sweep failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
