// Row types as the repositories return them; codegen maps GraphQL types onto these (`mappers`),
// so resolvers are type-checked against what the database really holds. Secret columns
// (password_hash, key_hash) are never selected into these shapes.

import type { Country, OrderStatus, Role, Scope } from '../generated/schema-types.js';

export type { Country, OrderStatus, Role, Scope };

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
}

export interface ProductRow {
  id: string;
  name: string;
  description: string;
  priceCents: number;
  createdAt: Date;
}

export interface ReviewRow {
  id: string;
  productId: string;
  authorId: string;
  rating: number;
  body: string;
  createdAt: Date;
}

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

export interface ApiKeyRow {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface AuthPayloadModel {
  accessToken: string;
  expiresAt: Date;
  user: UserRow;
}

export interface CreatedApiKeyModel {
  apiKey: ApiKeyRow;
  secret: string;
}
