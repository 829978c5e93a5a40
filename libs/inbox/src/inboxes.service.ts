import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { emailConfigProblem } from '@parley/channels';
import { isUniqueViolation, SecretCipher, TransactionRunner } from '@parley/database';
import { LocalCaches, type Channel, type LocalCache } from '@parley/realtime';
import { DirectoryRepository } from './directory.repository.js';
import { EmailMailboxRepository } from './email-mailbox.repository.js';
import { Inbox, type AssignmentPolicy, type ChannelHealth } from './inbox.entities.js';
import { InboxError, InboxErrorCode } from './inbox.errors.js';
import { webchatConfigProblem } from './webchat-config.js';

export interface InboxInput {
  name: string;
  channel: Channel;
  teamId?: string | null;
  enabled?: boolean;
  config?: Record<string, unknown>;
  secrets?: Record<string, string>;
  assignment?: AssignmentPolicy;
  /** Days messages are kept before the retention job redacts them; null keeps them forever. */
  retentionDays?: number | null;
}

export interface InboxPublicView {
  id: string;
  name: string;
  channel: Channel;
  teamId: string | null;
  enabled: boolean;
  config: Record<string, unknown>;
  /** Names of the secrets that are set; their values are never returned. */
  secretsSet: string[];
  health: ChannelHealth;
  assignment: AssignmentPolicy;
  retentionDays: number | null;
  createdAt: string;
  /** Email inboxes with IMAP: where the poller stands (UID cursor, last error, next retry). */
  mailbox?: MailboxHealthView | null;
}

export interface MailboxHealthView {
  folder: string;
  uidValidity: string | null;
  lastUid: number;
  lastPolledAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  failures: number;
  retryAfter: string | null;
}

/** SMS and WhatsApp through Twilio: account SID, auth token (secret), and a sender or Messaging Service. */
function twilioRule(config: Record<string, unknown>, secretNames: string[]): string | null {
  if (typeof config.accountSid !== 'string' || !/^AC[0-9a-fA-F]{32}$/.test(config.accountSid)) {
    return 'config.accountSid must be a Twilio account SID (AC + 32 hex digits)';
  }
  const from = config.from;
  const service = config.messagingServiceSid;
  if (from === undefined && service === undefined)
    return 'config needs from (E.164 number) or messagingServiceSid';
  if (from !== undefined && (typeof from !== 'string' || !/^\+[1-9]\d{6,14}$/.test(from))) {
    return 'config.from must be an E.164 number such as +14155550100';
  }
  if (service !== undefined && (typeof service !== 'string' || !/^MG[0-9a-fA-F]{32}$/.test(service))) {
    return 'config.messagingServiceSid must be MG + 32 hex digits';
  }
  if (!secretNames.includes('authToken'))
    return 'secrets.authToken is required (it also verifies webhook signatures)';
  return null;
}

/** Messenger and Instagram: the page (or IG account) id, its token and the app secret that signs webhooks. */
function metaRule(config: Record<string, unknown>, secretNames: string[]): string | null {
  if (typeof config.pageId !== 'string' || !/^\d{5,30}$/.test(config.pageId))
    return 'config.pageId must be the numeric page or account id';
  // The app id tells our own echoes from messages sent with other tools; without it they could double up.
  if (typeof config.appId !== 'string' || !/^\d{5,30}$/.test(config.appId))
    return 'config.appId must be the numeric Meta app id';
  if (config.humanAgentEnabled !== undefined && typeof config.humanAgentEnabled !== 'boolean') {
    return 'config.humanAgentEnabled must be true or false';
  }
  for (const secret of ['pageAccessToken', 'appSecret']) {
    if (!secretNames.includes(secret)) return `secrets.${secret} is required`;
  }
  return null;
}

/** Channel config rules the API enforces; channel issues extend this table. */
const CONFIG_RULES: Partial<
  Record<Channel, (config: Record<string, unknown>, secretNames: string[]) => string | null>
> = {
  sms: twilioRule,
  whatsapp: twilioRule,
  messenger: metaRule,
  instagram: metaRule,
  email: emailConfigProblem,
  webchat: webchatConfigProblem,
  api: (config) => {
    const url = config.webhookUrl;
    if (url === undefined || url === null || url === '') return null;
    if (typeof url !== 'string') return 'config.webhookUrl must be a string';
    try {
      return ['http:', 'https:'].includes(new URL(url).protocol) ? null : 'config.webhookUrl must be http(s)';
    } catch {
      return 'config.webhookUrl must be a URL';
    }
  },
};

