import DOMPurify from 'dompurify';
import { useEffect, useState } from 'react';
import { api, ApiError } from '../api/client.js';
import type { EmailOriginal } from '../api/types.js';
import { Dialog } from '../ui/dialog.js';

/** Email HTML is sanitized again in the browser (DOMPurify) before it is shown; plain text is the default. */
export function sanitizeEmailHtml(html: string): string {
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style'],
  });
}

export function EmailOriginalDialog({ messageId, onClose }: { messageId: string; onClose: () => void }) {
  const [email, setEmail] = useState<EmailOriginal | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asHtml, setAsHtml] = useState(false);
  useEffect(() => {
    api
      .get<EmailOriginal>(`/messages/${messageId}/email`)
      .then(setEmail)
      .catch((caught: Error) =>
        setError(
          caught instanceof ApiError && caught.status === 404
            ? 'The original of this email is not stored (only its text was kept).'
            : caught.message,
        ),
      );
  }, [messageId]);
  return (
    <Dialog title={email?.subject || 'Original email'} onClose={onClose} wide>
      {error && <p className="form-error">{error}</p>}
      {!email && !error && <span className="spinner" />}
      {email && (
        <>
          <dl className="email-headers">
            <dt>From</dt>
            <dd>{email.from ? `${email.from.name ?? ''} <${email.from.address}>` : '—'}</dd>
            <dt>Date</dt>
            <dd>{email.date ? new Date(email.date).toLocaleString() : '—'}</dd>
          </dl>
          {email.html && (
            <label className="inline-toggle">
              <input type="checkbox" checked={asHtml} onChange={(event) => setAsHtml(event.target.checked)} />
              Show formatted (sanitized HTML)
            </label>
          )}
          {asHtml && email.html ? (
            <div className="email-html" dangerouslySetInnerHTML={{ __html: sanitizeEmailHtml(email.html) }} />
          ) : (
            <pre className="email-text">{email.text}</pre>
          )}
        </>
      )}
    </Dialog>
  );
}
