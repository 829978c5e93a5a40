import { ChatWidget, type WidgetOptions, type WidgetUser } from './chat-widget.js';

/**
 * Entry of `/widget.js`. Configure with `window.parleySettings = { websiteToken, locale?, color?,
 * position?, user? }` before the script, or data attributes on the script tag
 * (`data-website-token`, `data-locale`, `data-color`, `data-position`).
 */
interface ParleyApi {
  open(): void;
  close(): void;
  setUser(user: WidgetUser | undefined): void;
  reset(): void;
}

declare global {
  interface Window {
    parleySettings?: Partial<WidgetOptions> & { open?: boolean };
    Parley?: ParleyApi;
  }
}

function start(): void {
  if (window.Parley) return; // loaded twice
  const script = document.currentScript as HTMLScriptElement | null;
  const data = script?.dataset ?? {};
  const settings = window.parleySettings ?? {};
  const websiteToken = settings.websiteToken ?? data.websiteToken;
  if (!websiteToken) {
    console.warn(
      'Parley widget: no website token (window.parleySettings.websiteToken or data-website-token)',
    );
    return;
  }
  const baseUrl = (settings.baseUrl ?? (script?.src ? new URL(script.src).origin : location.origin)).replace(
    /\/+$/,
    '',
  );
  const position = settings.position ?? data.position;
  const mount = () => {
    const widget = new ChatWidget({
      websiteToken,
      baseUrl,
      locale: settings.locale ?? data.locale,
      color: settings.color ?? data.color,
      textColor: settings.textColor ?? data.textColor,
      position: position === 'left' ? 'left' : 'right',
      user: settings.user,
    });
    window.Parley = {
      open: () => widget.open(),
      close: () => widget.close(),
      setUser: (user) => widget.setUser(user),
      reset: () => widget.reset(),
    };
    if (settings.open) widget.open();
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
}

start();
