import type { Session } from './types.js';

/** An error answer of the api: `{statusCode, message, code?, details?}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
let session: Session | null = null;
const expiredListeners = new Set<Listener>();

export function setApiSession(next: Session | null): void {
  session = next;
}

/** Called when the api refuses the token (expired, revoked, membership removed). */
export function onSessionExpired(listener: Listener): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

/** The socket refused the token: the same ending as a 401. */
export function reportSessionExpired(): void {
  if (session) expiredListeners.forEach((listener) => listener());
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (session) headers.authorization = `Bearer ${session.accessToken}`;
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json: unknown = text ? safeJson(text) : null;
  if (!response.ok) {
    const error = (json ?? {}) as { message?: string | string[]; code?: string; details?: string[] };
    const message = Array.isArray(error.message) ? error.message.join('; ') : error.message;
    if (response.status === 401 && session && path !== '/auth/login') expiredListeners.forEach((l) => l());
    throw new ApiError(
      response.status,
      [message ?? response.statusText, ...(error.details ?? [])].join(': '),
      error.code,
    );
  }
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A file of the api (attachments need the token, which an <img> cannot send) as an object URL. */
export async function fetchBlobUrl(url: string): Promise<string> {
  const response = await fetch(url, {
    headers: session ? { authorization: `Bearer ${session.accessToken}` } : {},
  });
  if (!response.ok) throw new ApiError(response.status, `Could not load the file (${response.status})`);
  return URL.createObjectURL(await response.blob());
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: (path: string) => request<void>('DELETE', path),
  /** Downloads a file with the session's token (CSV export): fetch, then save through a blob URL. */
  async download(path: string, query: Query, filename: string): Promise<void> {
    const response = await fetch(`/api/v1${withQuery(path, query)}`, {
      headers: session ? { authorization: `Bearer ${session.accessToken}` } : {},
    });
    if (!response.ok) throw new ApiError(response.status, `Export failed (${response.status})`);
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  },
};
