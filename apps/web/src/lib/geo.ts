/** The device's position through the Geolocation API; the error says why there is none. */
export type GeoFailure = 'denied' | 'unavailable'

export interface Position {
  lat: number
  lng: number
  accuracy_m: number
  at: string
}

export function currentPosition(timeoutMs = 10_000): Promise<Position> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) return reject('unavailable' satisfies GeoFailure)
    navigator.geolocation.getCurrentPosition(
      (p) =>
        resolve({
          lat: p.coords.latitude,
          lng: p.coords.longitude,
          accuracy_m: p.coords.accuracy,
          at: new Date(p.timestamp).toISOString(),
        }),
      (err) => reject((err.code === err.PERMISSION_DENIED ? 'denied' : 'unavailable') satisfies GeoFailure),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
    )
  })
}

/** Places an operator can pick instead of sharing their position. */
export const PLACES: { name: string; lat: number; lng: number }[] = [
  { name: 'Barcelona', lat: 41.3874, lng: 2.1686 },
  { name: 'Berlin', lat: 52.52, lng: 13.405 },
  { name: 'Buenos Aires', lat: -34.6037, lng: -58.3816 },
  { name: 'Ciudad de México', lat: 19.4326, lng: -99.1332 },
  { name: 'Lagos', lat: 6.5244, lng: 3.3792 },
  { name: 'London', lat: 51.5072, lng: -0.1276 },
  { name: 'Madrid', lat: 40.4168, lng: -3.7038 },
  { name: 'New York', lat: 40.7128, lng: -74.006 },
  { name: 'São Paulo', lat: -23.5505, lng: -46.6333 },
  { name: 'San Francisco', lat: 37.7749, lng: -122.4194 },
]
