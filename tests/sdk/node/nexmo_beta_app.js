// An app written with nexmo@2.7.0-beta-1 (Messages v0.1 `channel.send`, Dispatch
// `dispatch.create`), following the 2018 README. Reads {"host", "port", "tls",
// "applicationId", "privateKey", "apiKey", "apiSecret"} on stdin, prints results as JSON.
// The beta has no base-URL option: {host, port} replace api.nexmo.com, and any port but 443
// is plain http. For the TLS listener the SDK takes the `https` module as `http`.
'use strict';

const Nexmo = require('nexmo');

const TO = '447700900000';
const FROM = '447700900001';
const image = { url: 'https://example.com/image.jpg', caption: 'a picture' };

const KINDS = {
  sms: [{ type: 'sms', number: TO }, { type: 'sms', number: FROM },
    { content: { type: 'text', text: 'Hello SMS' } }],
  mms_image: [{ type: 'mms', number: TO }, { type: 'mms', number: FROM },
    { content: { type: 'image', image } }],
  whatsapp_text: [{ type: 'whatsapp', number: TO }, { type: 'whatsapp', number: FROM },
    { content: { type: 'text', text: 'Hello WhatsApp' } }],
  whatsapp_image: [{ type: 'whatsapp', number: TO }, { type: 'whatsapp', number: FROM },
    { content: { type: 'image', image } }],
  whatsapp_template: [{ type: 'whatsapp', number: TO }, { type: 'whatsapp', number: FROM },
    {
      content: { type: 'template', template: { name: 'verify_code', parameters: ['1234'] } },
      whatsapp: { policy: 'deterministic', locale: 'en-GB' },
    }],
  messenger_text: [{ type: 'messenger', id: '1234567890' }, { type: 'messenger', id: '0987654321' },
    { content: { type: 'text', text: 'Hello Messenger' } }],
  viber_text: [{ type: 'viber_service_msg', number: TO }, { type: 'viber_service_msg', id: '16273' },
    {
      content: { type: 'text', text: 'Hello Viber' },
      viber_service_msg: { category: 'transaction', ttl: 600 },
    }],
};

const WORKFLOW = [
  {
    from: { type: 'whatsapp', number: FROM },
    to: { type: 'whatsapp', number: TO },
    message: { content: { type: 'text', text: 'Dispatch primary (WhatsApp)' } },
    failover: { expiry_time: 600, condition_status: 'read' },
  },
  {
    from: { type: 'sms', number: FROM },
    to: { type: 'sms', number: TO },
    message: { content: { type: 'text', text: 'Dispatch fallback (SMS)' } },
  },
];

// Callback style, as the SDK has it: resolve to {err, res}.
function call(fn, ...args) {
  return new Promise((resolve) => fn(...args, (err, res) => resolve({ err, res })));
}

async function main() {
  const cfg = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const options = { host: cfg.host, port: cfg.port };
  if (cfg.tls) options.http = require('https');
  const nexmo = new Nexmo({
    apiKey: cfg.apiKey,
    apiSecret: cfg.apiSecret,
    applicationId: cfg.applicationId,
    privateKey: cfg.privateKey,
  }, options);

  const out = { sent: {} };
  const kinds = cfg.only ? { [cfg.only]: KINDS[cfg.only] } : KINDS;
  for (const [kind, [to, from, message]] of Object.entries(kinds)) {
    const { err, res } = await call(nexmo.channel.send.bind(nexmo.channel), to, from, message);
    if (err) throw new Error(`${kind}: ${JSON.stringify(err)}`);
    out.sent[kind] = res.message_uuid;
  }
  if (cfg.only) {
    console.log(JSON.stringify(out));
    return;
  }

  const dispatched = await call(nexmo.dispatch.create.bind(nexmo.dispatch), 'failover', WORKFLOW);
  if (dispatched.err) throw new Error(`dispatch: ${JSON.stringify(dispatched.err)}`);
  out.dispatch_uuid = dispatched.res.dispatch_uuid;

  const bad = await call(nexmo.channel.send.bind(nexmo.channel),
    { type: 'sms', number: `+${TO}` }, { type: 'sms', number: FROM },
    { content: { type: 'text', text: 'Hello SMS' } });
  out.invalid = bad.err ? { statusCode: bad.err.statusCode, body: bad.err.body } : null;
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
