// Runs once per jest run, outside jest's module system (so: plain JS, no path aliases).
// Recreates the tier's database empty; each test file then applies the migrations (idempotent).
// PARLEY_TEST_RUN (set by scripts/test-all.mjs) keeps concurrent runs on one machine apart.
import pg from 'pg';

export function testDatabaseName(tier) {
  const run = process.env.PARLEY_TEST_RUN;
  return `parley_test_${tier}${run ? `_${run}` : ''}`;
}

export async function adminQuery(sql) {
  const base = (process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(
    /\/[^/:]*$/,
    '',
  );
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    for (const statement of [].concat(sql)) await admin.query(statement);
  } finally {
    await admin.end();
  }
}

export default async function globalSetup(globalConfig, projectConfig) {
  const name = testDatabaseName(projectConfig.displayName.name);
  await adminQuery([`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, `CREATE DATABASE "${name}"`]);
}
