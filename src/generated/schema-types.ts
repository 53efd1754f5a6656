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