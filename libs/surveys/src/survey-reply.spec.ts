import {
  parseQuickReply,
  parseScoreReply,
  quickReplyPayload,
  signSurveyToken,
  verifySurveyToken,
} from './survey-reply.js';
import {
  effectivePolicy,
  isLowScore,
  policyProblems,
  renderQuestion,
  replyHint,
  wordingFor,
} from './survey-policy.js';

describe('parseScoreReply', () => {
  it.each([
    ['4', 4, null],
    [' 5 ', 5, null],
    ['5!', 5, null],
    ['2 - slow answers', 2, 'slow answers'],
    ['3: ok I guess', 3, 'ok I guess'],
    ['1 the agent never understood', 1, 'the agent never understood'],
    ['4/5 good', 4, 'good'],
    ['5\nthanks a lot', 5, 'thanks a lot'],
  ])('%j answers with %i', (body, score, comment) => {
    expect(parseScoreReply('csat', body)).toEqual({ score, comment });
  });

  it.each(['', 'hello', 'my order 12345 is late', '6', '0', '12 items missing', '4.5', 'four', '45'])(
    '%j is not a CSAT answer',
    (body) => {
      expect(parseScoreReply('csat', body)).toBeNull();
    },
  );

  it('uses the scale of the kind', () => {
    expect(parseScoreReply('ces', '7')).toEqual({ score: 7, comment: null });
    expect(parseScoreReply('ces', '8')).toBeNull();
    expect(parseScoreReply('nps', '0')).toEqual({ score: 0, comment: null });
    expect(parseScoreReply('nps', '10 great')).toEqual({ score: 10, comment: 'great' });
  });
});

describe('quick replies', () => {
  it('round-trips a survey id and score', () => {
    const id = '6f1c1f8e-0b5e-4a57-9a7e-0e4f4f5b3a11';
    expect(parseQuickReply(quickReplyPayload(id, 4))).toEqual({ surveyId: id, score: 4 });
    expect(parseQuickReply('YES')).toBeNull();
    expect(parseQuickReply(undefined)).toBeNull();
  });
});

describe('survey tokens', () => {
  const id = '6f1c1f8e-0b5e-4a57-9a7e-0e4f4f5b3a11';
  it('verifies its own tokens and refuses altered ones', () => {
    const token = signSurveyToken('secret', id);
    expect(verifySurveyToken('secret', token)).toBe(id);
    expect(verifySurveyToken('other', token)).toBeNull();
    expect(verifySurveyToken('secret', token.replace(id, '7f1c1f8e-0b5e-4a57-9a7e-0e4f4f5b3a11'))).toBeNull();
    expect(verifySurveyToken('secret', `${token}x`)).toBeNull();
    expect(verifySurveyToken('secret', 'garbage')).toBeNull();
  });
});

describe('survey policy', () => {
  it('layers inbox over workspace over defaults, wording per locale', () => {
    const policy = effectivePolicy(
      { delayMinutes: 0, kinds: ['csat', 'ces'], wording: { de: { thanks: 'Danke!' } } },
      { delayMinutes: 5, wording: { de: { comment: 'Noch etwas?' } } },
    );
    expect(policy).toMatchObject({ delayMinutes: 5, kinds: ['csat', 'ces'], throttleDays: 7, enabled: true });
    const words = wordingFor(policy, 'de-AT');
    expect(words.thanks).toBe('Danke!');
    expect(words.comment).toBe('Noch etwas?');
    expect(words.csat).toContain('How satisfied');
  });

  it('names every invalid field', () => {
    expect(
      policyProblems({
        delayMinutes: -1,
        kinds: ['nps' as never],
        npsThrottleDays: 7,
        expiryDays: 0,
        wording: { xx_1: { csat: '' }, en: { nope: 'x' } as never },
      }),
    ).toEqual([
      'delayMinutes must be an integer from 0 to 10080',
      'expiryDays must be an integer from 1 to 90',
      'npsThrottleDays must be an integer from 30 to 730',
      'kinds must be ["csat"], ["ces"], ["csat","ces"] or ["ces","csat"]',
      'wording.xx_1: not a language tag',
      'wording.xx_1.csat must be 1-500 characters',
      'wording.en.nope: unknown',
    ]);
    expect(policyProblems({ kinds: ['ces', 'csat'], delayMinutes: 0 })).toEqual([]);
  });

  it('renders questions with their scale', () => {
    const words = wordingFor(effectivePolicy(), 'en');
    const question = renderQuestion(words, 'ces', 'Acme');
    expect(question.question).toBe('Acme made it easy for me to handle my issue. How much do you agree?');
    expect(question.choices.map((c) => c.value)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(replyHint(words, question)).toBe(
      'Reply with a number from 1 (strongly disagree) to 7 (strongly agree).',
    );
  });

  it('flags low scores as METRICS.md defines them', () => {
    expect([1, 2, 3].map((s) => isLowScore('csat', s))).toEqual([true, true, false]);
    expect([3, 4].map((s) => isLowScore('ces', s))).toEqual([true, false]);
    expect(isLowScore('nps', 0)).toBe(false);
  });
});
