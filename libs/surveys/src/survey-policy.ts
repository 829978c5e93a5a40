import type { SurveyKind } from './surveys.entities.js';

export type InteractionKind = Exclude<SurveyKind, 'nps'>;

/** The words of a survey in one locale; `{company}`, `{min}`, `{max}`, `{minLabel}`, `{maxLabel}` are filled in. */
export interface SurveyWording {
  csat: string;
  ces: string;
  nps: string;
  /** SMS/WhatsApp: how to answer. */
  replyHint: string;
  /** Email: the line above the links. */
  linkHint: string;
  /** Asked after the last score on a chat channel when `askComment` is on. */
  comment: string;
  thanks: string;
  /** Scale ends, per kind. */
  csatLow: string;
  csatHigh: string;
  cesLow: string;
  cesHigh: string;
  npsLow: string;
  npsHigh: string;
}

export interface SurveyPolicy {
  enabled: boolean;
  /** Asked in this order, at most two questions per interaction. */
  kinds: InteractionKind[];
  delayMinutes: number;
  /** No new interaction survey to a contact sent one within this many days. */
  throttleDays: number;
  minAgentReplies: number;
  /** Also survey conversations resolved by automation or the API (off by default). */
  surveyAutoResolved: boolean;
  expiryDays: number;
  /** Ask for a comment after the last score (chat channels; the page always offers one). */
  askComment: boolean;
  /** Minutes a comment is awaited after asking for it. */
  commentWindowMinutes: number;
  /** NPS: at most one per contact within this many days (never under 30). */
  npsThrottleDays: number;
  defaultLocale: string;
  /** Per locale ("en", "de", "pt-BR"); missing words fall back to the default locale, then English. */
  wording: Record<string, Partial<SurveyWording>>;
}

export type SurveyPolicyOverride = Partial<SurveyPolicy>;

export const ENGLISH: SurveyWording = {
  csat: 'How satisfied are you with the help you got from {company}?',
  ces: '{company} made it easy for me to handle my issue. How much do you agree?',
  nps: 'How likely are you to recommend {company} to a friend or colleague?',
  replyHint: 'Reply with a number from {min} ({minLabel}) to {max} ({maxLabel}).',
  linkHint: 'Choose your answer:',
  comment: 'Thank you! Anything else you would like to tell us? Just reply with your comment.',
  thanks: 'Thank you for your feedback!',
  csatLow: 'very dissatisfied',
  csatHigh: 'very satisfied',
  cesLow: 'strongly disagree',
  cesHigh: 'strongly agree',
  npsLow: 'not at all likely',
  npsHigh: 'extremely likely',
};

export const DEFAULT_POLICY: SurveyPolicy = {
  enabled: true,
  kinds: ['csat'],
  delayMinutes: 10,
  throttleDays: 7,
  minAgentReplies: 1,
  surveyAutoResolved: false,
  expiryDays: 7,
  askComment: true,
  commentWindowMinutes: 30,
  npsThrottleDays: 90,
  defaultLocale: 'en',
  wording: {},
};

export const SCALES: Record<SurveyKind, { min: number; max: number }> = {
  csat: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
  nps: { min: 0, max: 10 },
};

/** CSAT ≤ 2 or CES ≤ 3 alerts supervisors (METRICS.md); NPS is a relationship score and does not. */
export function isLowScore(kind: SurveyKind, score: number): boolean {
  return (kind === 'csat' && score <= 2) || (kind === 'ces' && score <= 3);
}

/** The workspace policy over the defaults, then the inbox's override over that. */
export function effectivePolicy(...layers: Array<SurveyPolicyOverride | null | undefined>): SurveyPolicy {
  const policy: SurveyPolicy = { ...DEFAULT_POLICY, wording: {} };
  for (const layer of layers) {
    if (!layer) continue;
    const { wording, ...rest } = layer;
    Object.assign(policy, definedOnly(rest));
    for (const [locale, words] of Object.entries(wording ?? {})) {
      policy.wording[locale] = { ...policy.wording[locale], ...definedOnly(words) };
    }
  }
  return policy;
}

const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const WORDING_KEYS = Object.keys(ENGLISH) as Array<keyof SurveyWording>;

/** A contact's `locale` attribute, when it is a language tag. */
export function localeOf(value: unknown): string | null {
  return typeof value === 'string' && LOCALE.test(value) ? value : null;
}

/** What is wrong with a (partial) policy, field by field; empty when it is valid. */
export function policyProblems(policy: SurveyPolicyOverride): string[] {
  const problems: string[] = [];
  const int = (field: keyof SurveyPolicy, min: number, max: number) => {
    const value = policy[field];
    if (
      value !== undefined &&
      (!Number.isInteger(value) || (value as number) < min || (value as number) > max)
    )
      problems.push(`${field} must be an integer from ${min} to ${max}`);
  };
  int('delayMinutes', 0, 10_080);
  int('throttleDays', 0, 365);
  int('minAgentReplies', 0, 100);
  int('expiryDays', 1, 90);
  int('commentWindowMinutes', 1, 1440);
  int('npsThrottleDays', 30, 730);
  if (policy.kinds !== undefined) {
    const kinds = policy.kinds as unknown[];
    if (
      !Array.isArray(kinds) ||
      kinds.length < 1 ||
      kinds.length > 2 ||
      new Set(kinds).size !== kinds.length ||
      kinds.some((kind) => kind !== 'csat' && kind !== 'ces')
    )
      problems.push('kinds must be ["csat"], ["ces"], ["csat","ces"] or ["ces","csat"]');
  }
  if (policy.defaultLocale !== undefined && !LOCALE.test(policy.defaultLocale))
    problems.push('defaultLocale must be a language tag such as "en" or "pt-BR"');
  for (const [locale, words] of Object.entries(policy.wording ?? {})) {
    if (!LOCALE.test(locale)) problems.push(`wording.${locale}: not a language tag`);
    for (const [key, text] of Object.entries(words ?? {})) {
      if (!WORDING_KEYS.includes(key as keyof SurveyWording))
        problems.push(`wording.${locale}.${key}: unknown`);
      else if (typeof text !== 'string' || !text.trim() || text.length > 500)
        problems.push(`wording.${locale}.${key} must be 1-500 characters`);
    }
  }
  return problems;
}

/** The words for a locale: exact tag, then its language, then the default locale, then English. */
export function wordingFor(policy: SurveyPolicy, locale: string): SurveyWording {
  const language = locale.split('-')[0];
  return {
    ...ENGLISH,
    ...policy.wording.en,
    ...policy.wording[policy.defaultLocale],
    ...policy.wording[language],
    ...policy.wording[locale],
  };
}

export interface SurveyQuestion {
  kind: SurveyKind;
  question: string;
  choices: Array<{ value: number; label: string }>;
  minLabel: string;
  maxLabel: string;
}

export function renderQuestion(words: SurveyWording, kind: SurveyKind, company: string): SurveyQuestion {
  const { min, max } = SCALES[kind];
  const minLabel = words[`${kind}Low`];
  const maxLabel = words[`${kind}High`];
  const choices = [];
  for (let value = min; value <= max; value++) choices.push({ value, label: String(value) });
  return { kind, question: fill(words[kind], { company }), choices, minLabel, maxLabel };
}

export function replyHint(words: SurveyWording, question: SurveyQuestion): string {
  const { min, max } = SCALES[question.kind];
  return fill(words.replyHint, {
    min: String(min),
    max: String(max),
    minLabel: question.minLabel,
    maxLabel: question.maxLabel,
  });
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
