#!/usr/bin/env node
/*
 * The Digital Credentials Consortium's verifier (@digitalcredentials/verifier-core),
 * as a wallet or a verifier site runs it.
 *
 * Reads ONE JSON object from stdin:
 *   {"credential": {...}, "documents": {url-or-did: json, ...}}
 * and prints ONE JSON line:
 *   {"verified": true|false, "errors": [...], "log": [...], "blockedRequests": [...]}
 * Exit status: 0 verified, 1 not verified, 2 bad input.
 *
 * verifier-core fetches what it needs (DID documents, contexts, status lists) over
 * HTTP. Nothing goes to the network here: `fetch` is replaced by a loader that answers
 * from `documents` (a did:web also answers at its https did.json URL) and refuses
 * everything else, listing it in `blockedRequests`. No issuer registry is consulted,
 * so the "registered_issuer" step is not part of the verdict.
 */
import {pathToFileURL} from 'node:url';

import {didWebToUrl} from './verify.mjs';

const IGNORED_STEPS = ['registered_issuer'];

export function installFetch(documents) {
  const served = new Map();
  for(const [key, document] of Object.entries(documents)) {
    served.set(key, document);
    const didUrl = didWebToUrl(key);
    if(didUrl) {
      served.set(didUrl, document);
    }
  }
  const blocked = [];
  globalThis.fetch = async (resource, init) => {
    const url = typeof resource === 'string' ? resource :
      resource instanceof URL ? resource.href : resource.url;
    const method = (init && init.method) ||
      (typeof resource === 'object' && resource.method) || 'GET';
    if(method.toUpperCase() === 'GET' && served.has(url)) {
      return new Response(JSON.stringify(served.get(url)), {
        status: 200, headers: {'content-type': 'application/json'}
      });
    }
    blocked.push(url);
    return new Response('not served in this test', {
      status: 404, headers: {'content-type': 'text/plain'}
    });
  };
  return blocked;
}

export function verdict(result) {
  const errors = (result.errors || []).map(
    error => `${error.name || 'Error'}: ${error.message}`);
  for(const step of result.log || []) {
    if(IGNORED_STEPS.includes(step.id)) {
      continue;
    }
    if(step.error) {
      errors.push(`${step.id}: ${step.error.name}: ${step.error.message}`);
    } else if(step.valid !== true) {
      errors.push(`${step.id}: not valid`);
    }
  }
  return {verified: errors.length === 0 && Array.isArray(result.log), errors};
}

async function main() {
  let input;
  try {
    const chunks = [];
    for await (const chunk of process.stdin) {
      chunks.push(chunk);
    }
    input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if(!input || typeof input.credential !== 'object') {
      throw new Error('expected {"credential": {...}, "documents": {...}}');
    }
  } catch(error) {
    process.stdout.write(JSON.stringify(
      {verified: false, errors: [`bad input: ${error.message}`]}) + '\n');
    process.exitCode = 2;
    return;
  }
  const blockedRequests = installFetch(input.documents || {});
  // imported only now, so that the library sees the replaced fetch
  const {verifyCredential} = await import('@digitalcredentials/verifier-core');
  const result = await verifyCredential(
    {credential: input.credential, knownDIDRegistries: []});
  const {verified, errors} = verdict(result);
  const log = (result.log || []).map(({id, valid, error}) => ({id, valid, error}));
  process.stdout.write(
    JSON.stringify({verified, errors, log, blockedRequests}) + '\n');
  process.exitCode = verified ? 0 : 1;
}

if(import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
