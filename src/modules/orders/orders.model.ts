import type { Country, OrderStatus } from '../../generated/schema-types.js';

// Row types as the repository returns them; codegen maps Order, OrderItem and Address onto these.

/** @graphql Address */
export interface AddressModel {
  line1: string;
  city: string;
  postcode: string;
  country: Country;
}

/** @graphql Order */
export interface OrderRow {
  id: string;
  ownerId: string;
  status: OrderStatus;
  totalCents: number;
  promoCode: string | null;
  shippingAddress: AddressModel;
  createdAt: Date;
}

/** @graphql OrderItem */
export interface OrderItemRow {
  orderId: string;
  productId: string;
  quantity: number;
  unitPriceCents: number;
}
