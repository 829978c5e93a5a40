/** The public survey page's view of a survey (GET /api/v1/public/surveys/:token). */
export interface SurveyQuestion {
  surveyId: string;
  kind: 'csat' | 'ces' | 'nps';
  question: string;
  choices: Array<{ value: number; label: string }>;
  minLabel: string;
  maxLabel: string;
  score: number | null;
}

export interface PublicSurvey {
  company: string;
  locale: string;
  expired: boolean;
  expiresAt: string | null;
  questions: SurveyQuestion[];
  comment: string | null;
  answeredAt: string | null;
}

export type Load =
  { state: 'ok'; survey: PublicSurvey } | { state: 'missing' } | { state: 'error'; message: string };

/** The token is the last path segment: /survey/<token>. */
export function tokenFromPath(pathname: string): string | null {
  const match = /\/survey\/([^/?#]+)\/?$/.exec(pathname);
  return match ? decodeURIComponent(match[1]) : null;
}

/** The score the customer clicked in the email (?score=N), if it fits the first question's scale. */
export function preselected(search: string, question: SurveyQuestion | undefined): number | null {
  const raw = new URLSearchParams(search).get('score');
  if (!question || raw === null || !/^\d{1,2}$/.test(raw)) return null;
  const score = Number(raw);
  return question.choices.some((choice) => choice.value === score) ? score : null;
}

export async function loadSurvey(token: string): Promise<Load> {
  const response = await fetch(`/api/v1/public/surveys/${encodeURIComponent(token)}`);
  if (response.status === 404) return { state: 'missing' };
  if (!response.ok) return { state: 'error', message: await reason(response) };
  return { state: 'ok', survey: (await response.json()) as PublicSurvey };
}

export async function submitSurvey(
  token: string,
  answers: Array<{ surveyId: string; score: number }>,
  comment: string,
): Promise<{ ok: true; survey: PublicSurvey } | { ok: false; status: number; message: string }> {
  const response = await fetch(`/api/v1/public/surveys/${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers, ...(comment.trim() ? { comment: comment.trim() } : {}) }),
  });
  if (response.ok) return { ok: true, survey: (await response.json()) as PublicSurvey };
  return { ok: false, status: response.status, message: await reason(response) };
}

async function reason(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: string; details?: string[] };
    return [body.message, ...(body.details ?? [])].filter(Boolean).join(': ');
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}
