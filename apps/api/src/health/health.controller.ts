import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { lifecycle } from '@parley/observability';
import { HealthService } from './health.service.js';
import { Public } from '../auth/auth.decorators.js';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    // Draining after SIGTERM: the proxy should stop sending new work here.
    if (lifecycle.draining)
      throw new ServiceUnavailableException({ message: 'Not ready', details: ['shutting down'] });
    const checks = await this.health.check();
    if (Object.values(checks).some((status) => status !== 'ok'))
      throw new ServiceUnavailableException({
        message: 'Not ready',
        details: Object.entries(checks).map(([k, v]) => `${k}: ${v}`),
      });
    return { status: 'ok', checks };
  }
}
