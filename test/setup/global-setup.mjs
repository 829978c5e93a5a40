// Runs once per jest run, outside jest's module system (so: plain JS, no path aliases).
// Recreates the tier's database empty; each test file then applies the migrations (idempotent).
import pg from 'pg';

export default async function globalSetup(globalConfig, projectConfig) {
  const tier = projectConfig.displayName.name;
  const base = (process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(
    /\/[^/:]*$/,
    '',
  );
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "parley_test_${tier}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "parley_test_${tier}"`);
  } finally {
    await admin.end();
  }
}
