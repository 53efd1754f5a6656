export const Country = {
  AU: 'AU',
  GB: 'GB',
  IN: 'IN',
  US: 'US'
} as const;

export type Country = typeof Country[keyof typeof Country];
export const OrderStatus = {
  CANCELLED: 'CANCELLED',
  PAID: 'PAID',
  PENDING: 'PENDING',
  SHIPPED: 'SHIPPED'
} as const;

export type OrderStatus = typeof OrderStatus[keyof typeof OrderStatus];
/** Who a @rateLimit bucket belongs to. */
export const RateLimitPer = {
  /**
   * The client network (IPv4 address, or IPv6 network: /64 by default), whatever credentials the
   * request carries: for operations called before signing in (register, login, password reset…),
   * where a token or API key must buy no fresh bucket.
   */
  NETWORK: 'NETWORK',
  /** The signed-in account, whichever of its tokens or API keys is used; the client network when anonymous. */
  VIEWER: 'VIEWER'
} as const;

export type RateLimitPer = typeof RateLimitPer[keyof typeof RateLimitPer];
export const Role = {
  ADMIN: 'ADMIN',
  CUSTOMER: 'CUSTOMER'
} as const;

export type Role = typeof Role[keyof typeof Role];
export const Scope = {
  ORDERS_READ: 'ORDERS_READ',
  ORDERS_WRITE: 'ORDERS_WRITE',
  PRODUCTS_READ: 'PRODUCTS_READ',
  REVIEWS_WRITE: 'REVIEWS_WRITE'
} as const;

export type Scope = typeof Scope[keyof typeof Scope];