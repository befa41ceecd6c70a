/** A tiny HTTP client for tests: real requests over loopback to a real server. */
export interface ApiResponse<T = any> {
  status: number
  body: T
  text: string
  headers: Headers
}

export interface RequestOptions {
  key?: string
  token?: string
  body?: unknown
  headers?: Record<string, string>
  /** A ready FormData for multipart uploads. */
  form?: FormData
  raw?: string
}

export async function request<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.key) headers['x-api-key'] = opts.key
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  let body: BodyInit | undefined
  if (opts.form) body = opts.form
  else if (opts.raw !== undefined) {
    body = opts.raw
    headers['content-type'] ??= 'application/json'
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body)
    headers['content-type'] = 'application/json'
  }
  const res = await fetch(`${baseUrl}/api/v1${path}`, { method, headers, body })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    // not JSON (a served file): keep the text
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers }
}

/** A client bound to one server and one credential. */
export function client(baseUrl: string, auth: { key?: string; token?: string } = {}) {
  const call = <T = any>(method: string, path: string, opts: RequestOptions = {}) =>
    request<T>(baseUrl, method, path, { ...auth, ...opts })
  return {
    get: <T = any>(path: string, opts?: RequestOptions) => call<T>('GET', path, opts),
    post: <T = any>(path: string, body?: unknown, opts?: RequestOptions) =>
      call<T>('POST', path, { ...opts, body }),
    delete: <T = any>(path: string, opts?: RequestOptions) => call<T>('DELETE', path, opts),
    call,
  }
}
export type Client = ReturnType<typeof client>
