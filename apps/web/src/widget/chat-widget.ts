import { io, type Socket } from 'socket.io-client';
import { stringsFor, type Strings } from './i18n.js';
import type { ClientEvents, ServerEvents, VisitorDetails, WidgetHello, WidgetMessage } from './protocol.js';
import { STYLES } from './styles.js';

export interface WidgetUser {
  identifier: string;
  identifierHash: string;
  name?: string;
  email?: string;
}

export interface WidgetOptions {
  websiteToken: string;
  /** Where Parley runs; defaults to the origin widget.js was loaded from. */
  baseUrl: string;
  locale?: string;
  /** Brand color of the launcher, header and the visitor's bubbles. */
  color?: string;
  /** Text on that color. */
  textColor?: string;
  position?: 'left' | 'right';
  user?: WidgetUser;
}

/** One line of the conversation: a stored message, or the visitor's own one still on its way. */
interface Entry {
  key: string;
  message: WidgetMessage;
  state: 'sending' | 'sent' | 'failed';
  surveyId?: string;
}

const ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
const TYPING_THROTTLE_MS = 2500;
const TYPING_IDLE_MS = 4000;
const TYPING_SHOWN_MS = 8000;
const ACK_TIMEOUT_MS = 10_000;

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  // Everything a visitor or agent wrote goes in as text, never as HTML.
  if (text !== undefined) node.textContent = text;
  return node;
}

