import { API, ApiError, authHeader, NetworkError, reachable, refresh } from './client.ts'

/**
 * A multipart POST through XHR, which (unlike fetch) reports upload progress. Same errors as
 * `request`: ApiError for an answer, NetworkError when the server was not reached.
 */
function once<T>(
  path: string,
  form: FormData,
  headers: Record<string, string>,
  onProgress: (loaded: number) => void,
) {
  return new Promise<{ status: number; body: T }>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `${API}${path}`)
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v)
    xhr.upload.onprogress = (e) => onProgress(e.loaded)
    xhr.onload = () => {
      reachable.set(true)
      let body: unknown = null
      try {
        body = JSON.parse(xhr.responseText)
      } catch {}
      resolve({ status: xhr.status, body: body as T })
    }
    xhr.onerror = () => {
      reachable.set(false)
      reject(new NetworkError('unreachable'))
    }
    xhr.onabort = () => reject(new NetworkError('aborted'))
    xhr.send(form)
  })
}

export async function upload<T>(
  path: string,
  form: FormData,
  opts: { idempotencyKey: string; onProgress: (loaded: number) => void },
): Promise<T> {
  const send = async () =>
    once<T>(path, form, { ...(await authHeader()), 'idempotency-key': opts.idempotencyKey }, opts.onProgress)
  let res = await send()
  if (res.status === 401 && (await refresh())) res = await send()
  if (res.status >= 200 && res.status < 300) return res.body
  const b = res.body as {
    error?: string
    code?: string
    details?: { path: string; message: string }[]
  } | null
  throw new ApiError(res.status, b?.code ?? `HTTP_${res.status}`, b?.error ?? 'upload failed', b?.details)
}
