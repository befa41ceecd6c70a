import { useEffect, useMemo, useState } from 'preact/hooks'
import { formatBytes, useT } from '../i18n/index.ts'
import type { QueuedPhoto } from '../lib/upload-queue.ts'

/** The server's per-photo limit (HUMCLI_UPLOAD_MAX_BYTES default); the server checks again. */
export const MAX_PHOTO_BYTES = 15 * 1024 * 1024

export function Thumb({ blob, alt }: { blob: Blob; alt: string }) {
  const t = useT()
  const url = useMemo(() => URL.createObjectURL(blob), [blob])
  const [broken, setBroken] = useState(false)
  useEffect(() => () => URL.revokeObjectURL(url), [url])
  // A file the browser cannot draw (not really an image, or HEIC): a labelled box, not a torn icon.
  if (broken)
    return (
      <span class="no-preview" role="img" aria-label={alt}>
        {t('proof.noPreview')}
      </span>
    )
  return <img src={url} alt={alt} onError={() => setBroken(true)} />
}

/** Chosen photos as thumbnails, each tied to a requirement, each removable; errors beside each. */
export function PhotoList(props: {
  photos: QueuedPhoto[]
  requirements: string[]
  errors?: Record<number, string>
  progress?: (i: number) => number | null
  onChange?: (photos: QueuedPhoto[]) => void
}) {
  const t = useT()
  const { photos, onChange } = props
  return (
    <ul class="thumbs">
      {photos.map((ph, i) => {
        const label = t('proof.photo', { n: i + 1 })
        const pct = props.progress?.(i) ?? null
        return (
          <li key={`${ph.name}-${i}`}>
            <Thumb blob={ph.blob} alt={label} />
            <small>
              {ph.name} · {formatBytes(ph.blob.size)}
            </small>
            {onChange && (
              <label>
                {t('proof.forRequirement')}
                <select
                  value={ph.requirement ?? ''}
                  onChange={(e) => {
                    const v = (e.currentTarget as HTMLSelectElement).value || null
                    onChange(photos.map((p, j) => (j === i ? { ...p, requirement: v } : p)))
                  }}
                >
                  <option value="">{t('proof.anyRequirement')}</option>
                  {props.requirements.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </label>
            )}
            {pct !== null && (
              <progress max={100} value={pct} aria-label={t('proof.uploading', { name: ph.name })} />
            )}
            {props.errors?.[i] && (
              <p class="error" role="alert">
                {props.errors[i]}
              </p>
            )}
            {onChange && (
              <button
                type="button"
                class="secondary"
                onClick={() => onChange(photos.filter((_, j) => j !== i))}
              >
                {t('proof.remove', { name: label })}
              </button>
            )}
          </li>
        )
      })}
    </ul>
  )
}
