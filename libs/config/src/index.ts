export { AppConfig, parseEnv } from './app-config.js';
export { ConfigError } from './config.errors.js';
export { ConfigModule } from './config.module.js';
export type { Env } from './env.schema.js';
