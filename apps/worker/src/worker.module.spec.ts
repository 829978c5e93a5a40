import { assertEveryJobHandled, HANDLED_JOBS } from './worker.module.js';
import { CONVERSATION_JOBS } from './conversations.processor.js';
import { DELIVERY_JOBS } from './delivery.processor.js';

describe('assertEveryJobHandled', () => {
  it('accepts the processors as registered', () => {
    expect(() => assertEveryJobHandled(HANDLED_JOBS)).not.toThrow();
  });

  it('refuses a missing or duplicated handler', () => {
    expect(() =>
      assertEveryJobHandled(HANDLED_JOBS.filter((name) => name !== 'conversations.unsnooze')),
    ).toThrow(/missing \[conversations.unsnooze\]/);
    expect(() => assertEveryJobHandled([...DELIVERY_JOBS, ...DELIVERY_JOBS, ...CONVERSATION_JOBS])).toThrow(
      /duplicated/,
    );
  });
});
