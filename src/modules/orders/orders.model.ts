import type { Country, OrderStatus } from '../../generated/schema-types.js';

// Row types as the repository returns them; codegen maps Order, OrderItem and Address onto these.

export interface AddressModel {
  line1: string;
  city: string;
  postcode: string;
  country: Country;
}

export interface OrderRow {
  id: string;
  ownerId: string;
  status: OrderStatus;
  totalCents: number;
  promoCode: string | null;
  shippingAddress: AddressModel;
  createdAt: Date;
}

export interface OrderItemRow {
  orderId: string;
  productId: string;
  quantity: number;
  unitPriceCents: number;
}
