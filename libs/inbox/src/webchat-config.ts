/** A field of the optional pre-chat form; `name`, `email` and `phone` fill the contact, others its attributes. */
export interface PreChatField {
  name: string;
  label: string;
  type: 'text' | 'email' | 'phone';
  required: boolean;
}

/** A web chat inbox's `config` (public: the widget reads most of it), with defaults filled in. */
export interface WebchatConfig {
  /** Public: identifies the inbox in the snippet. Generated at creation. */
  websiteToken: string;
  /** Only visitors with a valid `identifierHash` may chat. */
  requireVerification: boolean;
  greeting: string | null;
  /** Shown outside the inbox's business hours; messages are still accepted. */
  awayMessage: string | null;
  /** "We typically reply in …" text, e.g. "a few minutes". */
  replyTime: string | null;
  preChat: { enabled: boolean; fields: PreChatField[] };
  /** Email inbox that sends replies the visitor has not seen within `continuityAfterMinutes`. */
  continuityEmailInboxId: string | null;
  continuityAfterMinutes: number;
  /** Websites (origins such as `https://shop.example`) allowed to embed the widget; empty: any. */
  allowedOrigins: string[];
}

const FIELD_TYPES = ['text', 'email', 'phone'] as const;
const TEXT_LIMIT = 500;

function optionalText(config: Record<string, unknown>, key: string): string | null {
  const value = config[key];
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

/** `https://Shop.example:443/` → `https://shop.example`; null unless an http(s) origin with no path. */
export function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (!['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.hash)
      return null;
    if (url.username || url.password) return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** Why a web chat config is invalid, or null. */
export function webchatConfigProblem(config: Record<string, unknown>): string | null {
  if (
    config.websiteToken !== undefined &&
    (typeof config.websiteToken !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(config.websiteToken))
  )
    return 'config.websiteToken must be 16-64 letters, digits, _ or -';
  if (config.requireVerification !== undefined && typeof config.requireVerification !== 'boolean')
    return 'config.requireVerification must be true or false';
  for (const key of ['greeting', 'awayMessage', 'replyTime']) {
    const value = config[key];
    if (value !== undefined && value !== null && (typeof value !== 'string' || value.length > TEXT_LIMIT))
      return `config.${key} must be text of at most ${TEXT_LIMIT} characters`;
  }
  const preChat = config.preChat as { enabled?: unknown; fields?: unknown } | undefined;
  if (preChat !== undefined) {
    if (typeof preChat !== 'object' || preChat === null) return 'config.preChat must be an object';
    if (preChat.enabled !== undefined && typeof preChat.enabled !== 'boolean')
      return 'config.preChat.enabled must be true or false';
    const fields = preChat.fields ?? [];
    if (!Array.isArray(fields) || fields.length > 10)
      return 'config.preChat.fields must be a list of up to 10';
    const names = new Set<string>();
    for (const field of fields as Array<Partial<PreChatField>>) {
      if (typeof field.name !== 'string' || !/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/.test(field.name))
        return 'config.preChat.fields[].name must be an identifier (letters, digits, _)';
      if (names.has(field.name)) return `config.preChat.fields has "${field.name}" twice`;
      names.add(field.name);
      if (typeof field.label !== 'string' || !field.label.trim() || field.label.length > 100)
        return 'config.preChat.fields[].label must be 1-100 characters';
      if (field.type !== undefined && !FIELD_TYPES.includes(field.type))
        return 'config.preChat.fields[].type must be text, email or phone';
      if (field.required !== undefined && typeof field.required !== 'boolean')
        return 'config.preChat.fields[].required must be true or false';
    }
  }
  const continuity = config.continuityEmailInboxId;
  if (continuity !== undefined && continuity !== null && typeof continuity !== 'string')
    return 'config.continuityEmailInboxId must be an inbox id';
  const minutes = config.continuityAfterMinutes;
  if (
    minutes !== undefined &&
    (!Number.isInteger(minutes) || (minutes as number) < 1 || (minutes as number) > 1440)
  )
    return 'config.continuityAfterMinutes must be 1-1440';
  const origins = config.allowedOrigins;
  if (origins !== undefined) {
    if (!Array.isArray(origins) || origins.length > 50)
      return 'config.allowedOrigins must be a list of up to 50 origins';
    for (const origin of origins as unknown[])
      if (typeof origin !== 'string' || origin.length > 300 || !normalizeOrigin(origin))
        return 'config.allowedOrigins[] must be origins such as https://shop.example (scheme, host, optional port; no path)';
  }
  return null;
}

/** The config with defaults; assumes it passed `webchatConfigProblem`. */
export function readWebchatConfig(config: Record<string, unknown>): WebchatConfig {
  const preChat = (config.preChat ?? {}) as { enabled?: boolean; fields?: Array<Partial<PreChatField>> };
  return {
    websiteToken: typeof config.websiteToken === 'string' ? config.websiteToken : '',
    requireVerification: config.requireVerification === true,
    greeting: optionalText(config, 'greeting'),
    awayMessage: optionalText(config, 'awayMessage'),
    replyTime: optionalText(config, 'replyTime'),
    preChat: {
      enabled: preChat.enabled === true,
      fields: (preChat.fields ?? []).map((field) => ({
        name: String(field.name),
        label: String(field.label),
        type: field.type ?? 'text',
        required: field.required === true,
      })),
    },
    continuityEmailInboxId:
      typeof config.continuityEmailInboxId === 'string' ? config.continuityEmailInboxId : null,
    continuityAfterMinutes:
      typeof config.continuityAfterMinutes === 'number' ? config.continuityAfterMinutes : 15,
    allowedOrigins: Array.isArray(config.allowedOrigins)
      ? (config.allowedOrigins as string[]).map((origin) => normalizeOrigin(origin) ?? origin)
      : [],
  };
}

/** A survey question as a `kind: 'survey'` message carries it in `metadata.survey` (the surveys contract). */
export interface SurveyPayload {
  surveyId: string;
  question: string;
  choices: Array<{ value: number; label: string }>;
}

export function isSurveyPayload(value: unknown): value is SurveyPayload {
  const survey = value as Partial<Record<keyof SurveyPayload, unknown>> | null;
  return (
    typeof survey?.surveyId === 'string' &&
    typeof survey.question === 'string' &&
    Array.isArray(survey.choices)
  );
}
