export { migrateTestDatabase, resetDatabase } from './database.js';
export {
  createWorkspace,
  TEST_PASSWORD,
  TWILIO_TEST_ACCOUNT_SID,
  TWILIO_TEST_AUTH_TOKEN,
  TWILIO_TEST_CONFIG,
  type WorkspaceFixture,
} from './fixtures.js';
export { applyTestEnvironment, testEnvironment } from './test-env.js';
export { eventually } from './wait.js';
export { WebhookReceiver, type ReceivedRequest } from './webhook-receiver.js';
export { TwilioFake, type FakeTwilioMessage } from './twilio-fake.js';
export { GraphFake, type FakeGraphSend } from './graph-fake.js';
export { DovecotServer, DOVECOT_PASSWORD, freePort } from './dovecot.js';
export { SmtpSink, type SunkMail } from './smtp-sink.js';
export { launchChromium, CHROMIUM_PATH } from './browser.js';
export { XSS_CANARY, XSS_CORPUS, XSS_EMAIL_HTML, XSS_INJECTED_SELECTOR, XSS_NAME } from './xss-corpus.js';