const SECRET_NAMES = new Set([
  'authtoken',
  'pageaccesstoken',
  'appsecret',
  'verifytoken',
  'webhooksecret',
  'hmacsecret',
  'smtppassword',
  'imappassword',
  'webhooksigningkey',
  'password',
]);

/** The path of a credential-named key in a config (two levels: `smtp.password`), or null. */
function secretKeysIn(config: Record<string, unknown>, path = '', depth = 0): string | null {
  for (const [key, value] of Object.entries(config)) {
    if (SECRET_NAMES.has(key.toLowerCase())) return `${path}${key}`;
    if (depth < 1 && value && typeof value === 'object' && !Array.isArray(value)) {
      const nested = secretKeysIn(value as Record<string, unknown>, `${path}${key}.`, depth + 1);
      if (nested) return nested;
    }
  }
  return null;
}

/** The one unique key an inbox's config has: a web chat website token (index `inboxes_website_token`). */
function websiteTokenTaken(error: unknown): never {
  if (isUniqueViolation(error))
    throw new InboxError(InboxErrorCode.Conflict, 'config.websiteToken is already used by another inbox');
  throw error;
}

/** What `secrets:rotate` did: rows holding secrets, values sealed again, values already on the current key. */
export interface SecretsResealReport {
  rows: number;
  resealed: number;
  alreadyCurrent: number;
}

