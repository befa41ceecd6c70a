/**
 * Issue 4, "what it must show" 3: every stored proof image, read back through the API, carries no
 * EXIF, XMP, GPS, IPTC or ICC data and is the right way up — while the facts the Guardian needs
 * (capture time, GPS, camera, size) were read first and are on the proof.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import exifr from 'exifr'
import sharp from 'sharp'
import { createTask, driveTo, newAgent, newOperator, proofForm } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { makeOrientedPhoto, makePhoto } from '../helpers/images.ts'

const AT_SHOP = { lat: 52.52, lng: 13.405 }

forEachDialect('stored proof images', (dialect) => {
  const server = useServer(dialect)

  test('read back: no metadata of any kind, orientation applied, facts kept on the proof', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const id = await createTask(s, agent)
    await driveTo(s, agent, op, id, 'IN_PROGRESS')
    const takenAt = new Date(s.clock.now().getTime() - 60_000)
    const full = await makePhoto({
      seed: 1,
      takenAt,
      offset: '+01:00',
      gps: AT_SHOP,
      camera: { make: 'Acme', model: 'Snap 9' },
    })
    const xmp = await sharp(await makePhoto({ seed: 2, format: 'png', takenAt, gps: AT_SHOP }))
      .keepExif()
      .withXmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Secret Person"/></rdf:RDF></x:xmpmeta>',
      )
      .png()
      .toBuffer()
    const oriented = await makeOrientedPhoto()
    // The inputs really do carry what must be removed.
    assert.equal((await exifr.gps(full)).latitude.toFixed(3), '52.520')
    assert.ok((await sharp(xmp).metadata()).xmp, 'the PNG input carries XMP')
    assert.ok((await sharp(xmp).metadata()).exif, 'and EXIF')
    assert.equal((await sharp(oriented.data).metadata()).orientation, 6)

    const r = await op.api.post(`/operator/tasks/${id}/proof`, undefined, {
      form: proofForm([full, xmp, oriented.data]),
    })
    assert.equal(r.status, 200, r.text)

    const task = (await agent.api.get(`/tasks/${id}`)).body
    assert.equal(task.proof.photos.length, 3)
    const stored: Buffer[] = []
    for (const url of task.proof.photos as string[]) {
      const res = await fetch(url)
      assert.equal(res.status, 200)
      assert.equal(res.headers.get('content-type'), 'image/jpeg')
      stored.push(Buffer.from(await res.arrayBuffer()))
    }
    for (const [i, img] of stored.entries()) {
      const tags = await exifr.parse(img, {
        tiff: true,
        exif: true,
        gps: true,
        xmp: true,
        iptc: true,
        icc: true,
        jfif: false,
        ihdr: false,
        mergeOutput: false,
      })
      assert.equal(tags, undefined, `photo ${i + 1}: exifr finds no EXIF/GPS/XMP/IPTC/ICC tags`)
      const meta = await sharp(img).metadata()
      assert.equal(meta.format, 'jpeg')
      for (const block of ['exif', 'xmp', 'iptc', 'icc', 'tifftagPhotoshop'] as const) {
        assert.equal(meta[block], undefined, `photo ${i + 1}: no ${block} block`)
      }
      assert.equal(meta.orientation, undefined, `photo ${i + 1}: no orientation tag left to apply`)
      for (const marker of [
        'Exif\0\0',
        'http://ns.adobe.com/xap',
        'Secret Person',
        'Acme',
        'Photoshop 3.0',
      ]) {
        assert.equal(img.includes(Buffer.from(marker, 'latin1')), false, `photo ${i + 1}: no "${marker}"`)
      }
    }

    // Orientation 6 applied: stored landscape 400×300, dark on the left, light on the right.
    const { data, info } = await sharp(stored[2]!).greyscale().raw().toBuffer({ resolveWithObject: true })
    assert.deepEqual([info.width, info.height], [oriented.displayWidth, oriented.displayHeight])
    const mean = (x0: number, x1: number) => {
      let sum = 0
      let n = 0
      for (let y = 0; y < info.height; y++)
        for (let x = x0; x < x1; x++) {
          sum += data[y * info.width + x]!
          n++
        }
      return sum / n
    }
    assert.ok(mean(0, 150) < 30, `left half is dark (${mean(0, 150)})`)
    assert.ok(mean(250, 400) > 225, `right half is light (${mean(250, 400)})`)

    // The facts were read before the metadata went, and are on the proof.
    const [d0, d1, d2] = task.proof.photo_details
    assert.deepEqual(
      { ...d0, gps: { lat: d0.gps.lat.toFixed(4), lng: d0.gps.lng.toFixed(4) } },
      {
        width: 800,
        height: 600,
        original_type: 'image/jpeg',
        taken_at: `${new Date(takenAt.getTime() + 3_600_000).toISOString().slice(0, 19)}+01:00`,
        gps: { lat: '52.5200', lng: '13.4050' },
        camera: 'Acme Snap 9',
      },
    )
    assert.equal(d1.original_type, 'image/png')
    assert.equal(d1.camera, 'Pixelcam P7')
    assert.deepEqual([d2.width, d2.height, d2.gps, d2.taken_at], [400, 300, null, null])
  })
})
