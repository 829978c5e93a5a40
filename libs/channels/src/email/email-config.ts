/** An email inbox's settings (inboxes.config); passwords and the webhook key live in its secrets. */
export interface EmailConfig {
  address: string;
  displayName: string | null;
  /** A domain whose mail reaches this inbox; enables `Reply-To: reply+<token>@<inboundDomain>`. */
  inboundDomain: string | null;
  smtp: { host: string; port: number; tlsMode: 'none' | 'starttls' | 'tls'; user: string | null } | null;
  imap: { host: string; port: number; tls: boolean; user: string; folder: string } | null;
}

const ADDRESS = /^[^\s@<>()",;:]+@[a-z0-9.-]+\.[a-z]{2,}$|^[^\s@<>()",;:]+@[a-z0-9-]+$/i;
const HOST = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$|^\[?[0-9a-f:.]+\]?$/i;
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i;
const TLS_MODES = ['none', 'starttls', 'tls'] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isPort = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 65536;

/** What is wrong with an email inbox's config, in words, or null. */
export function emailConfigProblem(
  config: Record<string, unknown>,
  secretNames: readonly string[],
): string | null {
  if (typeof config.address !== 'string' || !ADDRESS.test(config.address))
    return 'config.address must be the inbox’s email address, such as support@example.com';
  if (config.displayName !== undefined && config.displayName !== null) {
    if (
      typeof config.displayName !== 'string' ||
      config.displayName.length > 100 ||
      /[\r\n]/.test(config.displayName)
    )
      return 'config.displayName must be one line of at most 100 characters';
  }
  if (config.inboundDomain !== undefined && config.inboundDomain !== null) {
    if (typeof config.inboundDomain !== 'string' || !DOMAIN.test(config.inboundDomain))
      return 'config.inboundDomain must be a domain name such as reply.example.com';
  }
  if (config.smtp !== undefined && config.smtp !== null) {
    const smtp = config.smtp;
    if (!isObject(smtp)) return 'config.smtp must be an object { host, port, tlsMode, user }';
    if (typeof smtp.host !== 'string' || !HOST.test(smtp.host)) return 'config.smtp.host must be a host name';
    if (!isPort(smtp.port)) return 'config.smtp.port must be a port number (1-65535)';
    if (!TLS_MODES.includes(smtp.tlsMode as never))
      return 'config.smtp.tlsMode must be none, starttls or tls';
    if (smtp.user !== undefined && smtp.user !== null && (typeof smtp.user !== 'string' || !smtp.user))
      return 'config.smtp.user must be a non-empty string';
    if (typeof smtp.user === 'string' && !secretNames.includes('smtpPassword'))
      return 'secrets.smtpPassword is required with config.smtp.user';
  }
  if (config.imap !== undefined && config.imap !== null) {
    const imap = config.imap;
    if (!isObject(imap)) return 'config.imap must be an object { host, port, tls, user, folder }';
    if (typeof imap.host !== 'string' || !HOST.test(imap.host)) return 'config.imap.host must be a host name';
    if (!isPort(imap.port)) return 'config.imap.port must be a port number (1-65535)';
    if (typeof imap.tls !== 'boolean') return 'config.imap.tls must be true or false';
    if (typeof imap.user !== 'string' || !imap.user) return 'config.imap.user is required';
    if (
      imap.folder !== undefined &&
      (typeof imap.folder !== 'string' || !imap.folder || imap.folder.length > 200)
    )
      return 'config.imap.folder must be a folder name such as INBOX';
    if (!secretNames.includes('imapPassword')) return 'secrets.imapPassword is required with config.imap';
  }
  return null;
}

/** The typed config of a valid email inbox, or null when it has no usable address. */
export function readEmailConfig(config: Record<string, unknown>): EmailConfig | null {
  if (typeof config.address !== 'string' || !ADDRESS.test(config.address)) return null;
  const smtp = isObject(config.smtp) ? config.smtp : null;
  const imap = isObject(config.imap) ? config.imap : null;
  return {
    address: config.address,
    displayName: typeof config.displayName === 'string' && config.displayName ? config.displayName : null,
    inboundDomain:
      typeof config.inboundDomain === 'string' && config.inboundDomain
        ? config.inboundDomain.toLowerCase()
        : null,
    smtp:
      smtp && typeof smtp.host === 'string' && isPort(smtp.port)
        ? {
            host: smtp.host,
            port: smtp.port,
            tlsMode: TLS_MODES.includes(smtp.tlsMode as never) ? (smtp.tlsMode as 'none') : 'starttls',
            user: typeof smtp.user === 'string' && smtp.user ? smtp.user : null,
          }
        : null,
    imap:
      imap && typeof imap.host === 'string' && isPort(imap.port) && typeof imap.user === 'string'
        ? {
            host: imap.host,
            port: imap.port,
            tls: imap.tls === true,
            user: imap.user,
            folder: typeof imap.folder === 'string' && imap.folder ? imap.folder : 'INBOX',
          }
        : null,
  };
}
