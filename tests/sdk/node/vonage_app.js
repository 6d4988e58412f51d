// An app written with @vonage/server-sdk 3 + @vonage/messages, as their READMEs show.
// Reads {"apiHost", "applicationId", "privateKey", "apiKey", "apiSecret"} as JSON on stdin and
// prints what the SDK returned as JSON. Only apiHost differs from production; the sandbox's
// certificate is trusted through NODE_EXTRA_CA_CERTS (set by the test).
'use strict';

const { Vonage } = require('@vonage/server-sdk');
const {
  SMS, MMSImage, WhatsAppText, WhatsAppImage, WhatsAppTemplate, MessengerText, ViberText,
} = require('@vonage/messages');

const TO = '447700900000';
const FROM = '447700900001';
const image = { url: 'https://example.com/image.jpg', caption: 'a picture' };

function kinds(ref) {
  return {
    sms: new SMS({ to: TO, from: FROM, text: 'Hello SMS', clientRef: `${ref}-sms` }),
    mms_image: new MMSImage({ to: TO, from: FROM, image, clientRef: `${ref}-mms_image` }),
    whatsapp_text: new WhatsAppText({
      to: TO, from: FROM, text: 'Hello WhatsApp', clientRef: `${ref}-whatsapp_text`,
    }),
    whatsapp_image: new WhatsAppImage({
      to: TO, from: FROM, image, clientRef: `${ref}-whatsapp_image`,
    }),
    whatsapp_template: new WhatsAppTemplate({
      to: TO,
      from: FROM,
      whatsapp: { policy: 'deterministic', locale: 'en_GB' },
      template: { name: 'verify_code', parameters: ['1234'] },
      clientRef: `${ref}-whatsapp_template`,
    }),
    messenger_text: new MessengerText({
      to: '1234567890', from: '0987654321', text: 'Hello Messenger',
      clientRef: `${ref}-messenger_text`,
    }),
    viber_text: new ViberText({
      to: TO, from: '16273', text: 'Hello Viber',
      viberService: { category: 'transaction', ttl: 600 },
      clientRef: `${ref}-viber_text`,
    }),
  };
}

async function failure(promise) {
  try {
    await promise;
    return null;
  } catch (err) {
    // By name, not instanceof: npm may nest a second copy of @vonage/vetch under server-sdk.
    if (!(err && err.constructor && err.constructor.name === 'VetchError' && err.response)) throw err;
    return { status: err.response.status, body: await err.response.json(), message: err.message };
  }
}

async function main() {
  const cfg = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const options = { apiHost: cfg.apiHost };
  const clients = {
    jwt: new Vonage({ applicationId: cfg.applicationId, privateKey: cfg.privateKey }, options),
    basic: new Vonage({ apiKey: cfg.apiKey, apiSecret: cfg.apiSecret }, options),
  };
  const out = {};
  for (const [name, vonage] of Object.entries(clients)) {
    out[name] = {};
    for (const [kind, message] of Object.entries(kinds(`node-${name}`))) {
      const { messageUUID } = await vonage.messages.send(message);
      out[name][kind] = messageUUID;
    }
  }

  // Failover is not a method: the message carries a `failover` array.
  const primary = new WhatsAppText({ to: TO, from: FROM, text: 'primary' });
  primary.failover = [new SMS({ to: TO, from: FROM, text: 'fallback sms' })];
  out.failover = (await clients.jwt.messages.send(primary)).messageUUID;

  // PATCH /v1/messages/{uuid} {"status": "read"}: mark the user's inbound message read.
  out.markRead = await clients.jwt.messages.updateMessage(cfg.inboundUuid, 'read');

  // The SDK does no validation: a `+` reaches the sandbox, which refuses it as Vonage does.
  out.invalid = await failure(
    clients.basic.messages.send(new SMS({ to: `+${TO}`, from: FROM, text: 'Hello SMS' })),
  );
  const wrong = new Vonage({ apiKey: cfg.apiKey, apiSecret: 'not-the-secret' }, options);
  out.wrongSecret = await failure(wrong.messages.send(new SMS({ to: TO, from: FROM, text: 'x' })));
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
