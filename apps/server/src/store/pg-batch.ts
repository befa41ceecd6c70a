/**
 * Runs items in batches, one batch at a time: the items that arrive while a batch runs go
 * together in the next (at most `max`); an item alone runs as itself (`runOne`). `runBatch` answers each item's outcome (null: done, or its
 * error). When `runBatch` itself throws, every item of that batch runs alone (`runOne`), so an
 * item that breaks a batch fails alone and the others still succeed.
 */
export class PgBatcher<T> {
  private waiting: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = []
  private running = false

  constructor(
    private readonly max: number,
    private readonly runBatch: (items: T[]) => Promise<(Error | null)[]>,
    private readonly runOne: (item: T) => Promise<void>,
  ) {}

  run(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject })
      if (!this.running) void this.drain()
    })
  }

  private async drain(): Promise<void> {
    this.running = true
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.max)
      if (batch.length === 1) {
        const [w] = batch as [(typeof batch)[0]]
        await this.runOne(w.item).then(w.resolve, w.reject)
        continue
      }
      try {
        const outcomes = await this.runBatch(batch.map((w) => w.item))
        batch.forEach((w, i) => {
          const err = outcomes[i]
          if (err) w.reject(err)
          else w.resolve()
        })
      } catch {
        await Promise.all(batch.map((w) => this.runOne(w.item).then(w.resolve, w.reject)))
      }
    }
    this.running = false
  }
}
