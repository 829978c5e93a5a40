import { Injectable } from '@nestjs/common';
import { ConfigError } from './config.errors.js';
import { envSchema, type Env } from './env.schema.js';

/** Parses and validates an environment; throws a ConfigError naming every bad variable. */
export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
}

/** The validated configuration. The only place in Parley that reads process.env. */
@Injectable()
export class AppConfig {
  readonly env: Env;

  constructor(source: NodeJS.ProcessEnv = process.env) {
    this.env = parseEnv(source);
  }

  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }

  get usesDevelopmentSecrets(): boolean {
    return !process.env.JWT_SECRET || !process.env.ENCRYPTION_KEY;
  }

  get corsOrigins(): string[] {
    return this.env.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
  }
}
