import twilio from 'twilio';

/**
 * twilio-node has no base-URL option; this client keeps its serialization and rewrites the host,
 * so TWILIO_API_BASE_URL can point at a proxy or a local fake.
 */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super();
  }

  override request<TData>(options: Parameters<twilio.RequestClient['request']>[0] & { data?: TData }) {
    const original = new URL(options.uri);
    return super.request<TData>({ ...options, uri: `${this.baseUrl}${original.pathname}${original.search}` });
  }
}

export type TwilioClient = ReturnType<typeof twilio>;

export function createTwilioClient(accountSid: string, authToken: string, baseUrl: string): TwilioClient {
  const rebased = baseUrl.replace(/\/$/, '') !== 'https://api.twilio.com';
  return twilio(accountSid, authToken, {
    ...(rebased ? { httpClient: new RebasedRequestClient(baseUrl.replace(/\/$/, '')) } : {}),
    timeout: 15_000,
  });
}

/** `X-Twilio-Signature` over the public URL and the form parameters (twilio-node's own validator). */
export function verifyTwilioSignature(
  authToken: string,
  signature: string,
  url: string,
  params: Record<string, string | string[]>,
): boolean {
  return twilio.validateRequest(authToken, signature, url, params);
}

export function signTwilioRequest(
  authToken: string,
  url: string,
  params: Record<string, string | string[]>,
): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}
