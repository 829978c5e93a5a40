import { applyTestEnvironment } from '@parley/testing';

applyTestEnvironment('integration');
