import sodium from 'libsodium-wrappers'

export interface AgentKeyPair {
  publicKey: Uint8Array
  privateKey: Uint8Array
  /** base64, as `agent_public_key` takes it. */
  publicKeyB64: string
}

/** An X25519 key pair made the way an agent makes one (libsodium `crypto_box_keypair`). */
export async function agentKeyPair(): Promise<AgentKeyPair> {
  await sodium.ready
  const kp = sodium.crypto_box_keypair()
  return {
    publicKey: kp.publicKey,
    privateKey: kp.privateKey,
    publicKeyB64: Buffer.from(kp.publicKey).toString('base64'),
  }
}

/**
 * What an agent does with a retrieved credential value: open the sealed box with its key pair,
 * then check that the box says it belongs to this task and this field, so a box copied from
 * another task or field is refused. The SDK's `openCredential` uses the same format.
 */
export async function openSealedCredential(
  boxB64: string,
  keys: Pick<AgentKeyPair, 'publicKey' | 'privateKey'>,
  expected: { taskId: string; field: string },
): Promise<string> {
  await sodium.ready
  const plain = sodium.crypto_box_seal_open(Buffer.from(boxB64, 'base64'), keys.publicKey, keys.privateKey)
  const inner = JSON.parse(Buffer.from(plain).toString('utf8')) as {
    task_id: string
    field: string
    value: string
  }
  if (inner.task_id !== expected.taskId) {
    throw new Error(`sealed value belongs to task ${inner.task_id}, not ${expected.taskId}`)
  }
  if (inner.field !== expected.field) {
    throw new Error(`sealed value is the ${inner.field} field, not ${expected.field}`)
  }
  return inner.value
}
