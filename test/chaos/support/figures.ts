import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

/** `npm test` runs the bounded form; `npm run chaos` sets CHAOS_SCALE=full for the issue's sizes. */
export const CHAOS_SCALE: 'bounded' | 'full' = process.env.CHAOS_SCALE === 'full' ? 'full' : 'bounded';

export function sized(bounded: number, full: number): number {
  return CHAOS_SCALE === 'full' ? full : bounded;
}

const FIGURES_FILE = 'test-results/chaos-figures.json';

export type Figures = Record<string, number | string | boolean>;

/**
 * Prints a test's figures as one line and records them in test-results/chaos-figures.json (one
 * entry per test, replaced on each run), which docs/reliability.md quotes.
 */
export function report(test: string, figures: Figures): void {
  process.stdout.write(
    `[chaos] ${test} (${CHAOS_SCALE}): ${Object.entries(figures)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')}\n`,
  );
  mkdirSync('test-results', { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(FIGURES_FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    // first test of the run, or an unreadable file: start a new one
  }
  all[test] = { scale: CHAOS_SCALE, at: new Date().toISOString(), ...figures };
  writeFileSync(FIGURES_FILE, `${JSON.stringify(all, null, 2)}\n`);
}

export interface LoadFigures {
  /** Distinct messages the load generator offered. */
  sent: number;
  /** Messages that got a 2xx answer (each counted once, whatever attempt it took). */
  acknowledged: number;
  /** Every request, first tries and retries. */
  requests: number;
  answers5xx: number;
  /** Requests that got no HTTP answer at all (refused, reset). */
  connectionErrors: number;
}

/**
 * A bounded load on loopback: `count` messages posted by `senders` concurrent senders, each
 * retried as a provider does after a 5xx or a failed connection, until acknowledged. A 4xx is a
 * bug and fails the run. `between` runs after each answer (fault injection by counts).
 */
export async function providerLoad(options: {
  count: number;
  senders: number;
  post: (index: number) => Promise<number>;
  between?: (figures: LoadFigures) => Promise<void> | void;
  retryDelayMs?: number;
  maxAttempts?: number;
}): Promise<LoadFigures> {
  const figures: LoadFigures = { sent: 0, acknowledged: 0, requests: 0, answers5xx: 0, connectionErrors: 0 };
  const maxAttempts = options.maxAttempts ?? 2000;
  let next = 0;
  const sender = async () => {
    for (let index = next++; index < options.count; index = next++) {
      figures.sent += 1;
      for (let attempt = 1; ; attempt++) {
        figures.requests += 1;
        let status = 0;
        try {
          status = await options.post(index);
        } catch {
          figures.connectionErrors += 1;
        }
        if (status >= 200 && status < 300) figures.acknowledged += 1;
        else if (status >= 500) figures.answers5xx += 1;
        else if (status !== 0) throw new Error(`message ${index}: unexpected ${status}`);
        await options.between?.(figures);
        if (status >= 200 && status < 300) break;
        if (attempt >= maxAttempts) throw new Error(`message ${index} never acknowledged`);
        await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 100));
      }
    }
  };
  await Promise.all(Array.from({ length: options.senders }, sender));
  return figures;
}
