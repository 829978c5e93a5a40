import { createHmac, timingSafeEqual } from 'node:crypto';
import { SCALES } from './survey-policy.js';
import type { SurveyKind } from './surveys.entities.js';

export interface ParsedAnswer {
  score: number;
  comment: string | null;
}

/**
 * A chat reply that answers a survey: a bare number in the scale, optionally followed by a comment
 * ("4", "5!", "2 - slow answers", "3/5 ok"). Anything else is not an answer (METRICS.md).
 */
export function parseScoreReply(kind: SurveyKind, body: string): ParsedAnswer | null {
  const match = /^\s*(\d{1,2})(?![.,]\d)(?:\s*\/\s*\d{1,2})?(?:(?:\s*[-–—:.,;!)]+\s*|\s+)([\s\S]*))?$/.exec(
    body,
  );
  if (!match) return null;
  const score = Number(match[1]);
  const { min, max } = SCALES[kind];
  if (score < min || score > max) return null;
  const comment = match[2]?.trim() ?? '';
  return { score, comment: comment ? comment.slice(0, 2000) : null };
}

const QUICK_REPLY = /^SURVEY:([0-9a-f-]{36}):(\d{1,2})$/;

/** The payload of a Messenger/Instagram quick reply button for one score. */
export function quickReplyPayload(surveyId: string, score: number): string {
  return `SURVEY:${surveyId}:${score}`;
}

export function parseQuickReply(payload: unknown): { surveyId: string; score: number } | null {
  const match = typeof payload === 'string' ? QUICK_REPLY.exec(payload) : null;
  return match ? { surveyId: match[1], score: Number(match[2]) } : null;
}

/**
 * The survey page link token: the survey group id and an HMAC of it, so a link cannot be guessed
 * or altered; expiry and one-answer rules are checked against the stored rows.
 */
export function signSurveyToken(secret: string, groupId: string): string {
  return `${groupId}.${mac(secret, groupId)}`;
}

export function verifySurveyToken(secret: string, token: string): string | null {
  const [groupId, signature, ...rest] = token.split('.');
  if (rest.length || !groupId || !signature || !/^[0-9a-f-]{36}$/.test(groupId)) return null;
  const expected = Buffer.from(mac(secret, groupId));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? groupId : null;
}

function mac(secret: string, groupId: string): string {
  return createHmac('sha256', secret).update(`survey:${groupId}`).digest('base64url').slice(0, 32);
}