@Injectable()
export class InboxesService {
  /** Inbox rows by id, as the webhooks and the API channel read them on every message. */
  private readonly rows: LocalCache<Inbox>;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly cipher: SecretCipher,
    private readonly directory: DirectoryRepository,
    private readonly mailboxes: EmailMailboxRepository,
    caches: LocalCaches,
  ) {
    this.rows = caches.cache('inboxes');
  }

  async list(workspaceId: string): Promise<InboxPublicView[]> {
    const inboxes = await this.tx.manager.find(Inbox, {
      where: { workspaceId },
      order: { createdAt: 'ASC' },
      select: this.allColumns(),
    });
    return this.withMailboxes(
      workspaceId,
      inboxes.map((inbox) => this.view(inbox)),
    );
  }

  async get(workspaceId: string, id: string): Promise<InboxPublicView> {
    const [view] = await this.withMailboxes(workspaceId, [this.view(await this.load(workspaceId, id))]);
    return view;
  }

  /** The stored row (secrets still encrypted), through the cache; another workspace's is not found. */
  async row(workspaceId: string, id: string): Promise<Inbox> {
    const inbox = await this.find(workspaceId, id);
    if (!inbox) throw InboxError.notFound('Inbox');
    return inbox;
  }

  /**
   * The stored row (secrets still encrypted) read through the cache, or null. Inside a transaction
   * pass its manager: a miss then reads on the transaction's connection.
   */
  async find(workspaceId: string, id: string, manager?: EntityManager): Promise<Inbox | null> {
    const inbox = await this.cached(id, manager);
    return inbox?.workspaceId === workspaceId ? inbox : null;
  }

  private async withMailboxes(workspaceId: string, views: InboxPublicView[]): Promise<InboxPublicView[]> {
    const email = views.filter((view) => view.channel === 'email');
    const states = await this.mailboxes.findForInboxes(
      workspaceId,
      email.map((view) => view.id),
    );
    for (const view of email) {
      const state = states.find((s) => s.inboxId === view.id);
      const iso = (date: Date | null) => date?.toISOString() ?? null;
      view.mailbox = state
        ? {
            folder: state.folder,
            uidValidity: state.uidValidity,
            lastUid: Number(state.lastUid),
            lastPolledAt: iso(state.lastPolledAt),
            lastSuccessAt: iso(state.lastSuccessAt),
            lastError: state.lastError,
            lastErrorAt: iso(state.lastErrorAt),
            failures: state.failures,
            retryAfter: iso(state.retryAfter),
          }
        : null;
    }
    return views;
  }

  /** Creates an inbox. An API inbox gets a generated webhook secret, returned this once. */
  async create(
    workspaceId: string,
    input: InboxInput,
  ): Promise<{ inbox: InboxPublicView; generatedSecrets: Record<string, string> }> {
    const config = { ...input.config };
    this.validate(input.channel, config, Object.keys(input.secrets ?? {}));
    if (input.teamId) await this.requireTeam(workspaceId, input.teamId);
    const generatedSecrets: Record<string, string> = {};
    const secrets = { ...input.secrets };
    if (input.channel === 'api' && !secrets.webhookSecret) {
      secrets.webhookSecret = generatedSecrets.webhookSecret = randomBytes(32).toString('hex');
    }
    if ((input.channel === 'messenger' || input.channel === 'instagram') && !secrets.verifyToken) {
      secrets.verifyToken = generatedSecrets.verifyToken = randomBytes(24).toString('hex');
    }
    if (input.channel === 'webchat') {
      // The website token is public (it goes in the snippet); the HMAC secret verifies identities.
      config.websiteToken ??= randomBytes(18).toString('base64url');
      if (!secrets.hmacSecret)
        secrets.hmacSecret = generatedSecrets.hmacSecret = randomBytes(32).toString('hex');
    }
    const saved = await this.tx.manager
      .save(Inbox, {
        workspaceId,
        name: input.name,
        channel: input.channel,
        teamId: input.teamId ?? null,
        enabled: input.enabled ?? true,
        config,
        secrets: Object.keys(secrets).length ? this.cipher.encryptJson(secrets) : null,
        assignment: input.assignment ?? { mode: 'off' },
        retentionDays: input.retentionDays ?? null,
      })
      .catch(websiteTokenTaken);
    return { inbox: await this.get(workspaceId, saved.id), generatedSecrets };
  }

  async update(
    workspaceId: string,
    id: string,
    input: Partial<Omit<InboxInput, 'channel'>>,
  ): Promise<InboxPublicView> {
    const inbox = await this.load(workspaceId, id);
    const config = input.config ? { ...inbox.config, ...input.config } : inbox.config;
    const secrets = input.secrets ? { ...this.cipher.decryptJson(inbox.secrets), ...input.secrets } : null;
    this.validate(inbox.channel, config, Object.keys(secrets ?? this.cipher.decryptJson(inbox.secrets)));
    if (input.teamId) await this.requireTeam(workspaceId, input.teamId);
    await this.tx.manager
      .update(Inbox, { workspaceId, id }, {
        name: input.name ?? inbox.name,
        teamId: input.teamId === undefined ? inbox.teamId : input.teamId,
        enabled: input.enabled ?? inbox.enabled,
        config,
        assignment: input.assignment ?? inbox.assignment,
        retentionDays: input.retentionDays === undefined ? inbox.retentionDays : input.retentionDays,
        // New credentials clear a re-authorization flag; the next failure would raise it again.
        ...(secrets ? { secrets: this.cipher.encryptJson(secrets), health: { status: 'ok' } } : {}),
      } as QueryDeepPartialEntity<Inbox>)
      .catch(websiteTokenTaken);
    await this.rows.invalidate(id);
    return this.get(workspaceId, id);
  }

  async rotateWebhookSecret(workspaceId: string, id: string): Promise<string> {
    const inbox = await this.load(workspaceId, id);
    if (inbox.channel !== 'api')
      throw new InboxError(InboxErrorCode.InvalidInput, 'Only API inboxes have a webhook secret');
    const webhookSecret = randomBytes(32).toString('hex');
    const secrets = { ...this.cipher.decryptJson(inbox.secrets), webhookSecret };
    await this.tx.manager.update(Inbox, { workspaceId, id }, { secrets: this.cipher.encryptJson(secrets) });
    await this.rows.invalidate(id);
    return webhookSecret;
  }

  /**
   * The inbox a provider webhook names, with its decrypted secrets, for channel code only (never an
   * API response). Unknown or of another channel → not found; disabled → invalid state.
   */
  async forWebhook<S extends Record<string, unknown>>(
    id: string,
    channels: readonly Channel[],
  ): Promise<{ inbox: Inbox; secrets: S }> {
    const inbox = await this.cached(id);
    if (!inbox || !channels.includes(inbox.channel)) throw InboxError.notFound('Inbox');
    if (!inbox.enabled) throw new InboxError(InboxErrorCode.InvalidState, 'Inbox is disabled');
    return { inbox, secrets: this.cipher.decryptJson<S>(inbox.secrets) };
  }

  /**
   * Re-seals every inbox's secrets (channel credentials, widget HMAC secrets, webhook keys) with the
   * current encryption key, in one transaction: all rows move or none does. Idempotent.
   */
  async resealSecrets(): Promise<SecretsResealReport> {
    const resealedIds: string[] = [];
    const report = await this.tx.run(async (manager) => {
      const inboxes = await manager
        .createQueryBuilder(Inbox, 'inbox')
        .select(['inbox.id', 'inbox.workspaceId', 'inbox.secrets'])
        .where('inbox.secrets IS NOT NULL')
        .orderBy('inbox.id')
        .setLock('pessimistic_write')
        .getMany();
      const report: SecretsResealReport = { rows: inboxes.length, resealed: 0, alreadyCurrent: 0 };
      for (const inbox of inboxes) {
        const sealed = inbox.secrets ?? '';
        if (this.cipher.isCurrent(sealed)) {
          report.alreadyCurrent += 1;
          continue;
        }
        let resealed: string;
        try {
          resealed = this.cipher.reseal(sealed);
        } catch (error) {
          throw new InboxError(
            InboxErrorCode.InvalidState,
            `inboxes row ${inbox.id} (workspace ${inbox.workspaceId}): secrets cannot be decrypted with any ` +
              `configured key (${(error as Error).message}); nothing was changed`,
          );
        }
        await manager.update(Inbox, { workspaceId: inbox.workspaceId, id: inbox.id }, { secrets: resealed });
        resealedIds.push(inbox.id);
        report.resealed += 1;
      }
      return report;
    });
    for (const id of resealedIds) await this.rows.invalidate(id);
    return report;
  }

  /** Records what an operator must fix on this channel (e.g. Meta error 190: the token expired). */
  async markHealth(workspaceId: string, id: string, health: ChannelHealth): Promise<void> {
    await this.tx.manager.update(Inbox, { workspaceId, id }, { health });
    await this.rows.invalidate(id);
  }

  /** Disables rather than deletes: messages keep pointing at their inbox. */
  async disable(workspaceId: string, id: string): Promise<void> {
    await this.load(workspaceId, id);
    await this.tx.manager.update(Inbox, { workspaceId, id }, { enabled: false });
    await this.rows.invalidate(id);
  }

  /** A copy of the row (callers may change their copy), read through the process's cache. */
  private async cached(id: string, manager = this.tx.manager): Promise<Inbox | null> {
    const inbox = await this.rows.get(id, () =>
      manager.findOne(Inbox, { where: { id }, select: this.allColumns() }),
    );
    return inbox && Object.assign(new Inbox(), inbox);
  }

  /** The row as stored now, for a change that starts from it. */
  private async load(workspaceId: string, id: string): Promise<Inbox> {
    const inbox = await this.tx.manager.findOne(Inbox, {
      where: { workspaceId, id },
      select: this.allColumns(),
    });
    if (!inbox) throw InboxError.notFound('Inbox');
    return inbox;
  }

  private allColumns() {
    return {
      id: true,
      workspaceId: true,
      name: true,
      channel: true,
      teamId: true,
      enabled: true,
      health: true,
      assignment: true,
      retentionDays: true,
      config: true,
      secrets: true,
      createdAt: true,
    } as const;
  }

  private async requireTeam(workspaceId: string, teamId: string): Promise<void> {
    if (!(await this.directory.teamExists(workspaceId, teamId))) throw InboxError.notFound('Team');
  }

  private validate(channel: Channel, config: Record<string, unknown>, secretNames: string[]): void {
    // `config` is stored and returned in clear: a credential put there by mistake is refused.
    const misplaced = secretKeysIn(config);
    if (misplaced)
      throw new InboxError(
        InboxErrorCode.InvalidInput,
        `config.${misplaced} is a secret: send it in secrets`,
      );
    const problem = CONFIG_RULES[channel]?.(config, secretNames);
    if (problem) throw new InboxError(InboxErrorCode.InvalidInput, problem);
  }

  private view(inbox: Inbox): InboxPublicView {
    return {
      id: inbox.id,
      name: inbox.name,
      channel: inbox.channel,
      teamId: inbox.teamId,
      enabled: inbox.enabled,
      config: inbox.config,
      secretsSet: Object.keys(this.cipher.decryptJson(inbox.secrets)).sort(),
      health: inbox.health,
      assignment: inbox.assignment,
      retentionDays: inbox.retentionDays,
      createdAt: inbox.createdAt.toISOString(),
    };
  }
}
