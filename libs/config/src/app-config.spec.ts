import { ConfigError } from './config.errors.js';
import { parseEnv } from './app-config.js';

describe('parseEnv', () => {
  it('gives working local defaults with an empty environment', () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/parley');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.PUBLIC_URL).toBe('http://localhost:3000');
  });

  it('names every invalid variable', () => {
    try {
      parseEnv({ PORT: 'abc', DATABASE_URL: 'mysql://x', ENCRYPTION_KEY: 'short' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain('PORT');
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('ENCRYPTION_KEY: must be 32 bytes');
    }
  });

  it('requires real secrets in production', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: is required in production/);
  });
});
