/**
 * `npm run demo`'s phone simulator: the Twilio fake on SIMULATOR_PORT (3001) with a phone page, and
 * the Graph API fake on SIMULATOR_GRAPH_PORT (3002), so a newcomer can text the demo workspace by
 * SMS, WhatsApp or Messenger and see the agents' replies without any provider account. The demo
 * api and worker send through them (TWILIO_API_BASE_URL, META_GRAPH_BASE_URL); replies are answered
 * with signed status callbacks (Twilio) or delivery and read watermarks (Meta).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphFake } from './graph-fake.js';
import { TwilioFake } from './twilio-fake.js';

// Keep in step with the demo seed (apps/api/src/seed/seed.service.ts).
const ACCOUNT_SID = `AC${'d'.repeat(32)}`;
const AUTH_TOKEN = process.env.SIMULATOR_AUTH_TOKEN ?? 'parley-demo-twilio-token';
const PAGE_ID = '1000000000099';
const PAGE_TOKEN = 'parley-demo-page-token';
const APP_SECRET = 'parley-demo-app-secret';
const PORT = Number(process.env.SIMULATOR_PORT ?? 3001);
const GRAPH_PORT = Number(process.env.SIMULATOR_GRAPH_PORT ?? 3002);
const APP_URL = process.env.SIMULATOR_APP_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const PUBLIC_URL = process.env.PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;

interface Line {
  at: string;
  direction: 'in' | 'out';
  channel: 'sms' | 'whatsapp' | 'messenger';
  number: string;
  body: string;
  status?: string;
}

const fake = new TwilioFake().addAccount(ACCOUNT_SID, AUTH_TOKEN);
const graph = new GraphFake().addPage(PAGE_ID, PAGE_TOKEN);
const lines: Line[] = [];
let inboxes: Array<{ id: string; channel: 'sms' | 'whatsapp' | 'messenger'; from: string }> = [];

async function discoverInboxes(): Promise<void> {
  const login = await fetch(`${APP_URL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: process.env.SEED_ADMIN_EMAIL ?? 'admin@parley.local',
      password: process.env.SEED_ADMIN_PASSWORD ?? 'parley-admin',
    }),
  });
  if (!login.ok) throw new Error(`cannot sign in to ${APP_URL} (${login.status})`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const list = await fetch(`${APP_URL}/api/v1/inboxes`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  const { items } = (await list.json()) as {
    items: Array<{ id: string; channel: string; config: Record<string, unknown> }>;
  };
  inboxes = items.flatMap((inbox): typeof inboxes => {
    const from = typeof inbox.config.from === 'string' ? inbox.config.from : '';
    if (
      (inbox.channel === 'sms' || inbox.channel === 'whatsapp') &&
      inbox.config.accountSid === ACCOUNT_SID
    ) {
      return [{ id: inbox.id, channel: inbox.channel, from }];
    }
    if (inbox.channel === 'messenger' && inbox.config.pageId === PAGE_ID)
      return [{ id: inbox.id, channel: 'messenger' as const, from: '' }];
    return [];
  });
}

const readJson = (request: IncomingMessage) =>
  new Promise<Record<string, string>>((resolve) => {
    let data = '';
    request.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    request.on('end', () => {
      try {
        resolve(JSON.parse(data) as Record<string, string>);
      } catch {
        resolve({});
      }
    });
  });

const send = (response: ServerResponse, status: number, type: string, body: string) =>
  void response.writeHead(status, { 'content-type': type }).end(body);

fake.use(async (request, response) => {
  const path = new URL(request.url ?? '/', 'http://simulator').pathname;
  if (request.method === 'GET' && path === '/')
    return (send(response, 200, 'text/html; charset=utf-8', PAGE), true);
  if (request.method === 'GET' && path === '/lines')
    return (send(response, 200, 'application/json', JSON.stringify({ lines, inboxes })), true);
  if (request.method === 'POST' && path === '/send') {
    if (inboxes.length === 0) await discoverInboxes().catch(() => undefined);
    const { channel, number, body } = await readJson(request);
    const inbox = inboxes.find((i) => i.channel === channel);
    if (!inbox || !number || !body)
      return (
        send(response, 400, 'application/json', '{"error":"pick a channel, a number and a message"}'),
        true
      );
    if (channel === 'messenger') {
      graph.profiles.set(number, { first_name: 'Demo', last_name: `Customer ${number.slice(-4)}` });
      const at = Date.now();
      const answer = await sendToPage(inbox.id, number, { message: { mid: `m_sim_${at}`, text: body } }, at);
      lines.push({
        at: new Date(at).toISOString(),
        direction: 'in',
        channel: 'messenger',
        number,
        body,
        status: String(answer.status),
      });
      return (
        send(
          response,
          answer.status === 200 ? 200 : 502,
          'application/json',
          JSON.stringify({ status: answer.status }),
        ),
        true
      );
    }
    const prefix = channel === 'whatsapp' ? 'whatsapp:' : '';
    const answer = await fake.sendInbound(
      { appUrl: APP_URL, publicUrl: PUBLIC_URL, inboxId: inbox.id },
      {
        From: `${prefix}${number}`,
        To: `${prefix}${inbox.from}`,
        Body: body,
        ...(channel === 'whatsapp' ? { ProfileName: 'Demo customer' } : {}),
      },
    );
    lines.push({
      at: new Date().toISOString(),
      direction: 'in',
      channel: inbox.channel,
      number,
      body,
      status: String(answer.status),
    });
    return (
      send(
        response,
        answer.status === 200 ? 200 : 502,
        'application/json',
        JSON.stringify({ status: answer.status }),
      ),
      true
    );
  }
  return false;
});

fake.onMessage((message) => {
  const to = String(message.fields.To ?? '');
  const line: Line = {
    at: new Date().toISOString(),
    direction: 'out',
    channel: to.startsWith('whatsapp:') ? 'whatsapp' : 'sms',
    number: to.replace(/^whatsapp:/, ''),
    body: String(message.fields.Body ?? `(template ${String(message.fields.ContentSid ?? '')})`),
    status: 'queued',
  };
  lines.push(line);
  const target = { appUrl: APP_URL, publicUrl: PUBLIC_URL };
  for (const [delay, status] of [
    [400, 'sent'],
    [1200, 'delivered'],
  ] as const) {
    setTimeout(() => {
      line.status = status;
      void fake.sendStatus(target, message, status).catch(() => undefined);
    }, delay);
  }
});

/** One Messenger event from `psid` to the demo page, signed and posted as Meta would. */
function sendToPage(inboxId: string, psid: string, event: Record<string, unknown>, at: number) {
  return graph.sendWebhook(
    { appUrl: APP_URL, inboxId, appSecret: APP_SECRET },
    {
      object: 'page',
      entry: [
        {
          id: PAGE_ID,
          time: at,
          messaging: [{ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: at, ...event }],
        },
      ],
    },
  );
}

