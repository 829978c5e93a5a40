import { preselected, tokenFromPath, type SurveyQuestion } from './survey-api.js';

const csat: SurveyQuestion = {
  surveyId: '6f1c1f8e-0b5e-4a57-9a7e-0e4f4f5b3a11',
  kind: 'csat',
  question: 'How satisfied are you?',
  choices: [1, 2, 3, 4, 5].map((value) => ({ value, label: String(value) })),
  minLabel: 'very dissatisfied',
  maxLabel: 'very satisfied',
  score: null,
};

describe('survey page helpers', () => {
  it('reads the token from the path', () => {
    expect(tokenFromPath('/survey/abc.def')).toBe('abc.def');
    expect(tokenFromPath('/survey/abc.def/')).toBe('abc.def');
    expect(tokenFromPath('/survey/')).toBeNull();
    expect(tokenFromPath('/inbox')).toBeNull();
  });

  it('preselects the score clicked in the email only when it fits the scale', () => {
    expect(preselected('?score=4', csat)).toBe(4);
    expect(preselected('?score=9', csat)).toBeNull();
    expect(preselected('?score=abc', csat)).toBeNull();
    expect(preselected('', csat)).toBeNull();
    expect(preselected('?score=4', undefined)).toBeNull();
  });
});
