// RCS and email sent with @vonage/server-sdk 3 + @vonage/messages as their READMEs show: the
// SDK's RCSText with suggestion classes, a card and a carousel as plain objects through
// messages.send() (the SDK has no class for them; it snake-cases the keys), EmailText and
// EmailHTML, and RCS with an SMS failover. Reads {"apiHost", "applicationId", "privateKey"} as
// JSON on stdin and prints the message ids as JSON.
'use strict';

const { Vonage } = require('@vonage/server-sdk');
const messages = require('@vonage/messages');

const TO = '447700900000';
const AGENT = 'Vonage';

function card(title, postbackData) {
  return {
    title,
    text: `About ${title}`,
    mediaUrl: 'https://example.com/card.png',
    mediaHeight: 'MEDIUM',
    suggestions: [new messages.RCSReplySuggestion({ text: `Pick ${title}`, postbackData })],
  };
}

async function main() {
  const cfg = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const vonage = new Vonage(
    { applicationId: cfg.applicationId, privateKey: cfg.privateKey },
    { apiHost: cfg.apiHost },
  );
  const out = {};
  out.text = (await vonage.messages.send(new messages.RCSText({
    to: TO,
    from: AGENT,
    text: 'Which colour?',
    suggestions: [
      new messages.RCSReplySuggestion({ text: 'Blue', postbackData: 'blue' }),
      new messages.RCSOpenURLSuggestion({
        text: 'Catalogue', postbackData: 'catalogue', url: 'https://example.com/c',
        description: 'Our catalogue',
      }),
      new messages.RCSDialActionSuggestion({
        text: 'Call us', postbackData: 'call', phoneNumber: '+447700900001',
      }),
    ],
  }))).messageUUID;
  out.card = (await vonage.messages.send({
    channel: 'rcs', messageType: 'card', to: TO, from: AGENT,
    card: card('Blue shoes', 'pick-blue'), rcs: { cardOrientation: 'VERTICAL' },
  })).messageUUID;
  out.carousel = (await vonage.messages.send({
    channel: 'rcs', messageType: 'carousel', to: TO, from: AGENT,
    carousel: { cards: [card('One', 'p1'), card('Two', 'p2')] }, rcs: { cardWidth: 'SMALL' },
  })).messageUUID;
  const primary = new messages.RCSText({ to: TO, from: AGENT, text: 'via RCS' });
  primary.failover = [new messages.SMS({ to: TO, from: '447700900001', text: 'via SMS' })];
  out.failover = (await vonage.messages.send(primary)).messageUUID;
  if (messages.EmailText) {  // @vonage/messages 1.27 and later
    out.emailText = (await vonage.messages.send(new messages.EmailText({
      to: 'ann@example.net', from: 'Shop <shop@example.com>', text: 'Your code is 1234',
      email: { subject: 'Your code', importance: 'High', cc: [{ name: 'Bo', address: 'bo@example.com' }] },
    }))).messageUUID;
    out.emailHtml = (await vonage.messages.send(new messages.EmailHTML({
      to: 'ann@example.net', from: 'shop@example.com', html: { body: '<p>Hi <b>Ann</b></p>' },
      email: { subject: 'Hello' },
    }))).messageUUID;
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => { console.error(err); process.exit(1); });
