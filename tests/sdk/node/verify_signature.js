// verifySignature from @vonage/jwt, as a webhook handler calls it. Reads a JSON list of
// {"token", "secret"} on stdin and prints the list of results.
'use strict';

const { verifySignature } = require('@vonage/jwt');

const items = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(items.map(({ token, secret }) => verifySignature(token, secret))));
