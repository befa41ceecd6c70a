/**
 * Staff roles: a `reviewer` decides reviews, disputes and KYC; an `admin` may also change tiers,
 * restrictions, payouts and staff users. Admin tokens (`hadm_`) act as admins.
 */
export const STAFF_ROLES = ['reviewer', 'admin'] as const
export type StaffRole = (typeof STAFF_ROLES)[number]

export const roleAllows = (role: StaffRole, needs: StaffRole) => needs === 'reviewer' || role === 'admin'

/** Who a staff action is recorded as: `staff:<id>` for a console user, `admin:<id>` for a token. */
export interface StaffActor {
  id: string
  role: StaffRole
}
