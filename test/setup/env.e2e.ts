import { applyTestEnvironment } from '@parley/testing';

applyTestEnvironment('e2e');
