import { createStore, useStore } from '../lib/store.ts'
import { en, type MessageKey } from './en.ts'
import { es } from './es.ts'

/** The message catalogues and `Intl` formatting for the chosen locale (ADR 0015). */
export const LOCALES = { en: 'English', es: 'Español' } as const
export type Locale = keyof typeof LOCALES
const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { en, es }
const STORAGE_KEY = 'humcli.locale'

function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY)
  if (saved && saved in LOCALES) return saved as Locale
  for (const lang of navigator.languages ?? [navigator.language]) {
    const base = lang.slice(0, 2).toLowerCase()
    if (base in LOCALES) return base as Locale
  }
  return 'en'
}

export const locale = createStore<Locale>(initialLocale())
document.documentElement.lang = locale.get()

export function setLocale(next: Locale): void {
  localStorage.setItem(STORAGE_KEY, next)
  document.documentElement.lang = next
  locale.set(next)
}

export type Params = Record<string, string | number>

export function t(key: MessageKey, params: Params = {}): string {
  const text = CATALOGUES[locale.get()][key] ?? en[key]
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
}

/** Re-renders on a language switch; returns `t`. */
export function useT(): typeof t {
  useStore(locale)
  return t
}

export const formatMoney = (usd: number) =>
  new Intl.NumberFormat(locale.get(), { style: 'currency', currency: 'USD' }).format(usd)

export const formatDate = (iso: string) =>
  new Intl.DateTimeFormat(locale.get(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))

export function formatDistance(km: number): string {
  const nf = (unit: 'kilometer' | 'meter', value: number) =>
    new Intl.NumberFormat(locale.get(), { style: 'unit', unit, maximumFractionDigits: 1 }).format(value)
  return km < 1 ? nf('meter', Math.round(km * 1000)) : nf('kilometer', km)
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
]

/** "in 3 hours", "5 minutes ago": the nearest whole unit. */
export function formatRelative(iso: string, now = Date.now()): string {
  const diff = new Date(iso).getTime() - now
  const rtf = new Intl.RelativeTimeFormat(locale.get(), { numeric: 'auto' })
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'second') return rtf.format(Math.round(diff / ms), unit)
  }
  return rtf.format(0, 'second')
}

/** "2.4 MB", or "12 kB" under a megabyte (a tiny file must not read "0 MB"). */
export const formatBytes = (n: number) =>
  n < 1_048_576
    ? new Intl.NumberFormat(locale.get(), {
        style: 'unit',
        unit: 'kilobyte',
        maximumFractionDigits: 0,
      }).format(Math.max(1, Math.round(n / 1024)))
    : new Intl.NumberFormat(locale.get(), {
        style: 'unit',
        unit: 'megabyte',
        maximumFractionDigits: 1,
      }).format(n / 1_048_576)
