import { type Static, Type } from '@sinclair/typebox'
import { RefTo, StringEnum } from './common.ts'
import { PROOF_FIELD_NAME } from './enums.ts'

/** One Guardian finding (spec §8 "checks"). Weight 0 = shown for information, not counted. */
export const GuardianCheck = Type.Object({
  name: Type.String({
    description:
      'e.g. photo_count, photo_quality, photo_reuse, capture_time, location, notes, digital_result, credential_fields, vision_model',
  }),
  score: Type.Integer({ minimum: 0, maximum: 100 }),
  reason: Type.String(),
  weight: Type.Optional(Type.Number({ minimum: 0 })),
})

/** `guardian_result` on the agent's task and on the operator's own task views. */
export const GuardianResult = Type.Object(
  {
    decision: StringEnum(['VERIFIED', 'MANUAL_REVIEW', 'RESUBMIT'] as const),
    confidence: Type.Integer({
      minimum: 0,
      maximum: 100,
      description: 'min(weighted mean of the checks, lowest gate check); see docs/adr/0006-guardian-rules.md',
    }),
    reasoning: Type.String({
      description: 'A readable summary: the verdict, then the reasons of the weak checks',
    }),
    checks: Type.Array(GuardianCheck),
  },
  {
    $id: 'GuardianResult',
    description: 'The AI Guardian review of the latest proof, or null before any review.',
  },
)

/** What the upload pipeline read from one photo before stripping its metadata. */
export const ProofPhotoDetails = Type.Object(
  {
    width: Type.Union([Type.Integer(), Type.Null()], {
      description: 'Of the stored image, orientation applied',
    }),
    height: Type.Union([Type.Integer(), Type.Null()]),
    original_type: StringEnum(
      ['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/heic'] as const,
      {
        description: 'The uploaded type (by magic bytes); every stored photo is a metadata-free JPEG',
      },
    ),
    taken_at: Type.Union([Type.String(), Type.Null()], {
      description:
        'EXIF capture time, ISO-8601 with the camera’s UTC offset when it wrote one, else local time without a zone',
    }),
    gps: Type.Union([Type.Object({ lat: Type.Number(), lng: Type.Number() }), Type.Null()]),
    camera: Type.Union([Type.String(), Type.Null()], { description: 'EXIF Make and Model' }),
  },
  { $id: 'ProofPhotoDetails' },
)

/** `proof` on the agent's task object. */
export const TaskProof = Type.Object(
  {
    photos: Type.Array(Type.String({ format: 'uri' }), {
      description: 'Signed, expiring URLs of the stored photos',
    }),
    photo_details: Type.Array(RefTo(ProofPhotoDetails), { description: 'One per photo, same order' }),
    notes: Type.Union([Type.String(), Type.Null()]),
    submittedAt: Type.String({ format: 'date-time' }),
    credential_fields: Type.Optional(
      Type.Array(StringEnum(Object.values(PROOF_FIELD_NAME)), {
        description: 'Credential tasks: which fields the operator gave (never their values)',
      }),
    ),
    client_evidence: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Object({
            lat: Type.Number(),
            lng: Type.Number(),
            accuracy_m: Type.Number(),
            captured_at: Type.String({ format: 'date-time' }),
            requirement: Type.Optional(Type.String()),
          }),
          Type.Null(),
        ]),
        {
          description:
            'Per photo, what the operator’s device reported at capture (browser geolocation): weaker evidence than EXIF',
        },
      ),
    ),
  },
  { $id: 'TaskProof' },
)

/** The answer to a proof submission. */
export const ProofSubmitted = Type.Object({
  task_id: Type.String(),
  status: Type.String(),
  submitted_at: Type.String({ format: 'date-time' }),
  photos: Type.Integer({ description: 'Photos stored' }),
})

/** Shared schemas registered with `addSchema`, so the OpenAPI document lists them as components. */
export const PROOF_SCHEMAS = [ProofPhotoDetails, TaskProof, GuardianResult]

export type GuardianCheck = Static<typeof GuardianCheck>
export type GuardianResult = Static<typeof GuardianResult>
export type ProofPhotoDetails = Static<typeof ProofPhotoDetails>
export type TaskProof = Static<typeof TaskProof>
export type ProofSubmitted = Static<typeof ProofSubmitted>
