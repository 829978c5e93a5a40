import { useState } from 'react';
import { api } from '../api/client.js';
import type { ConversationView } from '../api/types.js';
import { useDirectory } from '../shell/directory.js';
import { contactName } from '../ui/format.js';
import { useToasts } from '../ui/toasts.js';
import { Composer } from './composer.js';
import { ContextSidebar } from './context-sidebar.js';
import { Timeline } from './timeline.js';
import { useConversation } from './use-conversation.js';

const SNOOZES: Array<{ label: string; until: () => Date }> = [
  { label: '1 hour', until: () => new Date(Date.now() + 3600_000) },
  { label: '4 hours', until: () => new Date(Date.now() + 4 * 3600_000) },
  { label: 'Tomorrow 9:00', until: () => atNine(1) },
  { label: 'Next week', until: () => atNine(7) },
];

/** A Date as the value of a datetime-local input (local time, minutes). */
function localInputValue(date: Date): string {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function atNine(days: number): Date {
  const date = new Date();
  date.setDate(date.getDate() + days);
  date.setHours(9, 0, 0, 0);
  return date;
}

export function ConversationPane({
  conversationId,
  onResolveToggle,
  onChanged,
}: {
  conversationId: string;
  onResolveToggle: (conversation: ConversationView) => Promise<void>;
  onChanged: (conversation: ConversationView) => void;
}) {
  const state = useConversation(conversationId);
  const { memberName } = useDirectory();
  const { notify } = useToasts();
  const [snoozeOpen, setSnoozeOpen] = useState(false);
  const [customUntil, setCustomUntil] = useState('');

  if (state.error && !state.detail) {
    return (
      <section className="pane" aria-label="Conversation">
        <p className="form-error" role="alert">
          {state.error}
        </p>
      </section>
    );
  }
  if (!state.detail) {
    return (
      <section className="pane" aria-label="Conversation" aria-busy="true">
        <div className="empty">
          <span className="spinner" />
        </div>
      </section>
    );
  }
  const { conversation, contact } = state.detail;
  const act = async (path: string, body: unknown = {}) => {
    try {
      const updated = await api.post<ConversationView>(`/conversations/${conversation.id}/${path}`, body);
      state.setConversation(updated);
      onChanged(updated);
    } catch (error) {
      notify((error as Error).message, { tone: 'error' });
    }
  };
  const resolved = conversation.status === 'resolved';

  return (
    <div className="conversation">
      <section className="pane" aria-label={`Conversation with ${contactName(contact)}`}>
        <header className="pane-header">
          <div className="pane-title">
            <h1>{contactName(contact)}</h1>
            <span className={`badge status-${conversation.status}`} data-testid="conversation-status">
              {conversation.status}
              {conversation.status === 'snoozed' && conversation.snoozedUntil
                ? ` until ${new Date(conversation.snoozedUntil).toLocaleString()}`
                : ''}
            </span>
            {conversation.subject && <span className="muted subject">{conversation.subject}</span>}
          </div>
          <div className="pane-actions">
            {!resolved && conversation.status !== 'pending' && (
              <button type="button" onClick={() => void act('pending')} title="Waiting on the customer">
                Pending
              </button>
            )}
            {!resolved && conversation.status !== 'open' && (
              <button type="button" onClick={() => void act('open')}>
                Open
              </button>
            )}
            {!resolved && (
              <div className="menu">
                <button
                  type="button"
                  aria-haspopup="menu"
                  aria-expanded={snoozeOpen}
                  onClick={() => setSnoozeOpen((open) => !open)}
                >
                  Snooze ▾
                </button>
                {snoozeOpen && (
                  <ul
                    role="menu"
                    className="menu-list"
                    onKeyDown={(e) => e.key === 'Escape' && setSnoozeOpen(false)}
                  >
                    <li role="none" className="snooze-custom">
                      <label>
                        Until
                        <input
                          type="datetime-local"
                          aria-label="Snooze until"
                          min={localInputValue(new Date())}
                          onChange={(event) => setCustomUntil(event.target.value)}
                        />
                      </label>
                      <button
                        type="button"
                        role="menuitem"
                        disabled={!customUntil}
                        onClick={() => {
                          setSnoozeOpen(false);
                          void act('snooze', { until: new Date(customUntil).toISOString() });
                        }}
                      >
                        Snooze
                      </button>
                    </li>
                    {SNOOZES.map((option) => (
                      <li key={option.label} role="none">
                        <button
                          type="button"
                          role="menuitem"
                          onClick={() => {
                            setSnoozeOpen(false);
                            void act('snooze', { until: option.until().toISOString() });
                          }}
                        >
                          {option.label}
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            )}
            <button
              type="button"
              className={resolved ? '' : 'primary'}
              onClick={() => void onResolveToggle(conversation).then(() => void state.reloadAll())}
              title={resolved ? 'Reopen (e)' : 'Resolve (e)'}
            >
              {resolved ? 'Reopen' : 'Resolve'}
            </button>
          </div>
        </header>
        {state.viewers.length > 0 && (
          <p className="collision" role="status" data-testid="collision-notice">
            {state.viewers.map(memberName).join(', ')} {state.viewers.length === 1 ? 'is' : 'are'} also
            viewing this conversation
          </p>
        )}
        <Timeline
          messages={state.messages}
          conversationId={conversation.id}
          conversations={state.profile?.conversations ?? []}
          hasOlder={state.hasOlder}
          loadOlder={state.loadOlder}
        />
        <div className="typing" aria-live="polite">
          {state.typing.length > 0 && `${state.typing.map(memberName).join(', ')} typing…`}
        </div>
        <Composer
          conversation={conversation}
          replyOptions={state.detail.replyOptions}
          onSent={(message) => state.upsert(message)}
        />
      </section>
      <ContextSidebar
        conversation={conversation}
        profile={state.profile}
        reloadProfile={() => void state.reloadAll()}
        onChanged={(updated) => {
          state.setConversation(updated);
          onChanged(updated);
        }}
      />
    </div>
  );
}
