/*
 * Self-test of verify.mjs: issues Open Badges 3.0 credentials with the
 * Digital Bazaar libraries and a fresh Ed25519 Multikey, then runs
 * verify.mjs as a subprocess on good and bad copies.
 *
 * Run: npm test   (node --test selftest.mjs)
 */
import {spawnSync} from 'node:child_process';
import {gzipSync} from 'node:zlib';
import {fileURLToPath} from 'node:url';
import assert from 'node:assert/strict';
import test from 'node:test';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as jose from 'jose';

import {createDocumentLoader, didWebToUrl} from './verify.mjs';

const VERIFY = fileURLToPath(new URL('./verify.mjs', import.meta.url));

const DID = 'did:web:issuer.example%3A8443:institutions:uni';
const KEY_ID = `${DID}#key-1`;
const EXTENSION_CONTEXT = 'https://issuer.example:8443/contexts/edubadges-v1.json';
const STATUS_LIST = 'https://issuer.example:8443/ob3/revocations/uni';
const BITSTRING_LIST = 'https://issuer.example:8443/ob3/status/uni';
const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
const OB_EXTENSIONS = 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json';
const VC2 = 'https://www.w3.org/ns/credentials/v2';

// an extension context like the one a portal would serve for its own terms
const extensionContext = {
  '@context': {
    '@protected': true,
    studyLoad: {
      '@id': 'https://issuer.example:8443/ns#studyLoad',
      '@type': 'http://www.w3.org/2001/XMLSchema#integer'
    }
  }
};

function clone(value) {
  return structuredClone(value);
}

