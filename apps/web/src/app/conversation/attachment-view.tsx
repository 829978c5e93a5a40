import { useEffect, useState } from 'react';
import { fetchBlobUrl } from '../api/client.js';
import type { Attachment } from '../api/types.js';

function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Stored media comes from the api with the token; links to elsewhere open in a new tab. */
export function AttachmentView({ attachment }: { attachment: Attachment }) {
  const own = attachment.url.startsWith('/api/');
  const image = attachment.contentType.startsWith('image/');
  const [src, setSrc] = useState<string | null>(own ? null : attachment.url || null);
  useEffect(() => {
    if (!own || !image) return;
    let url: string | null = null;
    void fetchBlobUrl(attachment.url)
      .then((blobUrl) => {
        url = blobUrl;
        setSrc(blobUrl);
      })
      .catch(() => setSrc(null));
    return () => {
      if (url) URL.revokeObjectURL(url);
    };
  }, [own, image, attachment.url]);

  if (attachment.error || !attachment.url) {
    return (
      <span className="attachment failed" title={attachment.error}>
        Attachment: {attachment.name} (not available)
      </span>
    );
  }
  const label = `${attachment.name} · ${sizeLabel(attachment.size)}`;
  const open = async () => {
    const url = own ? await fetchBlobUrl(attachment.url) : attachment.url;
    window.open(url, '_blank', 'noopener');
  };
  return (
    <button
      type="button"
      className="attachment"
      onClick={() => void open()}
      title={`Open ${attachment.name}`}
    >
      {image && src ? (
        <img src={src} alt={attachment.name} loading="lazy" />
      ) : (
        <span aria-hidden="true"></span>
      )}
      <span>{label}</span>
    </button>
  );
}
