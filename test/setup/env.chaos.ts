import { applyTestEnvironment } from '@parley/testing';

applyTestEnvironment('chaos');
// The load generators post thousands of API-channel messages from one loopback address.
process.env.INGEST_RATE_LIMIT_PER_MINUTE = '1000000';