function initials(name: string | null): string {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  return parts.length
    ? parts
        .slice(0, 2)
        .map((part) => part[0].toUpperCase())
        .join('')
    : '?';
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The chat widget: a launcher and a panel in a shadow root, talking to `/widget` over socket.io. */
export class ChatWidget {
  private readonly t: Strings;
  private readonly host: HTMLElement;
  private readonly socket: Socket<ServerEvents, ClientEvents>;
  private readonly entries: Entry[] = [];
  private readonly answeredSurveys = new Set<string>();
  private hello: WidgetHello | null = null;
  private details: VisitorDetails | undefined;
  private isOpen = false;
  /** The team resolved the conversation; writing again reopens it. */
  private resolved = false;
  private typingSentAt = 0;
  private typingIdle: ReturnType<typeof setTimeout> | undefined;
  private typingShown: ReturnType<typeof setTimeout> | undefined;

  private readonly root: HTMLDivElement;
  private readonly launcher: HTMLButtonElement;
  private readonly badge: HTMLSpanElement;
  private readonly panel: HTMLDivElement;
  private readonly title: HTMLHeadingElement;
  private readonly status: HTMLParagraphElement;
  private readonly notice: HTMLDivElement;
  private readonly list: HTMLDivElement;
  private readonly typingLine: HTMLDivElement;
  private readonly composer: HTMLFormElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private preChat: HTMLFormElement | null = null;

  constructor(private readonly options: WidgetOptions) {
    this.t = stringsFor(options.locale);
    this.host = element('div', { 'data-parley-widget': '' });
    const shadow = this.host.attachShadow({ mode: 'open' });
    const style = element('style', {}, STYLES);
    this.root = element('div', { class: `root ${options.position === 'left' ? 'left' : 'right'}` });
    this.root.style.setProperty('--parley-color', options.color ?? '#4f46e5');
    this.root.style.setProperty('--parley-text', options.textColor ?? '#ffffff');

    this.panel = element('div', { class: 'panel', role: 'dialog', 'aria-label': 'Chat', hidden: '' });
    const header = element('header');
    const titles = element('div', { class: 'titles' });
    this.title = element('h2', {}, 'Chat');
    this.status = element('p');
    titles.append(this.title, this.status);
    const close = element('button', { class: 'close', type: 'button', 'aria-label': this.t.close }, '×');
    close.addEventListener('click', () => this.close());
    header.append(titles, close);
    this.notice = element('div', { class: 'notice', role: 'status', hidden: '' });
    this.list = element('div', { class: 'list', 'aria-live': 'polite' });
    this.typingLine = element('div', { class: 'typing' });
    this.composer = element('form', { class: 'composer' });
    this.input = element('textarea', {
      rows: '1',
      placeholder: this.t.placeholder,
      'aria-label': this.t.placeholder,
    });
    this.sendButton = element('button', { class: 'send', type: 'submit' }, this.t.send);
    this.composer.append(this.input, this.sendButton);
    this.panel.append(header, this.notice, this.list, this.typingLine, this.composer);

    this.launcher = element('button', { class: 'launcher', type: 'button', 'aria-label': this.t.open });
    this.launcher.innerHTML = ICON; // a constant, not user content
    this.badge = element('span', { class: 'badge', hidden: '' });
    this.launcher.append(this.badge);
    this.launcher.addEventListener('click', () => (this.isOpen ? this.close() : this.open()));
    this.root.append(this.panel, this.launcher);
    shadow.append(style, this.root);
    document.body.append(this.host);

    this.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener('input', () => this.noteTyping());
    document.addEventListener('visibilitychange', () => this.markRead());
    window.addEventListener('focus', () => this.markRead());

    this.socket = io(`${options.baseUrl}/widget`, {
      // Websocket only: no long-polling requests, so no CORS setup on the host's side.
      transports: ['websocket'],
      // Read on every (re)connection: the stored visitor token and the current user.
      auth: (callback) =>
        callback({
          websiteToken: options.websiteToken,
          visitorToken: this.storedToken(),
          ...(this.options.user ?? {}),
        }),
    });
    this.listen();
  }

  open(): void {
    this.isOpen = true;
    this.panel.hidden = false;
    this.launcher.setAttribute('aria-label', this.t.close);
    this.scrollToEnd();
    (this.preChat?.querySelector('input') ?? this.input).focus();
    this.markRead();
  }

  close(): void {
    this.isOpen = false;
    this.panel.hidden = true;
    this.launcher.setAttribute('aria-label', this.t.open);
  }

  /** Signs a host-site user in (or out, with undefined): a new identity, so a new conversation view. */
  setUser(user: WidgetUser | undefined): void {
    this.options.user = user;
    this.entries.length = 0;
    this.render();
    this.socket.disconnect().connect();
  }

  /** Forgets this browser's visitor (e.g. on logout): the next connection is a new visitor. */
  reset(): void {
    try {
      localStorage.removeItem(this.storageKey());
    } catch {
      // storage blocked: nothing stored either
    }
    this.setUser(undefined);
  }

  destroy(): void {
    this.socket.disconnect();
    this.host.remove();
  }

  private listen(): void {
    this.socket.on('session', (hello) => {
      this.hello = hello;
      this.storeToken(hello.visitorToken);
      this.notice.hidden = true;
      this.renderHeader();
      this.sync();
    });
    this.socket.on('connect_error', (error) => {
      // A refused handshake (unknown token, failed verification) will not fix itself: say why.
      const refused = !this.socket.active;
      this.showNotice(refused ? `${this.t.unavailable}: ${error.message}` : this.t.reconnecting);
    });
    this.socket.on('disconnect', () => {
      if (this.socket.active) this.showNotice(this.t.reconnecting);
    });
    this.socket.on('message', ({ message }) => {
      this.upsert(message, 'sent');
      if (message.direction === 'out') this.setTyping(null);
      this.markRead();
    });
    this.socket.on('typing', ({ state, agentName }) => this.setTyping(state === 'on' ? agentName : null));
    this.socket.on('conversation.status', ({ status }) => {
      this.resolved = status === 'resolved';
      this.render();
    });
  }

  /** Fetches what is missing: everything after the newest stored message (all of it the first time). */
  private sync(): void {
    const last = [...this.entries].reverse().find((entry) => entry.state === 'sent');
    this.socket.emit('messages.sync', last ? { after: last.message.id } : {}, (answer) => {
      if (!answer.ok) return;
      for (const message of answer.messages) this.upsert(message, 'sent', false);
      this.render();
      this.markRead();
    });
  }

  private upsert(message: WidgetMessage, state: Entry['state'], render = true): void {
    const existing = this.entries.find(
      (entry) => entry.message.id === message.id || (message.echoId && entry.key === message.echoId),
    );
    if (existing) {
      existing.message = message;
      existing.state = state;
    } else {
      this.entries.push({ key: message.echoId ?? message.id, message, state });
      this.entries.sort((a, b) => a.message.createdAt.localeCompare(b.message.createdAt));
    }
    if (render) this.render();
  }

  private submit(): void {
    const body = this.input.value.trim();
    if (!body) return;
    this.input.value = '';
    this.send(body);
  }

  private send(body: string, surveyId?: string, retry?: Entry): void {
    const echoId = retry?.key ?? randomId();
    const entry: Entry = retry ?? {
      key: echoId,
      state: 'sending',
      surveyId,
      message: {
        id: echoId,
        direction: 'in',
        kind: 'text',
        body,
        author: { name: null, type: 'contact' },
        attachments: [],
        echoId,
        survey: null,
        createdAt: new Date().toISOString(),
        readAt: null,
      },
    };
    entry.state = 'sending';
    if (!retry) this.entries.push(entry);
    this.render();
    this.stopTyping();
    this.socket.timeout(ACK_TIMEOUT_MS).emit(
      'message.send',
      {
        body,
        echoId,
        ...(entry.surveyId ? { surveyId: entry.surveyId } : {}),
        ...(this.details ? { details: this.details } : {}),
      },
      (error, answer) => {
        if (error || !answer.ok) {
          entry.state = 'failed';
          if (answer && !answer.ok) this.showNotice(answer.error.message);
          this.render();
          return;
        }
        this.details = undefined;
        this.notice.hidden = true;
        this.upsert(answer.message, 'sent');
      },
    );
  }

  private noteTyping(): void {
    const now = Date.now();
    if (now - this.typingSentAt > TYPING_THROTTLE_MS && this.input.value.trim()) {
      this.typingSentAt = now;
      this.socket.emit('typing', { state: 'on' }, () => undefined);
    }
    clearTimeout(this.typingIdle);
    this.typingIdle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  private stopTyping(): void {
    clearTimeout(this.typingIdle);
    if (!this.typingSentAt) return;
    this.typingSentAt = 0;
    this.socket.emit('typing', { state: 'off' }, () => undefined);
  }

  private setTyping(agentName: string | null | undefined): void {
    clearTimeout(this.typingShown);
    this.typingLine.textContent = agentName === null ? '' : this.t.typing(agentName ?? null);
    // An "on" without its "off" (a lost packet, a closed tab) fades by itself.
    if (agentName !== null) this.typingShown = setTimeout(() => this.setTyping(null), TYPING_SHOWN_MS);
  }

  /** Read receipt: the newest reply, once the panel is open and the page in front. */
  private markRead(): void {
    this.renderBadge();
    if (!this.isOpen || document.visibilityState !== 'visible') return;
    const unread = this.entries.filter((entry) => entry.message.direction === 'out' && !entry.message.readAt);
    const newest = unread.at(-1);
    if (!newest) return;
    const now = new Date().toISOString();
    for (const entry of unread) entry.message.readAt = now;
    this.renderBadge();
    this.socket.emit('read', { upTo: newest.message.id }, () => undefined);
  }

  private renderHeader(): void {
    const hello = this.hello;
    if (!hello) return;
    this.title.textContent = hello.inboxName;
    this.status.textContent = '';
    const dot = element('span', { class: hello.online ? 'dot on' : 'dot' });
    const line = hello.online
      ? hello.replyTime
        ? this.t.replyTime(hello.replyTime)
        : this.t.online
      : (hello.awayMessage ?? this.t.offline);
    this.status.append(dot, document.createTextNode(line));
    this.render();
  }

  private render(): void {
    this.list.replaceChildren();
    if (this.hello?.greeting) this.list.append(element('div', { class: 'greeting' }, this.hello.greeting));
    for (const entry of this.entries) this.list.append(this.renderEntry(entry));
    if (this.resolved) this.list.append(element('div', { class: 'greeting' }, this.t.resolved));
    if (this.shouldAskEmail()) this.list.append(this.renderEmailAsk());
    const needsForm = Boolean(this.hello?.preChatPending) && this.entries.length === 0 && !this.details;
    this.renderPreChat(needsForm);
    this.renderBadge();
    this.scrollToEnd();
  }

  private renderEntry(entry: Entry): HTMLElement {
    const { message } = entry;
    const row = element('div', { class: `row ${message.direction}`, 'data-message-id': message.id });
    const content = element('div');
    if (message.direction === 'out') {
      const name = message.author.name ?? this.hello?.inboxName ?? this.t.team;
      row.append(element('div', { class: 'avatar', 'aria-hidden': 'true' }, initials(name)));
      content.append(element('div', { class: 'author' }, name));
    }
    const bubble = element(
      'div',
      { class: 'bubble' },
      message.survey ? message.survey.question : message.body,
    );
    if (message.survey) bubble.append(this.renderChoices(message.survey));
    for (const attachment of message.attachments) {
      const link = element(
        'a',
        { href: attachment.url, target: '_blank', rel: 'noopener noreferrer' },
        attachment.name,
      );
      bubble.append(element('br'), link);
    }
    content.append(bubble);
    if (entry.state === 'sending') content.append(element('div', { class: 'meta' }, this.t.sending));
    if (entry.state === 'failed') {
      const failed = element('div', { class: 'meta failed', role: 'button', tabindex: '0' }, this.t.failed);
      failed.addEventListener('click', () => this.send(message.body, entry.surveyId, entry));
      content.append(failed);
    }
    row.append(content);
    return row;
  }

  private renderChoices(survey: NonNullable<WidgetMessage['survey']>): HTMLElement {
    const choices = element('div', { class: 'choices' });
    for (const choice of survey.choices) {
      const button = element('button', { type: 'button' }, choice.label);
      button.disabled = this.answeredSurveys.has(survey.surveyId);
      button.addEventListener('click', () => {
        this.answeredSurveys.add(survey.surveyId);
        this.send(String(choice.value), survey.surveyId);
      });
      choices.append(button);
    }
    return choices;
  }

  /** Continuity by email is on and the visitor wrote but left no address: offer to get replies by email. */
  private shouldAskEmail(): boolean {
    return Boolean(
      this.hello?.continuityEnabled &&
      !this.hello.continuityEmail &&
      this.entries.some((entry) => entry.message.direction === 'in' && entry.state === 'sent'),
    );
  }

  private renderEmailAsk(): HTMLElement {
    const form = element('form', { class: 'email-ask', novalidate: '' });
    const input = element('input', {
      type: 'email',
      name: 'email',
      autocomplete: 'email',
      placeholder: 'you@example.com',
      'aria-label': this.t.emailAsk,
    });
    const error = element('div', { class: 'error', role: 'alert' });
    form.append(
      element('label', {}, this.t.emailAsk),
      input,
      element('button', { class: 'send', type: 'submit' }, this.t.emailSave),
      error,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const email = input.value.trim();
      if (!email) return;
      this.socket.emit('contact.update', { email }, (answer) => {
        if (!answer.ok) {
          error.textContent = answer.error.message;
          return;
        }
        if (this.hello) this.hello.continuityEmail = true;
        this.render();
      });
    });
    return form;
  }

  /** The optional pre-chat form, in place of the composer until it is filled. */
  private renderPreChat(show: boolean): void {
    this.composer.hidden = show;
    if (!show || !this.hello) {
      this.preChat?.remove();
      this.preChat = null;
      return;
    }
    if (this.preChat) return;
    const form = element('form', { class: 'prechat', novalidate: '' });
    form.append(element('p', {}, this.t.preChatIntro));
    for (const field of this.hello.preChat.fields) {
      const label = element(
        'label',
        {},
        field.required ? `${field.label} (${this.t.required})` : field.label,
      );
      const input = element('input', {
        name: field.name,
        type: field.type === 'email' ? 'email' : field.type === 'phone' ? 'tel' : 'text',
        autocomplete: field.type === 'email' ? 'email' : field.type === 'phone' ? 'tel' : 'on',
      });
      input.required = field.required;
      label.append(input);
      form.append(label);
    }
    const error = element('div', { class: 'error', role: 'alert' });
    form.append(error, element('button', { class: 'send', type: 'submit' }, this.t.start));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const fields = this.hello?.preChat.fields ?? [];
      const answers: Record<string, string> = {};
      for (const field of fields) {
        const input = form.querySelector<HTMLInputElement>(`input[name="${field.name}"]`);
        answers[field.name] = input?.value.trim() ?? '';
      }
      const missing = fields
        .filter((field) => field.required && !answers[field.name])
        .map((field) => field.label);
      if (missing.length) {
        error.textContent = missing.join(', ');
        return;
      }
      const { name, email, phone, ...custom } = answers;
      this.details = {
        name: name || undefined,
        email: email || undefined,
        phone: phone || undefined,
        fields: custom,
      };
      this.render();
      this.input.focus();
    });
    this.panel.insertBefore(form, this.typingLine);
    this.preChat = form;
  }

  private renderBadge(): void {
    const unread = this.entries.filter(
      (entry) => entry.message.direction === 'out' && !entry.message.readAt,
    ).length;
    this.badge.hidden = unread === 0 || this.isOpen;
    this.badge.textContent = unread > 9 ? '9+' : String(unread);
  }

  private showNotice(text: string): void {
    this.notice.textContent = text;
    this.notice.hidden = false;
  }

  private scrollToEnd(): void {
    this.list.scrollTop = this.list.scrollHeight;
  }

  private storageKey(): string {
    return `parley:${this.options.websiteToken}:visitor`;
  }

  private storedToken(): string | undefined {
    try {
      return localStorage.getItem(this.storageKey()) ?? undefined;
    } catch {
      return undefined;
    }
  }

  private storeToken(token: string): void {
    try {
      localStorage.setItem(this.storageKey(), token);
    } catch {
      // storage blocked (private mode): the visitor is new on every page load
    }
  }
}
