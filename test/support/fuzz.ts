import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';

/** One seed for every fuzz file (print it; FUZZ_SEED replays a failing run), and the run scale. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
/** Generated cases per endpoint; FUZZ_RUNS scales a longer run (the default keeps each file under ~90 s). */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 16);

/** Strings that break naive code: surrogates, NUL, bidi overrides, ZWJ emoji, combining marks, huge numbers. */
export const edgeString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\uD800',
    'x\uDFFFy',
    '\u202Egnp.exe',
    '\u2066isolate\u2069',
    '👩‍👩‍👧‍👦',
    '🏳️‍🌈',
    'e\u0301\u0301\u0301\u0301\u0301',
    'Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358\u0359\u035A',
    '\uFEFFbom',
    '\u200B',
    '\r\n\r\n',
    '\t',
    '%00',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    "'; DROP TABLE messages; --",
    '${7*7}{{7*7}}',
    '__proto__',
    'constructor',
    '123456789012345678901234567890',
    '1e400',
    '-0',
    'NaN',
    '2026-02-30',
    '2026-02-30T10:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '7D0C2A4E-1F3B-4C5D-8E9F-0A1B2C3D4E5F',
    'not-a-uuid',
    'a'.repeat(10_000),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

/** Numbers at the edges of JSON, JavaScript and PostgreSQL integer ranges. */
export const edgeNumber = fc.oneof(
  fc.constantFrom(0, -1, 1.5, -0, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, 5e-324, 1.2345678901234568e29),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value (for wrong types and free-form fields). */
export const anyJson = fc.oneof(
  edgeString,
  edgeNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.integer(), fc.string()), { maxKeys: 3 }),
);

/** Raw text that a JSON parser must refuse. */
export const malformedJson = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    '[1,2',
    "{'a':1}",
    '{"a":1}}',
    '{"a":01}',
    '{"a":NaN}',
    '{"a":undefined}',
    '{"a":"\\x41"}',
    '{"a":"\\ud800',
    '{"a" 1}',
    '\u0000',
    '{"a":1,}',
  ),
  fc.string({ minLength: 1, maxLength: 30 }).filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  }),
);

/** A path segment as it goes on the wire (already percent-encoded), never a valid id. */
export const junkSegment = fc.oneof(
  fc.constantFrom(
    'not-a-uuid',
    '0',
    '-1',
    '1e400',
    '%',
    '%zz',
    '%00',
    '%ED%A0%80',
    '%C0%AF',
    '%E2%80%AE',
    '00000000-0000-0000-0000-000000000000',
    '7d0c2a4e-1f3b-4c5d-8e9f-0a1b2c3d4e5fx',
    '7d0c2a4e1f3b4c5d8e9f0a1b2c3d4e5f',
    '2026-02-30',
    'x'.repeat(5000),
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map((s) => encodeURIComponent(s)),
);

/** Nested arrays/objects `depth` levels deep, as JSON text (no stack used building it). */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

export interface RawResponse {
  status: number;
  text: string;
  json: { message?: unknown } | null;
}

/** Sends exactly the bytes given (no client-side JSON encoding), so malformed input reaches the server. */
export async function sendRaw(
  url: string,
  method: string,
  path: string,
  options: { body?: string | Buffer; contentType?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(options.contentType ? { 'content-type': options.contentType } : {}),
      ...options.headers,
    },
    body: options.body,
  });
  const text = await response.text();
  let json: { message?: unknown } | null = null;
  try {
    json = JSON.parse(text) as { message?: unknown };
  } catch {
    // not JSON (CSV, HTML, bytes): asserted by the caller where it matters
  }
  return { status: response.status, text, json };
}

/** What is wrong with a fuzz answer, or null: a 5xx, invalid input taken, or a refusal without a reason. */
export function answerProblem(response: RawResponse, invalid: boolean): string | null {
  if (response.status >= 500) return 'a 5xx';
  if (invalid && response.status < 400) return `accepted (${response.status})`;
  if (response.status >= 400 && !hasReason(response)) return `no reason (${response.status})`;
  return null;
}

/** A rejected request must say why: a non-empty `message`. */
export function hasReason(response: RawResponse): boolean {
  return typeof response.json?.message === 'string' && response.json.message.length > 0;
}

/** Per table, its row count and a sum of row hashes: a rejected request must leave every one unchanged. */
export async function storeFingerprint(dataSource: DataSource): Promise<Record<string, string>> {
  const tables = (
    await dataSource.query<Array<{ table_name: string }>>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations'
        ORDER BY table_name`,
    )
  ).map((row) => row.table_name);
  // The outbox relay stamps rows after the response (dispatched_at, attempts): not the request's doing.
  const row = (name: string) =>
    name === 'outbox' ? `(to_jsonb(x) - 'dispatched_at' - 'attempts' - 'last_error')::text` : 'x::text';
  const rows = await dataSource.query<Array<{ t: string; h: string }>>(
    tables
      .map(
        (name) =>
          `SELECT '${name}' AS t, count(*) || ':' || coalesce(sum(hashtext(${row(name)})::bigint), 0) AS h FROM "${name}" x`,
      )
      .join(' UNION ALL '),
  );
  return Object.fromEntries(rows.map((row) => [row.t, row.h]));
}

/** The tables whose rows differ between two fingerprints. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(after).filter((table) => before[table] !== after[table]);
}

/** Per-endpoint case counts, merged into test-results/fuzz-figures.json under the suite's name. */
export class FuzzFigures {
  readonly cases: Record<string, number> = {};
  readonly statuses: Record<string, number> = {};

  constructor(private readonly suite: string) {}

  count(endpoint: string, status: number): void {
    this.cases[endpoint] = (this.cases[endpoint] ?? 0) + 1;
    this.statuses[String(status)] = (this.statuses[String(status)] ?? 0) + 1;
  }

  get total(): number {
    return Object.values(this.cases).reduce((sum, n) => sum + n, 0);
  }

  write(): void {
    const file = 'test-results/fuzz-figures.json';
    mkdirSync('test-results', { recursive: true });
    let all: Record<string, unknown> = {};
    try {
      all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      // first suite of the run
    }
    all[this.suite] = {
      seed: FUZZ_SEED,
      runsPerEndpoint: FUZZ_RUNS,
      endpoints: Object.keys(this.cases).length,
      total: this.total,
      statuses: this.statuses,
      cases: this.cases,
    };
    writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
    const lines = Object.entries(this.cases).map(
      ([endpoint, n]) => `  ${String(n).padStart(5)}  ${endpoint}`,
    );
    console.log(
      `fuzz ${this.suite}: seed ${FUZZ_SEED}, ${this.total} cases over ${lines.length} endpoints ` +
        `(statuses ${JSON.stringify(this.statuses)})\n${lines.join('\n')}`,
    );
  }
}
