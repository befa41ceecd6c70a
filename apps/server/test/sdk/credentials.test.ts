import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CredentialError, type CredentialResponse, generateKeyPair, openCredential } from '@humcli/sdk'
import sodium from 'libsodium-wrappers'

/** Seals one value the way the server does (spec §5): a sealed box of {"task_id","field","value"}. */
async function seal(publicKey: string, inner: Record<string, unknown>): Promise<string> {
  await sodium.ready
  const pk = sodium.from_base64(publicKey, sodium.base64_variants.ORIGINAL)
  return sodium.to_base64(sodium.crypto_box_seal(JSON.stringify(inner), pk), sodium.base64_variants.ORIGINAL)
}

const isCredentialError = (pattern: RegExp) => (e: unknown) =>
  e instanceof CredentialError && e.code === 'CREDENTIAL_INVALID' && pattern.test(e.message)

test('generateKeyPair: base64 X25519 keys the server accepts (32 bytes, 44 characters)', async () => {
  const kp = await generateKeyPair()
  assert.equal(kp.publicKey.length, 44)
  assert.equal(Buffer.from(kp.privateKey, 'base64').length, 32)
  assert.notEqual(kp.publicKey, (await generateKeyPair()).publicKey)
})

test('openCredential opens every sealed field of its own task', async () => {
  const kp = await generateKeyPair()
  const response: CredentialResponse = {
    task_id: 'task_abc',
    encryption: 'x25519-sealedbox',
    encrypted_credential: {
      username: await seal(kp.publicKey, {
        task_id: 'task_abc',
        field: 'username',
        value: 'bot@example.com',
      }),
      password: await seal(kp.publicKey, {
        task_id: 'task_abc',
        field: 'password',
        value: 'hunter2 ünïcode',
      }),
    },
  }
  assert.deepEqual(await openCredential(response, kp), {
    username: 'bot@example.com',
    password: 'hunter2 ünïcode',
  })
})

test('openCredential refuses a box replayed from another task or field, or sealed to another key', async () => {
  const kp = await generateKeyPair()
  const other = await generateKeyPair()
  const base = { task_id: 'task_abc', encryption: 'x25519-sealedbox' as const }
  const fromOtherTask = await seal(kp.publicKey, { task_id: 'task_xyz', field: 'password', value: 'p' })
  await assert.rejects(
    openCredential({ ...base, encrypted_credential: { password: fromOtherTask } }, kp),
    isCredentialError(/made for task_xyz\/password, not task_abc\/password/),
  )
  const passwordBox = await seal(kp.publicKey, { task_id: 'task_abc', field: 'password', value: 'p' })
  await assert.rejects(
    openCredential({ ...base, encrypted_credential: { api_key: passwordBox } }, kp),
    isCredentialError(/not task_abc\/api_key/),
  )
  await assert.rejects(
    openCredential({ ...base, encrypted_credential: { password: passwordBox } }, other),
    isCredentialError(/cannot be opened with this keypair/),
  )
  await assert.rejects(
    openCredential({ ...base, encrypted_credential: { password: 'not base64 !!' } }, kp),
    isCredentialError(/not valid base64/),
  )
  await assert.rejects(
    openCredential({ ...base, encrypted_credential: { password: passwordBox } }),
    isCredentialError(/pass the keypair/),
  )
  const notJson = sodium.to_base64(
    sodium.crypto_box_seal('plain text', sodium.from_base64(kp.publicKey, sodium.base64_variants.ORIGINAL)),
    sodium.base64_variants.ORIGINAL,
  )
  await assert.rejects(
    openCredential({ ...base, encrypted_credential: { notes: notJson } }, kp),
    isCredentialError(/expected JSON/),
  )
})

test('with encryption "none" the values come back as given; unknown schemes are refused', async () => {
  const plain = { username: 'u', api_key: 'sk_live_1' }
  assert.deepEqual(
    await openCredential({ task_id: 't', encryption: 'none', encrypted_credential: plain }),
    plain,
  )
  await assert.rejects(
    openCredential({ task_id: 't', encryption: 'rot13' as never, encrypted_credential: plain }),
    isCredentialError(/Unknown credential encryption "rot13"/),
  )
})
