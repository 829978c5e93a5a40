const en = {
  open: 'Open chat',
  close: 'Close chat',
  placeholder: 'Write a message…',
  send: 'Send',
  online: 'We are online',
  replyTime: (time: string) => `We typically reply in ${time}`,
  offline: 'We are away right now. Leave a message and we will get back to you.',
  typing: (name: string | null) => (name ? `${name} is typing…` : 'Typing…'),
  sending: 'Sending…',
  seen: 'Seen',
  failed: 'Not sent. Tap to retry.',
  reconnecting: 'Reconnecting…',
  start: 'Start chat',
  preChatIntro: 'Please tell us a little about yourself.',
  required: 'required',
  team: 'Team',
  unavailable: 'Chat is unavailable',
  resolved: 'This conversation was marked as solved. Write again any time.',
  emailAsk: 'Leave your email and we will send our reply there if you are gone.',
  emailSave: 'Notify me',
};

export type Strings = typeof en;

const de: Strings = {
  ...en,
  open: 'Chat öffnen',
  close: 'Chat schließen',
  placeholder: 'Nachricht schreiben…',
  send: 'Senden',
  online: 'Wir sind online',
  replyTime: (time) => `Wir antworten meist in ${time}`,
  offline: 'Wir sind gerade nicht da. Schreiben Sie uns, wir melden uns.',
  typing: (name) => (name ? `${name} schreibt…` : 'Schreibt…'),
  sending: 'Wird gesendet…',
  seen: 'Gelesen',
  failed: 'Nicht gesendet. Tippen zum Wiederholen.',
  reconnecting: 'Verbinde neu…',
  start: 'Chat starten',
  preChatIntro: 'Bitte erzählen Sie uns kurz etwas über sich.',
  required: 'Pflichtfeld',
  unavailable: 'Chat nicht verfügbar',
  resolved: 'Dieses Gespräch wurde als gelöst markiert. Schreiben Sie gern jederzeit wieder.',
  emailAsk: 'Hinterlassen Sie Ihre E-Mail, dann senden wir die Antwort dorthin, falls Sie weg sind.',
  emailSave: 'Benachrichtigen',
};

const fr: Strings = {
  ...en,
  open: 'Ouvrir le chat',
  close: 'Fermer le chat',
  placeholder: 'Écrivez un message…',
  send: 'Envoyer',
  online: 'Nous sommes en ligne',
  replyTime: (time) => `Nous répondons généralement en ${time}`,
  offline: 'Nous sommes absents. Laissez un message, nous vous répondrons.',
  typing: (name) => (name ? `${name} écrit…` : 'Écrit…'),
  sending: 'Envoi…',
  seen: 'Lu',
  failed: 'Non envoyé. Touchez pour réessayer.',
  reconnecting: 'Reconnexion…',
  start: 'Commencer',
  preChatIntro: 'Dites-nous en un peu plus sur vous.',
  required: 'obligatoire',
  team: 'Équipe',
  unavailable: 'Chat indisponible',
  resolved: 'Cette conversation est marquée comme résolue. Écrivez-nous quand vous voulez.',
  emailAsk: 'Laissez votre e-mail : nous y enverrons notre réponse si vous êtes parti.',
  emailSave: 'Me prévenir',
};

const es: Strings = {
  ...en,
  open: 'Abrir chat',
  close: 'Cerrar chat',
  placeholder: 'Escribe un mensaje…',
  send: 'Enviar',
  online: 'Estamos en línea',
  replyTime: (time) => `Solemos responder en ${time}`,
  offline: 'Ahora no estamos. Déjanos un mensaje y te responderemos.',
  typing: (name) => (name ? `${name} está escribiendo…` : 'Escribiendo…'),
  sending: 'Enviando…',
  seen: 'Visto',
  failed: 'No enviado. Toca para reintentar.',
  reconnecting: 'Reconectando…',
  start: 'Empezar',
  preChatIntro: 'Cuéntanos un poco sobre ti.',
  required: 'obligatorio',
  team: 'Equipo',
  unavailable: 'Chat no disponible',
  resolved: 'Esta conversación se marcó como resuelta. Escríbenos cuando quieras.',
  emailAsk: 'Déjanos tu email y te enviaremos la respuesta allí si te has ido.',
  emailSave: 'Avisarme',
};

const LOCALES: Record<string, Strings> = { en, de, fr, es };

/** The strings for `locale` (e.g. "de-AT" → de), falling back to English. */
export function stringsFor(locale: string | undefined): Strings {
  const language = (locale ?? navigator.language).toLowerCase().split('-')[0];
  return LOCALES[language] ?? en;
}
