// Drops a run's own databases; the shared default names (plain `jest`) are kept for inspection.
import { adminQuery, testDatabaseName } from './global-setup.mjs';

export default async function globalTeardown(globalConfig, projectConfig) {
  if (!process.env.PARLEY_TEST_RUN) return;
  await adminQuery(
    `DROP DATABASE IF EXISTS "${testDatabaseName(projectConfig.displayName.name)}" WITH (FORCE)`,
  );
}
