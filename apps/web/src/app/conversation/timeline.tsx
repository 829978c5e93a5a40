import { Fragment, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ContactProfile, MessageView } from '../api/types.js';
import { useDirectory } from '../shell/directory.js';
import { CHANNEL_LABELS, clockTime, fullTime } from '../ui/format.js';
import { AttachmentView } from './attachment-view.js';
import { EmailOriginalDialog } from './email-original.js';
import { markSeen } from '../inbox/unread.js';
import { blocksOf } from './timeline-blocks.js';

export function Timeline({
  messages,
  conversationId,
  conversations,
  hasOlder,
  loadOlder,
}: {
  messages: MessageView[];
  conversationId: string;
  conversations: ContactProfile['conversations'];
  hasOlder: boolean;
  loadOlder: () => Promise<void>;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [original, setOriginal] = useState<string | null>(null);
  const stickToBottom = useRef(true);
  const previousHeight = useRef(0);
  const blocks = blocksOf(messages);

  // New messages keep the view at the bottom if it was there; loading older ones keeps the reading position.
  useLayoutEffect(() => {
    const node = scroller.current;
    if (!node) return;
    if (stickToBottom.current) node.scrollTop = node.scrollHeight;
    else if (previousHeight.current && node.scrollHeight > previousHeight.current && node.scrollTop < 50) {
      node.scrollTop += node.scrollHeight - previousHeight.current;
    }
    previousHeight.current = node.scrollHeight;
  }, [messages, expanded]);

  useEffect(() => {
    const last = messages.filter((m) => m.conversationId === conversationId && m.direction === 'in').at(-1);
    if (last) markSeen(conversationId, last.createdAt);
  }, [messages, conversationId]);

  return (
    <div
      className="timeline"
      ref={scroller}
      role="log"
      aria-label="Messages"
      aria-live="polite"
      tabIndex={0}
      onScroll={(event) => {
        const node = event.currentTarget;
        stickToBottom.current = node.scrollHeight - node.scrollTop - node.clientHeight < 40;
      }}
    >
      {hasOlder && (
        <button type="button" className="load-older" onClick={() => void loadOlder()}>
          Load earlier messages
        </button>
      )}
      {blocks.map((block, index) => {
        const current = block.conversationId === conversationId;
        const info = conversations.find((c) => c.id === block.conversationId);
        const folded = !current && !expanded.has(`${block.conversationId}-${index}`);
        return (
          <Fragment key={`${block.conversationId}-${index}`}>
            <div className={`boundary ${current ? 'current' : ''}`} role="separator">
              <span>
                {current ? 'This conversation' : 'Earlier conversation'}
                {info && ` · opened ${clockTime(info.openedAt)}`}
                {info?.resolvedAt && ` · resolved ${clockTime(info.resolvedAt)}`}
                {info?.subject && ` · ${info.subject}`}
              </span>
              {!current && (
                <button
                  type="button"
                  className="link"
                  aria-expanded={!folded}
                  onClick={() =>
                    setExpanded((previous) => {
                      const next = new Set(previous);
                      const key = `${block.conversationId}-${index}`;
                      if (next.has(key)) next.delete(key);
                      else next.add(key);
                      return next;
                    })
                  }
                >
                  {folded
                    ? `Show ${block.messages.length} ${block.messages.length === 1 ? 'message' : 'messages'}`
                    : 'Fold'}
                </button>
              )}
            </div>
            {!folded &&
              block.messages.map((message) => (
                <MessageBubble key={message.id} message={message} onShowOriginal={setOriginal} />
              ))}
          </Fragment>
        );
      })}
      {messages.length === 0 && <p className="muted empty-list">No messages yet.</p>}
      {original && <EmailOriginalDialog messageId={original} onClose={() => setOriginal(null)} />}
    </div>
  );
}

const STATUS_LABEL: Record<MessageView['status'], string> = {
  received: '',
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Failed',
  undelivered: 'Undelivered',
};

function MessageBubble({
  message,
  onShowOriginal,
}: {
  message: MessageView;
  onShowOriginal: (id: string) => void;
}) {
  const { memberName } = useDirectory();
  if (message.kind === 'event') {
    return (
      <div className="event-line">
        {message.body} · <time dateTime={message.createdAt}>{clockTime(message.createdAt)}</time>
      </div>
    );
  }
  const note = message.kind === 'note';
  const author =
    message.senderType === 'contact'
      ? null
      : message.senderType === 'agent'
        ? memberName(message.authorId)
        : message.senderType === 'bot'
          ? 'Bot'
          : 'System';
  return (
    <article
      className={`message ${message.direction} ${note ? 'note' : ''} ${message.status}`}
      data-testid="message"
      data-kind={message.kind}
      aria-label={`${note ? 'Private note' : message.direction === 'in' ? 'Customer message' : 'Reply'}${
        author ? ` by ${author}` : ''
      }`}
    >
      <div className="message-meta">
        {note ? (
          <span className="badge note-badge">Private note</span>
        ) : (
          message.channel && (
            <span className={`badge channel-${message.channel}`}>{CHANNEL_LABELS[message.channel]}</span>
          )
        )}
        {author && <span className="author">{author}</span>}
        <time dateTime={message.createdAt} title={fullTime(message.createdAt)}>
          {clockTime(message.createdAt)}
        </time>
        {message.direction === 'out' && !note && STATUS_LABEL[message.status] && (
          <span className={`delivery delivery-${message.status}`} data-testid="delivery-status">
            {STATUS_LABEL[message.status]}
          </span>
        )}
      </div>
      {/* Bodies are text: React escapes them, and pre-wrap keeps the customer's line breaks. */}
      <div className="message-body">{message.body}</div>
      {message.attachments.length > 0 && (
        <ul className="attachments">
          {message.attachments.map((attachment, index) => (
            <li key={index}>
              <AttachmentView attachment={attachment} />
            </li>
          ))}
        </ul>
      )}
      {message.error && <p className="message-error">{message.error.message}</p>}
      {message.channel === 'email' && message.direction === 'in' && (
        <button type="button" className="link small" onClick={() => onShowOriginal(message.id)}>
          Show original
        </button>
      )}
    </article>
  );
}
