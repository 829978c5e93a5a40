/** Command-line flags and environment of the bench (bench/ may read process.env; see docs/benchmarks.md). */
export interface BenchOptions {
  scale: number;
  only: string[];
  databaseUrl: string;
  redisUrl: string;
  output: string;
}

// Realtime right after idle: its memory per connection is read while the api's heap is still quiet.
export const PARTS = ['idle', 'realtime', 'views', 'reports', 'ingest', 'surveys'] as const;
export type Part = (typeof PARTS)[number];

export function parseOptions(argv: string[]): BenchOptions {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  const scale = Number(value('--scale') ?? process.env.BENCH_SCALE ?? '1');
  if (!(scale > 0 && scale <= 10))
    throw new Error(`--scale must be a number in (0, 10], got ${value('--scale')}`);
  const only = (value('--only') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const part of only) {
    if (!(PARTS as readonly string[]).includes(part))
      throw new Error(`--only takes one or more of ${PARTS.join(', ')} (comma-separated), got ${part}`);
  }
  return {
    scale,
    only,
    databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/parley_bench',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    output: value('--output') ?? 'bench/results/latest.json',
  };
}

/** The bench database's seeded workspace and credentials, kept in its `bench_meta` table. */
export interface SeedMeta {
  scale: number;
  workspaceId: string;
  password: string;
  adminEmail: string;
  agentEmails: string[];
  agentIds: string[];
  teamIds: string[];
  inboxes: Record<'api' | 'sms' | 'whatsapp' | 'email' | 'webchat', string>;
  apiKey: string;
  apiWebhookSecret: string;
  twilioAuthToken: string;
  twilioAccountSid: string;
  timelineContactId: string;
  labelIds: string[];
  conversations: number;
  messages: number;
  contacts: number;
  seededAt: string;
  seedSeconds: number;
}
