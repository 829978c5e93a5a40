import { assertEveryJobHandled } from './worker.module.js';
import { ASSIGNMENT_JOBS } from './assignment.processor.js';
import { AUTOMATION_JOBS } from './automation.processor.js';
import { CONVERSATION_JOBS } from './conversations.processor.js';
import { DELIVERY_JOBS } from './delivery.processor.js';
import { MEDIA_JOBS } from './media.processor.js';
import { METRICS_JOBS } from './metrics.processor.js';

describe('assertEveryJobHandled', () => {
  it('accepts the processors as registered', () => {
    expect(() =>
      assertEveryJobHandled([
        ...ASSIGNMENT_JOBS,
        ...AUTOMATION_JOBS,
        ...CONVERSATION_JOBS,
        ...DELIVERY_JOBS,
        ...MEDIA_JOBS,
        ...METRICS_JOBS,
      ]),
    ).not.toThrow();
  });

  it('refuses a missing or duplicated handler', () => {
    expect(() =>
      assertEveryJobHandled([
        ...ASSIGNMENT_JOBS,
        ...AUTOMATION_JOBS,
        ...DELIVERY_JOBS,
        ...MEDIA_JOBS,
        ...METRICS_JOBS,
      ]),
    ).toThrow(/missing \[conversations.unsnooze\]/);
    expect(() => assertEveryJobHandled([...DELIVERY_JOBS, ...DELIVERY_JOBS, ...CONVERSATION_JOBS])).toThrow(
      /duplicated/,
    );
  });
});
