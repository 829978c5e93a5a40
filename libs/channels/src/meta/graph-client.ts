import { Injectable } from '@nestjs/common';
import { AppConfig } from '@parley/config';

export interface GraphError {
  status: number;
  code: number | null;
  subcode: number | null;
  message: string;
}

export class GraphRequestError extends Error {
  constructor(readonly error: GraphError) {
    super(error.message);
  }
}

/** A thin Graph API client: base URL and version from configuration (META_GRAPH_*), so a fake can stand in. */
@Injectable()
export class GraphClient {
  constructor(private readonly config: AppConfig) {}

  /** POST /{version}/{pageId}/messages?access_token=… (the Send API). */
  async sendMessage(
    pageId: string,
    accessToken: string,
    body: Record<string, unknown>,
  ): Promise<{ messageId: string }> {
    const result = await this.request('POST', `/${encodeURIComponent(pageId)}/messages`, accessToken, body);
    const messageId = typeof result.message_id === 'string' ? result.message_id : '';
    if (!messageId)
      throw new GraphRequestError({
        status: 502,
        code: null,
        subcode: null,
        message: 'Send API answered without message_id',
      });
    return { messageId };
  }

  /** GET /{version}/{id}?fields=… (user profile). */
  async profile(id: string, accessToken: string, fields: string[]): Promise<Record<string, unknown>> {
    return this.request('GET', `/${encodeURIComponent(id)}?fields=${fields.join(',')}`, accessToken);
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    accessToken: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> {
    const base = `${this.config.env.META_GRAPH_BASE_URL.replace(/\/$/, '')}/${this.config.env.META_GRAPH_VERSION}`;
    const url = `${base}${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(accessToken)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new GraphRequestError({
        status: 0,
        code: null,
        subcode: null,
        message: `Graph API unreachable: ${(error as Error).message}`,
      });
    }
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // fall through with an empty object; the status decides
    }
    if (!response.ok || json.error) {
      const error = (json.error ?? {}) as { code?: unknown; error_subcode?: unknown; message?: unknown };
      throw new GraphRequestError({
        status: response.status,
        code: typeof error.code === 'number' ? error.code : null,
        subcode: typeof error.error_subcode === 'number' ? error.error_subcode : null,
        message: typeof error.message === 'string' ? error.message : `Graph API answered ${response.status}`,
      });
    }
    return json;
  }
}
