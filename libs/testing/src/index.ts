export { migrateTestDatabase, resetDatabase } from './database.js';
export { createWorkspace, TEST_PASSWORD, type WorkspaceFixture } from './fixtures.js';
export { applyTestEnvironment, testEnvironment } from './test-env.js';
export { eventually } from './wait.js';
export { WebhookReceiver, type ReceivedRequest } from './webhook-receiver.js';
