import { Redis } from 'ioredis';

/** Fails fast, naming the variable, when Redis cannot be reached. */
export async function assertRedisReachable(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 5000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Cannot reach Redis at REDIS_URL=${redisUrl.replace(/\/\/[^@]*@/, '//***@')}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  } finally {
    redis.disconnect();
  }
}