// Messenger replies: shown on the page, then delivered and read by watermark.
let graphSeen = 0;
setInterval(() => {
  for (const sent of graph.sends.slice(graphSeen)) {
    const psid = sent.body.recipient?.id ?? '';
    if (!sent.body.message) continue;
    const line: Line = {
      at: new Date().toISOString(),
      direction: 'out',
      channel: 'messenger',
      number: psid,
      body: sent.body.message.text ?? '(attachment)',
      status: 'sent',
    };
    lines.push(line);
    const inbox = inboxes.find((i) => i.channel === 'messenger');
    for (const [delay, field] of [
      [500, 'delivery'],
      [1500, 'read'],
    ] as const) {
      setTimeout(() => {
        line.status = field === 'delivery' ? 'delivered' : 'read';
        const at = Date.now();
        if (!inbox) return;
        void sendToPage(inbox.id, psid, { [field]: { watermark: at } }, at).catch(() => undefined);
      }, delay);
    }
  }
  graphSeen = graph.sends.length;
}, 250).unref();

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Parley phone simulator</title><style>
body{font:15px system-ui,sans-serif;margin:0;background:#f1f5f9;display:flex;justify-content:center}
main{width:min(420px,100%);min-height:100vh;background:#fff;display:flex;flex-direction:column}
header{padding:12px 16px;background:#0f172a;color:#fff}header small{opacity:.7;display:block}
form{display:flex;gap:6px;padding:10px;border-top:1px solid #e2e8f0;flex-wrap:wrap}
input,select,button{font:inherit;padding:8px;border:1px solid #cbd5e1;border-radius:8px}
#body{flex:1 1 100%}button{background:#2563eb;color:#fff;border:0;flex:1}
ol{list-style:none;margin:0;padding:12px;flex:1;overflow:auto;display:flex;flex-direction:column;gap:8px}
li{max-width:80%;padding:8px 12px;border-radius:14px;white-space:pre-wrap}
.in{align-self:flex-end;background:#2563eb;color:#fff}.out{align-self:flex-start;background:#e2e8f0}
li small{display:block;font-size:11px;opacity:.7}</style></head><body><main>
<header>Parley phone simulator<small>Text the demo workspace by SMS, WhatsApp or Messenger; agents' replies appear here. (Messenger: the number field is your PSID.)</small></header>
<ol id="thread"></ol>
<form id="f"><select id="channel"><option value="sms">SMS</option><option value="whatsapp">WhatsApp</option><option value="messenger">Messenger</option></select>
<input id="number" value="+14155550123" size="14" aria-label="your number">
<input id="body" placeholder="Type a message" autocomplete="off" aria-label="message"><button>Send</button></form></main>
<script>
const $=(id)=>document.getElementById(id);
async function refresh(){const r=await fetch('/lines');const {lines}=await r.json();const n=$('number').value;
const ol=$('thread');ol.replaceChildren(...lines.filter(l=>l.number===n).map(l=>{const li=document.createElement('li');li.className=l.direction;
li.textContent=l.body;const s=document.createElement('small');s.textContent=l.channel.toUpperCase()+' · '+new Date(l.at).toLocaleTimeString()+(l.direction==='out'?' · '+l.status:'');li.append(s);return li;}));ol.scrollTop=ol.scrollHeight;}
$('f').addEventListener('submit',async(e)=>{e.preventDefault();const body=$('body').value.trim();if(!body)return;$('body').value='';
await fetch('/send',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({channel:$('channel').value,number:$('number').value,body})});refresh();});
setInterval(refresh,1000);refresh();
</script></body></html>`;

await graph.start(GRAPH_PORT, '127.0.0.1');
await fake.start(PORT, '127.0.0.1');
console.log(
  `Phone simulator on ${fake.url} — text the demo workspace from there (SMS, WhatsApp, Messenger).`,
);
