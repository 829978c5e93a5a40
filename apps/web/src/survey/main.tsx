import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import {
  loadSurvey,
  preselected,
  submitSurvey,
  tokenFromPath,
  type Load,
  type PublicSurvey,
  type SurveyQuestion,
} from './survey-api.js';
import './survey.css';

function Scale({
  question,
  value,
  onChange,
}: {
  question: SurveyQuestion;
  value: number | null;
  onChange: (score: number) => void;
}) {
  const id = `q-${question.surveyId}`;
  return (
    <fieldset className="question">
      <legend id={id}>{question.question}</legend>
      <div className={`scale scale-${question.choices.length}`} role="radiogroup" aria-labelledby={id}>
        {question.choices.map((choice) => (
          <label key={choice.value} className={value === choice.value ? 'choice chosen' : 'choice'}>
            <input
              type="radio"
              name={id}
              value={choice.value}
              checked={value === choice.value}
              onChange={() => onChange(choice.value)}
            />
            <span>{choice.label}</span>
          </label>
        ))}
      </div>
      <div className="ends" aria-hidden="true">
        <span>{question.minLabel}</span>
        <span>{question.maxLabel}</span>
      </div>
    </fieldset>
  );
}

function SurveyForm({ token, survey: initial }: { token: string; survey: PublicSurvey }) {
  const [survey, setSurvey] = useState(initial);
  const [scores, setScores] = useState<Record<string, number | null>>(() =>
    Object.fromEntries(
      initial.questions.map((q, index) => [
        q.surveyId,
        q.score ?? (index === 0 ? preselected(window.location.search, q) : null),
      ]),
    ),
  );
  const [comment, setComment] = useState(initial.comment ?? '');
  const [state, setState] = useState<'editing' | 'sending' | 'done'>(initial.answeredAt ? 'done' : 'editing');
  const [error, setError] = useState<string | null>(null);

  if (survey.expired) {
    return (
      <p className="notice" role="status">
        This survey has expired. Thank you all the same!
      </p>
    );
  }
  if (state === 'done') {
    return (
      <div className="notice" role="status">
        <p>Thank you for your feedback!</p>
        {survey.expiresAt && (
          <button type="button" className="link" onClick={() => setState('editing')}>
            Change my answer (possible until {new Date(survey.expiresAt).toLocaleDateString()})
          </button>
        )}
      </div>
    );
  }
  const answers = survey.questions
    .filter((q) => scores[q.surveyId] !== null && scores[q.surveyId] !== undefined)
    .map((q) => ({ surveyId: q.surveyId, score: scores[q.surveyId]! }));
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        setState('sending');
        setError(null);
        void submitSurvey(token, answers, comment).then((result) => {
          if (result.ok) {
            setSurvey(result.survey);
            setState('done');
          } else {
            if (result.status === 410) setSurvey({ ...survey, expired: true });
            setError(result.message);
            setState('editing');
          }
        });
      }}
    >
      {survey.questions.map((question) => (
        <Scale
          key={question.surveyId}
          question={question}
          value={scores[question.surveyId] ?? null}
          onChange={(score) => setScores({ ...scores, [question.surveyId]: score })}
        />
      ))}
      <label className="comment">
        <span>Anything you would like to add? (optional)</span>
        <textarea value={comment} maxLength={2000} rows={4} onChange={(e) => setComment(e.target.value)} />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="submit" disabled={answers.length === 0 || state === 'sending'}>
        {state === 'sending' ? 'Sending…' : 'Send my answer'}
      </button>
    </form>
  );
}

function SurveyPage() {
  const token = tokenFromPath(window.location.pathname);
  const [load, setLoad] = useState<Load | null>(null);
  useEffect(() => {
    if (!token) return;
    loadSurvey(token)
      .then(setLoad)
      .catch((error: Error) => setLoad({ state: 'error', message: error.message }));
  }, [token]);

  let content;
  if (!token || load?.state === 'missing') content = <p className="notice">This survey link is not valid.</p>;
  else if (!load) content = <p className="notice">Loading…</p>;
  else if (load.state === 'error')
    content = (
      <p className="error" role="alert">
        Something went wrong: {load.message}
      </p>
    );
  else content = <SurveyForm token={token} survey={load.survey} />;
  const company = load?.state === 'ok' ? load.survey.company : null;
  return (
    <main lang={load?.state === 'ok' ? load.survey.locale : undefined}>
      <h1>{company ? `How did ${company} do?` : 'How did we do?'}</h1>
      {content}
    </main>
  );
}

createRoot(document.getElementById('survey')!).render(
  <StrictMode>
    <SurveyPage />
  </StrictMode>,
);
