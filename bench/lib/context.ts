import type pg from 'pg';
import type { Figure } from './results.js';
import type { BenchOptions, SeedMeta } from './options.js';
import type { Stack } from './stack.js';

/** What every part of the bench gets: the running stack, the seeded workspace and its credentials. */
export interface BenchContext {
  options: BenchOptions;
  meta: SeedMeta;
  stack: Stack;
  db: pg.Pool;
  /** Admin (for reports and settings) and the first agent (for the "mine" view). */
  adminToken: string;
  agentToken: string;
  log(line: string): void;
}

export type BenchPart = (context: BenchContext) => Promise<Figure[]>;
