import { z } from 'zod';

const DEV_JWT_SECRET = 'parley-dev-only-jwt-secret-change-me-0123456789';
// 32 bytes, base64. Only used outside production so `npm run demo` works with no .env file.
const DEV_ENCRYPTION_KEY = 'cGFybGV5LWRldi1vbmx5LWVuY3J5cHRpb24ta2V5ISE=';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL with protocol ${protocols.join(' or ')}`,
  );

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    PORT: port.default(3000),
    PUBLIC_URL: url(['http:', 'https:']).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']).default('log'),
    // Unset: JSON lines in production, human-readable lines elsewhere.
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
    // How long a SIGTERM waits for in-flight requests, sockets and jobs before forcing the exit.
    SHUTDOWN_TIMEOUT_MS: positiveInt.default(25_000),
    DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/parley'),
    DATABASE_POOL_SIZE: positiveInt.default(10),
    // How long a query waits for a free pooled connection before failing: under a burst the pool
    // queues requests (a CPU-starved api answered 500 `timeout exceeded when trying to connect` at 5 s).
    DATABASE_POOL_ACQUIRE_TIMEOUT_MS: positiveInt.default(30_000),
    REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9:_-]+$/, 'only letters, digits, ":", "_" and "-"')
      .default('parley'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_TTL_SECONDS: positiveInt.default(12 * 3600),
    ENCRYPTION_KEY: z
      .string()
      .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
      .optional(),
    // Keys that sealed older values (comma list, base64): still read, never used to seal (docs/operations.md).
    ENCRYPTION_KEYS_PREVIOUS: z
      .string()
      .default('')
      .refine(
        (value) =>
          value
            .split(',')
            .map((key) => key.trim())
            .filter(Boolean)
            .every((key) => Buffer.from(key, 'base64').length === 32),
        'must be a comma list of 32-byte base64 keys',
      ),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'a size such as 512kb or 1mb')
      .default('1mb'),
    CORS_ORIGINS: z.string().default(''),
    // The built agent web app (`npm run build:web`), served at `/`; relative paths start at the working directory.
    WEB_DIR: z.string().min(1).default('dist/web'),
    TRUST_PROXY: z
      .string()
      .regex(
        /^(false|true|\d+|[\d.:/a-f, ]+|loopback|linklocal|uniquelocal)$/i,
        'false, true, a hop count, or addresses',
      )
      .default('false'),
    SEED_WORKSPACE_NAME: z.string().min(1).default('Parley Demo'),
    SEED_ADMIN_EMAIL: z.email().default('admin@parley.local'),
    SEED_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').default('parley-admin'),
    OUTBOX_SWEEP_MS: positiveInt.default(2000),
    DELIVERY_ATTEMPTS: positiveInt.default(8),
    DELIVERY_BACKOFF_MS: positiveInt.default(2000),
    OUTBOUND_WEBHOOK_TIMEOUT_MS: positiveInt.default(10000),
    TWILIO_API_BASE_URL: url(['http:', 'https:']).default('https://api.twilio.com'),
    ATTACHMENTS_DIR: z.string().min(1).default('./var/attachments'),
    MEDIA_MAX_BYTES: positiveInt.default(10 * 1024 * 1024),
    WHATSAPP_WINDOW_HOURS: positiveInt.default(24),
    AGENT_IDLE_OFFLINE_MINUTES: positiveInt.default(15),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    WORKER_METRICS_PORT: port.default(9464),
    META_GRAPH_BASE_URL: url(['http:', 'https:']).default('https://graph.facebook.com'),
    META_GRAPH_VERSION: z
      .string()
      .regex(/^v\d+\.\d+$/, 'a Graph API version such as v25.0')
      .default('v25.0'),
    LOGIN_RATE_LIMIT_PER_MINUTE: positiveInt.default(20),
    INGEST_RATE_LIMIT_PER_MINUTE: positiveInt.default(6000),
    // Group commit: inbound messages that arrive while earlier ones are being written are stored
    // together, up to this many in one transaction (1: every message in its own).
    INGEST_BATCH_MAX: positiveInt.default(32),
    PUBLIC_SURVEY_RATE_LIMIT_PER_MINUTE: positiveInt.default(60),
    // Per-account lockout (any IP): this many failed sign-ins within the window lock the email for a while.
    LOGIN_LOCKOUT_ATTEMPTS: positiveInt.default(10),
    LOGIN_LOCKOUT_WINDOW_SECONDS: positiveInt.default(15 * 60),
    LOGIN_LOCKOUT_SECONDS: positiveInt.default(15 * 60),
    // Provider webhooks arrive in bursts from a few provider IPs: generous per-IP limits.
    WEBHOOK_RATE_LIMIT_PER_MINUTE: positiveInt.default(12_000),
    WIDGET_HTTP_RATE_LIMIT_PER_MINUTE: positiveInt.default(300),
    WIDGET_SESSION_RATE_LIMIT_PER_MINUTE: positiveInt.default(30),
    WIDGET_MESSAGE_RATE_LIMIT_PER_MINUTE: positiveInt.default(60),
    WIDGET_MAX_MESSAGE_LENGTH: positiveInt.default(5000),
    // Email (docs/channels/email.md): the largest raw message accepted by IMAP or the MIME webhook.
    EMAIL_MAX_BYTES: positiveInt.default(25 * 1024 * 1024),
    EMAIL_IMAP_POLL_MS: positiveInt.default(60_000),
    EMAIL_IMAP_RECONCILE_MS: positiveInt.default(30_000),
    EMAIL_IMAP_BACKFILL_DAYS: z.coerce.number().int().min(0).max(365).default(7),
    EMAIL_IMAP_MAX_BACKOFF_MS: positiveInt.default(5 * 60_000),
    EMAIL_WEBHOOK_MAX_AGE_SECONDS: positiveInt.default(300),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    for (const key of ['JWT_SECRET', 'ENCRYPTION_KEY', 'PUBLIC_URL'] as const) {
      if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required in production' });
    }
  })
  .transform((env) => ({
    ...env,
    // No trailing slash: URLs are built as PUBLIC_URL + path, and providers sign the exact URL.
    PUBLIC_URL: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    LOG_FORMAT: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
    JWT_SECRET: env.JWT_SECRET ?? DEV_JWT_SECRET,
    ENCRYPTION_KEY: env.ENCRYPTION_KEY ?? DEV_ENCRYPTION_KEY,
  }));

export type Env = z.output<typeof envSchema>;
