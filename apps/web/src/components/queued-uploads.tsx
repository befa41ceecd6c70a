import { useT } from '../i18n/index.ts'
import { useStore } from '../lib/store.ts'
import { discard, progress, type QueuedProof, queue, resendWithout } from '../lib/upload-queue.ts'
import { ErrorText } from './layout.tsx'
import { PhotoList } from './photo-picker.tsx'

/** Per photo, how much of it has left: the bytes sent so far laid over the photos in order. */
function photoProgress(p: QueuedProof, loaded: number | undefined) {
  return (i: number): number | null => {
    if (p.state !== 'sending' || loaded === undefined) return p.state === 'sending' ? 0 : null
    const before = p.photos.slice(0, i).reduce((n, ph) => n + ph.blob.size, 0)
    const size = p.photos[i]!.blob.size || 1
    return Math.max(0, Math.min(100, Math.round(((loaded - before) / size) * 100)))
  }
}

/** The submissions waiting on this device (all, or one task's), with progress and refusals. */
export function QueuedUploads({ taskId, requirements = [] }: { taskId?: string; requirements?: string[] }) {
  const t = useT()
  const items = useStore(queue).filter((p) => !taskId || p.taskId === taskId)
  const sent = useStore(progress)
  if (items.length === 0) return null
  return (
    <section class="panel" aria-labelledby="queue-title">
      <h2 id="queue-title">{t('proof.queue')}</h2>
      {items.map((p) => (
        <div key={p.id} class="stack">
          {!taskId && <h3>{p.taskTitle}</h3>}
          {p.state === 'waiting' && <p role="status">{t('proof.queued')}</p>}
          <PhotoList
            photos={p.photos}
            requirements={requirements}
            progress={photoProgress(p, sent[p.id])}
            errors={p.errorPhoto !== undefined && p.error ? { [p.errorPhoto]: p.error } : undefined}
          />
          {p.state === 'failed' && (
            <>
              {p.errorPhoto === undefined && <ErrorText message={p.error ?? null} />}
              <button type="button" onClick={() => resendWithout(p.id, p.errorPhoto)}>
                {p.errorPhoto === undefined
                  ? t('common.retry')
                  : t('proof.resendWithout', { name: t('proof.photo', { n: p.errorPhoto + 1 }) })}
              </button>
              <button type="button" class="secondary" onClick={() => discard(p.id)}>
                {t('proof.discard')}
              </button>
            </>
          )}
        </div>
      ))}
    </section>
  )
}