function runVerifier(input, {raw = false} = {}) {
  const child = spawnSync(process.execPath, [VERIFY], {
    input: raw ? input : JSON.stringify(input),
    encoding: 'utf8',
    timeout: 60_000
  });
  const lines = child.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one stdout line expected: ${child.stdout}` +
    child.stderr);
  return {code: child.status, output: JSON.parse(lines[0]),
    stderr: child.stderr};
}

async function makeIssuer() {
  const keyPair = await Ed25519Multikey.generate({id: KEY_ID, controller: DID});
  const publicKey = await keyPair.export({publicKey: true, includeContext: false});
  const didDocument = {
    '@context': [
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/multikey/v1'
    ],
    id: DID,
    // absolute DID URLs: the library compares assertionMethod entries as
    // strings and does not resolve relative references such as '#key-1'
    verificationMethod: [{...publicKey, id: KEY_ID, controller: DID}],
    assertionMethod: [KEY_ID]
  };
  return {keyPair, didDocument};
}

function unsignedCredential({id = 'urn:uuid:7f7e7fbe-6a57-4d58-9c1c-0a1b2c3d4e5f',
  validUntil, credentialStatus} = {}) {
  const credential = {
    '@context': [VC2, OB_CONTEXT, OB_EXTENSIONS, EXTENSION_CONTEXT],
    id,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Data Science Fundamentals',
    issuer: {
      id: DID,
      type: ['Profile'],
      name: 'Universiteit Voorbeeld',
      url: 'https://issuer.example:8443/'
    },
    validFrom: '2024-01-15T10:00:00Z',
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [{
        type: 'IdentityObject',
        identityHash:
          'sha256$c7ef86405ba71b85acd8e2e95166c4b111448089f2e1599f42fe1bba46e865c5',
        identityType: 'emailAddress',
        hashed: true,
        salt: 'deadsea'
      }],
      achievement: {
        id: 'https://issuer.example:8443/ob3/achievements/42',
        type: ['Achievement'],
        achievementType: 'MicroCredential',
        name: 'Data Science Fundamentals',
        description: 'Basics of data analysis with Python.',
        criteria: {narrative: 'Pass the final assessment.'},
        studyLoad: 84,
        creator: {id: DID, type: ['Profile'], name: 'Universiteit Voorbeeld'}
      }
    }
  };
  if(validUntil) {
    credential.validUntil = validUntil;
  }
  if(credentialStatus) {
    credential.credentialStatus = credentialStatus;
  }
  return credential;
}

function encodeBitstring({size = 131072, setIndexes = []}) {
  const bytes = Buffer.alloc(size / 8);
  for(const index of setIndexes) {
    bytes[index >> 3] |= 0x80 >> (index & 7);
  }
  return 'u' + gzipSync(bytes).toString('base64url');
}

let issuer;
let documents;
let signed;

async function sign(credential, keyPair = issuer.keyPair) {
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(), cryptosuite: eddsaRdfc2022CryptoSuite
  });
  return vc.issue({
    credential, suite, documentLoader: createDocumentLoader(documents)
  });
}

test.before(async () => {
  issuer = await makeIssuer();
  documents = {
    [EXTENSION_CONTEXT]: extensionContext,
    [DID]: issuer.didDocument
  };
  signed = await sign(unsignedCredential());
});

test('did:web maps to its did.json URL', () => {
  assert.equal(didWebToUrl('did:web:example.com'),
    'https://example.com/.well-known/did.json');
  assert.equal(didWebToUrl(DID),
    'https://issuer.example:8443/institutions/uni/did.json');
});

test('a freshly issued credential verifies', () => {
  assert.equal(signed.proof.cryptosuite, 'eddsa-rdfc-2022');
  const {code, output} = runVerifier({credential: signed, documents});
  assert.deepEqual(output, {verified: true, errors: []});
  assert.equal(code, 0);
});

test('the DID document may be given under its did.json URL', () => {
  const {code, output} = runVerifier({
    credential: signed,
    documents: {
      [EXTENSION_CONTEXT]: extensionContext,
      [didWebToUrl(DID)]: issuer.didDocument
    }
  });
  assert.equal(code, 0, JSON.stringify(output));
});

test('an https issuer with a standalone Multikey document verifies',
  async () => {
    const issuerUrl = 'https://issuer.example:8443/ob3/issuers/uni';
    const keyUrl = 'https://issuer.example:8443/ob3/keys/uni-1';
    const keyPair = await Ed25519Multikey.generate(
      {id: keyUrl, controller: issuerUrl});
    const keyDocuments = {
      [EXTENSION_CONTEXT]: extensionContext,
      [keyUrl]: await keyPair.export({publicKey: true, includeContext: true}),
      // the controller document must define assertionMethod in its context
      [issuerUrl]: {'@context': 'https://w3id.org/security/v2', id: issuerUrl,
        assertionMethod: [keyUrl]}
    };
    const credential = unsignedCredential();
    credential.issuer.id = issuerUrl;
    const suite = new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite: eddsaRdfc2022CryptoSuite
    });
    const httpsSigned = await vc.issue({credential, suite,
      documentLoader: createDocumentLoader(keyDocuments)});
    const {code, output} = runVerifier(
      {credential: httpsSigned, documents: keyDocuments});
    assert.equal(code, 0, JSON.stringify(output));
  });

test('a tampered credential is rejected', () => {
  const tampered = clone(signed);
  tampered.credentialSubject.achievement.name = 'Advanced Data Science';
  const {code, output} = runVerifier({credential: tampered, documents});
  assert.equal(code, 1);
  assert.equal(output.verified, false);
  assert.ok(output.errors.some(e => /signature/i.test(e)), output.errors);
});

test('an expired credential is rejected', async () => {
  const expired = await sign(
    unsignedCredential({validUntil: '2024-06-01T00:00:00Z'}));
  const {code, output} = runVerifier({credential: expired, documents});
  assert.equal(code, 1);
  assert.ok(output.errors.some(e => /validUntil/.test(e)), output.errors);
  // the same credential verifies at a time before its expiry
  const earlier = runVerifier({credential: expired, documents,
    options: {now: '2024-03-01T00:00:00Z'}});
  assert.equal(earlier.code, 0, JSON.stringify(earlier.output));
});

test('a credential that is not yet valid is rejected', () => {
  const {code, output} = runVerifier({credential: signed, documents,
    options: {now: '2023-01-01T00:00:00Z'}});
  assert.equal(code, 1);
  assert.ok(output.errors.some(e => /validFrom/.test(e)), output.errors);
});

test('a revoked credential (1EdTechRevocationList) is rejected', async () => {
  const id = 'urn:uuid:11111111-2222-4333-8444-555555555555';
  const withStatus = await sign(unsignedCredential({
    id, credentialStatus: {id: STATUS_LIST, type: '1EdTechRevocationList'}
  }));
  const revokedList = {
    id: STATUS_LIST,
    revokedCredentials: [
      {id: 'urn:uuid:someone-else', revoked: true},
      {id, revoked: true, revocationReason: 'issued in error'}
    ]
  };
  const revoked = runVerifier({credential: withStatus,
    documents: {...documents, [STATUS_LIST]: revokedList}});
  assert.equal(revoked.code, 1);
  assert.ok(revoked.output.errors.some(e => /revoked: issued in error/.test(e)),
    revoked.output.errors);

  const cleanList = {id: STATUS_LIST,
    revokedCredentials: [{id: 'urn:uuid:someone-else', revoked: true}]};
  const clean = runVerifier({credential: withStatus,
    documents: {...documents, [STATUS_LIST]: cleanList}});
  assert.equal(clean.code, 0, JSON.stringify(clean.output));

  const missing = runVerifier({credential: withStatus, documents});
  assert.equal(missing.code, 1);
  assert.ok(missing.output.errors.some(e => /was not provided/.test(e)));

  const skipped = runVerifier({credential: withStatus, documents,
    options: {checkStatus: false}});
  assert.equal(skipped.code, 0, JSON.stringify(skipped.output));
});

test('a revoked credential (BitstringStatusListEntry) is rejected', async () => {
  const listCredential = await sign({
    '@context': [VC2],
    id: BITSTRING_LIST,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: DID,
    validFrom: '2024-01-01T00:00:00Z',
    credentialSubject: {
      id: `${BITSTRING_LIST}#list`,
      type: 'BitstringStatusList',
      statusPurpose: 'revocation',
      encodedList: encodeBitstring({setIndexes: [7]})
    }
  });
  const entry = index => ({
    id: `${BITSTRING_LIST}#${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: 'revocation',
    statusListIndex: String(index),
    statusListCredential: BITSTRING_LIST
  });
  const withDocs = {...documents, [BITSTRING_LIST]: listCredential};
  const revoked = runVerifier({
    credential: await sign(unsignedCredential({credentialStatus: entry(7)})),
    documents: withDocs
  });
  assert.equal(revoked.code, 1);
  assert.ok(revoked.output.errors.some(e => /"revocation" is set/.test(e)),
    revoked.output.errors);
  const fine = runVerifier({
    credential: await sign(unsignedCredential({credentialStatus: entry(8)})),
    documents: withDocs
  });
  assert.equal(fine.code, 0, JSON.stringify(fine.output));
});

test('a credential signed by a key the DID document does not list fails',
  async () => {
    const {keyPair: otherKey} = await makeIssuer();
    const forged = await sign(unsignedCredential(), otherKey);
    const {code, output} = runVerifier({credential: forged, documents});
    assert.equal(code, 1);
    assert.equal(output.verified, false);
  });

test('a verification method missing from assertionMethod fails', () => {
  const didDocument = clone(issuer.didDocument);
  didDocument.assertionMethod = [];
  const {code, output} = runVerifier({credential: signed,
    documents: {...documents, [DID]: didDocument}});
  assert.equal(code, 1);
  assert.ok(output.errors.some(e => /not authorized/.test(e)), output.errors);
});

test('unknown URLs are refused, never fetched', () => {
  const {code, output} = runVerifier({credential: signed,
    documents: {[EXTENSION_CONTEXT]: extensionContext}});
  assert.equal(code, 1);
  assert.ok(output.errors.some(e => /refuses to load "did:web/.test(e)),
    output.errors);
});

test('an undefined JSON-LD term is rejected (safe mode)', async () => {
  const credential = unsignedCredential();
  credential.credentialSubject.achievement.notAnObTerm = 'x';
  await assert.rejects(sign(credential));
});

test('an OB 3.0 credential without an achievement is rejected', async () => {
  const credential = unsignedCredential();
  delete credential.credentialSubject.achievement;
  const {code, output} = runVerifier({credential: await sign(credential),
    documents});
  assert.equal(code, 1);
  assert.ok(output.errors.some(e => /achievement is required/.test(e)));
});

test('bad input exits 2', () => {
  assert.equal(runVerifier('not json', {raw: true}).code, 2);
  assert.equal(runVerifier({nothing: true}).code, 2);
  assert.equal(runVerifier({credential: 'x'}).code, 2);
  assert.equal(runVerifier({jwt: 'a.b.c'}).code, 2);
});

for(const alg of ['RS256', 'EdDSA']) {
  test(`a VC-JWT signed with ${alg} verifies, tampered and expired do not`,
    async () => {
      const {publicKey, privateKey} = await jose.generateKeyPair(alg,
        {extractable: true});
      const jwk = await jose.exportJWK(publicKey);
      const credential = unsignedCredential();
      const now = Math.floor(Date.now() / 1000);
      const makeJwt = claims => new jose.SignJWT(claims)
        .setProtectedHeader({alg, typ: 'JWT'})
        .sign(privateKey);
      const good = await makeJwt({vc: credential, iss: DID, nbf: now - 60,
        jti: credential.id});
      const ok = runVerifier({jwt: good, jwk});
      assert.equal(ok.code, 0, JSON.stringify(ok.output));
      assert.equal(ok.output.payload.vc.name, credential.name);
      assert.equal(ok.output.header.alg, alg);

      const [h, p, s] = good.split('.');
      const payload = JSON.parse(Buffer.from(p, 'base64url'));
      payload.vc.name = 'Forged';
      const forged = [h, Buffer.from(JSON.stringify(payload))
        .toString('base64url'), s].join('.');
      assert.equal(runVerifier({jwt: forged, jwk}).code, 1);

      const expired = await makeJwt({vc: credential, iss: DID,
        nbf: now - 7200, exp: now - 3600});
      const expiredResult = runVerifier({jwt: expired, jwk});
      assert.equal(expiredResult.code, 1);
      assert.ok(expiredResult.output.errors.some(e => /exp/.test(e)));

      const wrongIssuer = await makeJwt({vc: credential,
        iss: 'did:web:other.example', nbf: now});
      assert.equal(runVerifier({jwt: wrongIssuer, jwk}).code, 1);
    });
}
