import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '../api/client.js';
import { useLive } from '../api/live.js';
import type { Attachment, ConversationView, MessageView, ReplyOption } from '../api/types.js';
import { useDirectory } from '../shell/directory.js';
import { CHANNEL_LABELS } from '../ui/format.js';
import { useToasts } from '../ui/toasts.js';
import { defaultOption, parseVariables } from './reply-options.js';

type Mode = 'reply' | 'note';

const TYPING_REFRESH_MS = 4000;

function optionLabel(option: ReplyOption): string {
  const base = `${CHANNEL_LABELS[option.channel]} · ${option.name}`;
  if (option.available) return option.tag ? `${base} (HUMAN_AGENT tag)` : base;
  return `${base} — unavailable`;
}

export function Composer({
  conversation,
  replyOptions,
  onSent,
}: {
  conversation: ConversationView;
  replyOptions: ReplyOption[];
  onSent: (message: MessageView) => void;
}) {
  const { canned } = useDirectory();
  const { socket } = useLive();
  const { notify } = useToasts();
  const [mode, setMode] = useState<Mode>('reply');
  const [body, setBody] = useState('');
  const [inboxId, setInboxId] = useState<string | null>(
    () => defaultOption(replyOptions, conversation.replyInboxId)?.inboxId ?? null,
  );
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [attachOpen, setAttachOpen] = useState(false);
  const [sending, setSending] = useState(false);
  const [suggestion, setSuggestion] = useState(0);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const typingOn = useRef(false);

  // Options change as windows open and close; keep the choice when it still exists.
  useEffect(() => {
    setInboxId((current) =>
      current && replyOptions.some((o) => o.inboxId === current)
        ? current
        : (defaultOption(replyOptions, conversation.replyInboxId)?.inboxId ?? null),
    );
  }, [replyOptions, conversation.replyInboxId]);

  // r / n from anywhere in the inbox.
  useEffect(() => {
    const onCompose = (event: Event) => {
      setMode((event as CustomEvent<Mode>).detail);
      textarea.current?.focus();
    };
    window.addEventListener('parley:compose', onCompose);
    return () => window.removeEventListener('parley:compose', onCompose);
  }, []);

  const selected = replyOptions.find((o) => o.inboxId === inboxId) ?? null;
  const unavailable = replyOptions.filter((o) => !o.available && o.inboxId !== inboxId);
  // WhatsApp outside its window: only an approved template can go, so the composer asks for one.
  const templateMode = mode === 'reply' && Boolean(selected?.templateOnly);
  const [template, setTemplate] = useState({ contentSid: '', variables: '' });
  const templateVariables = parseVariables(template.variables);
  const templateValid = /^HX[0-9a-fA-F]{32}$/.test(template.contentSid) && templateVariables !== null;
  const blockedReason =
    mode === 'note'
      ? null
      : !selected
        ? 'No channel can reach this customer.'
        : selected.available || selected.templateOnly
          ? null
          : (selected.reason ?? 'This channel cannot be used now.');

  // `/code` at the start of the box offers canned responses.
  const slash = /^\/([\w-]*)$/.exec(body);
  const matches = useMemo(
    () => (slash ? canned.filter((c) => c.shortCode.startsWith(slash[1].toLowerCase())).slice(0, 6) : []),
    [slash, canned],
  );
  useEffect(() => setSuggestion(0), [matches.length]);

  // Typing goes out when it starts, again every few seconds while it lasts (the event is volatile and
  // viewers expire it), and when it stops; notes are private, so they never show as typing.
  const lastTypingAt = useRef(0);
  const setTyping = (on: boolean) => {
    if (!socket || mode === 'note') return;
    const now = Date.now();
    if (typingOn.current === on && (!on || now - lastTypingAt.current < TYPING_REFRESH_MS)) return;
    typingOn.current = on;
    lastTypingAt.current = now;
    socket.emit('typing', { conversationId: conversation.id, state: on ? 'on' : 'off' });
  };
  const stopTyping = useRef(() => setTyping(false));
  stopTyping.current = () => setTyping(false);
  useEffect(() => () => stopTyping.current(), []);

  const send = async () => {
    const text = body.trim();
    if (sending || blockedReason) return;
    if (templateMode ? !templateValid : !text && attachments.length === 0) return;
    setSending(true);
    try {
      const message =
        mode === 'note'
          ? await api.post<MessageView>(`/conversations/${conversation.id}/notes`, { body: text })
          : await api.post<MessageView>(`/conversations/${conversation.id}/messages`, {
              ...(text ? { body: text } : {}),
              inboxId: inboxId ?? undefined,
              ...(templateMode
                ? { template: { contentSid: template.contentSid, variables: templateVariables ?? undefined } }
                : {}),
              ...(attachments.length ? { attachments } : {}),
            });
      onSent(message);
      setBody('');
      setAttachments([]);
      setTyping(false);
    } catch (error) {
      notify((error as Error).message, { tone: 'error' });
    } finally {
      setSending(false);
      textarea.current?.focus();
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (matches.length > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setSuggestion((s) => (s + step + matches.length) % matches.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        setBody(matches[suggestion].content);
        return;
      }
    }
    if (event.key === 'Escape') {
      event.currentTarget.blur();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <form
      className={`composer ${mode}`}
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
      aria-label="Composer"
    >
      <div className="composer-top">
        <div role="tablist" aria-label="Composer mode" className="mode-tabs">
          <button type="button" role="tab" aria-selected={mode === 'reply'} onClick={() => setMode('reply')}>
            Reply
          </button>
          <button type="button" role="tab" aria-selected={mode === 'note'} onClick={() => setMode('note')}>
            Private note
          </button>
        </div>
        {mode === 'reply' && (
          <label className="channel-picker">
            <span>Reply via</span>
            <select
              value={inboxId ?? ''}
              onChange={(event) => setInboxId(event.target.value)}
              aria-describedby={blockedReason ? 'reply-blocked' : undefined}
            >
              {replyOptions.map((option) => (
                <option
                  key={option.inboxId}
                  value={option.inboxId}
                  title={option.reason ?? undefined}
                  disabled={!option.available && !option.templateOnly && option.inboxId !== inboxId}
                >
                  {optionLabel(option)}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {blockedReason && (
        <p id="reply-blocked" className="blocked" role="status">
          {blockedReason}
        </p>
      )}
      {templateMode && (
        <div className="template" role="group" aria-label="WhatsApp template">
          <p className="blocked">{selected?.reason}</p>
          <input
            aria-label="Template SID"
            placeholder="Template SID (HX…)"
            value={template.contentSid}
            onChange={(event) => setTemplate({ ...template, contentSid: event.target.value.trim() })}
          />
          <input
            aria-label="Template variables"
            placeholder="Variables, e.g. 1=Maria, 2=#1042"
            value={template.variables}
            onChange={(event) => setTemplate({ ...template, variables: event.target.value })}
          />
        </div>
      )}
      {mode === 'reply' && unavailable.length > 0 && (
        <details className="unavailable">
          <summary>
            {unavailable.length} {unavailable.length === 1 ? 'channel' : 'channels'} unavailable
          </summary>
          <ul>
            {unavailable.map((option) => (
              <li key={option.inboxId}>
                <strong>{CHANNEL_LABELS[option.channel]}</strong> · {option.name}: {option.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      <div className="composer-box">
        <label htmlFor="composer-text" className="visually-hidden">
          {mode === 'note' ? 'Private note' : 'Reply'}
        </label>
        <textarea
          id="composer-text"
          ref={textarea}
          rows={3}
          value={body}
          placeholder={
            mode === 'note'
              ? 'Private note: only your team sees this (@name mentions a teammate)'
              : 'Write a reply… ( / for canned responses, Enter to send, Shift+Enter for a new line)'
          }
          onChange={(event) => {
            setBody(event.target.value);
            setTyping(event.target.value.length > 0);
          }}
          onBlur={() => setTyping(false)}
          onKeyDown={onKeyDown}
          aria-autocomplete="list"
          aria-controls={matches.length ? 'canned-list' : undefined}
          aria-activedescendant={matches.length ? `canned-${matches[suggestion]?.id}` : undefined}
        />
        {matches.length > 0 && (
          <ul id="canned-list" role="listbox" className="canned" aria-label="Canned responses">
            {matches.map((item, index) => (
              <li
                key={item.id}
                id={`canned-${item.id}`}
                role="option"
                aria-selected={index === suggestion}
                onMouseDown={(event) => {
                  event.preventDefault();
                  setBody(item.content);
                }}
              >
                <strong>/{item.shortCode}</strong> <span className="muted">{item.content}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {attachments.length > 0 && (
        <ul className="pending-attachments">
          {attachments.map((attachment, index) => (
            <li key={index}>
              Attachment: {attachment.name}{' '}
              <button
                type="button"
                className="icon"
                aria-label={`Remove ${attachment.name}`}
                onClick={() => setAttachments((all) => all.filter((_, i) => i !== index))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {attachOpen && (
        <AttachLink
          onAdd={(attachment) => {
            setAttachments((all) => [...all, attachment]);
            setAttachOpen(false);
          }}
          onCancel={() => setAttachOpen(false)}
        />
      )}
      <div className="composer-bottom">
        {mode === 'reply' && (
          <button type="button" className="subtle" onClick={() => setAttachOpen((open) => !open)}>
            + Attach link
          </button>
        )}
        <span className="muted hint">
          <kbd>Enter</kbd> send · <kbd>Shift</kbd>+<kbd>Enter</kbd> new line
        </span>
        <button
          type="submit"
          className="primary"
          disabled={sending || Boolean(blockedReason) || (templateMode && !templateValid)}
        >
          {mode === 'note' ? 'Add note' : templateMode ? 'Send template' : 'Send'}
        </button>
      </div>
    </form>
  );
}

/** The api takes attachments as links to files (http or https), not uploads. */
function AttachLink({ onAdd, onCancel }: { onAdd: (attachment: Attachment) => void; onCancel: () => void }) {
  const [url, setUrl] = useState('');
  const [name, setName] = useState('');
  const valid = /^https?:\/\/\S+$/.test(url);
  const add = () => {
    if (!valid) return;
    const fileName = name.trim() || decodeURIComponent(new URL(url).pathname.split('/').pop() || 'file');
    onAdd({ name: fileName, url, contentType: guessType(fileName), size: 0 });
  };
  return (
    <div className="attach-link" role="group" aria-label="Attach a file by link">
      <input
        type="url"
        placeholder="https://… link to the file"
        aria-label="File link"
        value={url}
        onChange={(event) => setUrl(event.target.value)}
      />
      <input
        type="text"
        placeholder="Name (optional)"
        aria-label="File name"
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <button type="button" onClick={add} disabled={!valid}>
        Add
      </button>
      <button type="button" className="subtle" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

function guessType(name: string): string {
  const extension = name.split('.').pop()?.toLowerCase() ?? '';
  const types: Record<string, string> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
    pdf: 'application/pdf',
    txt: 'text/plain',
  };
  return types[extension] ?? 'application/octet-stream';
}
