/** A file for a multipart upload: a Blob/File, or bytes with a name and a type. */
export type UploadFile = Blob | { data: Blob | Uint8Array | ArrayBuffer; filename?: string; type?: string }

export interface SubmitProofInput {
  /** Up to 10 photos (JPEG, PNG, WebP, AVIF). */
  photos?: UploadFile[]
  notes?: string
  /** Credential tasks: the values the agent asked for (sent as their multipart fields). */
  credentials?: { username?: string; password?: string; api_key?: string; notes?: string }
}

export interface KycDocuments {
  id_document: UploadFile
  selfie: UploadFile
  proof_of_address: UploadFile
}

function appendFile(form: FormData, field: string, file: UploadFile, fallbackName: string): void {
  if (file instanceof Blob) {
    form.append(field, file, (file as { name?: string }).name || fallbackName)
    return
  }
  const blob =
    file.data instanceof Blob
      ? file.data
      : new Blob([file.data as BlobPart], { type: file.type ?? 'application/octet-stream' })
  form.append(field, blob, file.filename ?? fallbackName)
}

/** The multipart body of `POST /operator/tasks/{id}/proof`. */
export function proofForm(input: SubmitProofInput): FormData {
  const form = new FormData()
  if (input.notes !== undefined) form.append('notes', input.notes)
  const c = input.credentials ?? {}
  for (const [field, value] of [
    ['username', c.username],
    ['password', c.password],
    ['api_key', c.api_key],
    ['credential_notes', c.notes],
  ] as const) {
    if (value !== undefined) form.append(field, value)
  }
  ;(input.photos ?? []).forEach((p, i) => {
    appendFile(form, 'photos', p, `photo-${i + 1}.jpg`)
  })
  return form
}

/** The multipart body of `POST /operator/kyc`. */
export function kycForm(docs: KycDocuments): FormData {
  const form = new FormData()
  for (const field of ['id_document', 'selfie', 'proof_of_address'] as const) {
    appendFile(form, field, docs[field], field)
  }
  return form
}
