import type { TestingModule } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { RealtimePublisher } from '@parley/realtime';
import { bootDomain } from '../support/integration.js';

describe('realtime publisher when Redis goes away', () => {
  let moduleRef: TestingModule;
  let publisher: RealtimePublisher;

  beforeAll(async () => {
    moduleRef = await bootDomain();
    publisher = moduleRef.get(RealtimePublisher);
  });

  afterAll(() => moduleRef.close());

  it('survives a PUBLISH that fails after the ready check (the connection dropped in between)', async () => {
    const redis = (publisher as unknown as { redis: Redis }).redis;
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    const publish = redis.publish.bind(redis);
    let attempts = 0;
    redis.publish = () => {
      attempts += 1;
      return Promise.reject(new Error('Reached the max retries per request limit'));
    };
    try {
      publisher.publish({ event: 'message.created', rooms: ['workspace:w1'], payload: {} as never });
      publisher.publishToWidgets(['webchat:c1'], 'typing', { state: 'on', agentName: null });
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      redis.publish = publish;
      process.off('unhandledRejection', record);
    }
    expect(attempts).toBe(2);
    expect(unhandled).toEqual([]);
  });
});
