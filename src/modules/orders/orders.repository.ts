import type { Db, Queryable } from '../../db/client.js';
import type { Country, OrderStatus } from '../../generated/schema-types.js';
import { cursorParams, type Cursor } from '../../graphql/pagination.js';
import type { AddressModel, OrderItemRow, OrderRow } from './orders.model.js';

const COLUMNS = `id, owner_id AS "ownerId", status, total_cents AS "totalCents", promo_code AS "promoCode",
  ship_line1 AS "line1", ship_city AS "city", ship_postcode AS "postcode", ship_country AS "country",
  created_at AS "createdAt"`;

interface OrderDbRow {
  id: string;
  ownerId: string;
  status: OrderStatus;
  totalCents: number;
  promoCode: string | null;
  line1: string;
  city: string;
  postcode: string;
  country: Country;
  createdAt: Date;
}

const toOrder = (r: OrderDbRow): OrderRow => ({
  id: r.id,
  ownerId: r.ownerId,
  status: r.status,
  totalCents: r.totalCents,
  promoCode: r.promoCode,
  shippingAddress: { line1: r.line1, city: r.city, postcode: r.postcode, country: r.country },
  createdAt: r.createdAt,
});

export interface NewOrder {
  ownerId: string;
  promoCode: string | null;
  shippingAddress: AddressModel;
  /** Unit prices come from the products table inside the transaction, never from the client. */
  items: readonly { productId: string; quantity: number }[];
}

/** The largest order total the database column holds (PostgreSQL integer). */
export const MAX_ORDER_TOTAL_CENTS = 2_147_483_647;

export type CreateOrderResult =
  | { ok: true; order: OrderRow }
  | { ok: false; missingProductIds: string[]; totalTooLarge: false }
  | { ok: false; totalTooLarge: true };

export function createOrdersRepository(db: Db) {
  return {
    async findByIds(ids: readonly string[]): Promise<OrderRow[]> {
      const rows = await db.query<OrderDbRow>(`SELECT ${COLUMNS} FROM orders WHERE id = ANY($1::uuid[])`, [
        ids,
      ]);
      return rows.map(toOrder);
    },
    async pageByOwners(
      ownerIds: readonly string[],
      limit: number,
      after: Cursor | null,
    ): Promise<OrderRow[]> {
      const [ts, id] = cursorParams(after);
      const rows = await db.query<OrderDbRow>(
        `SELECT ${COLUMNS} FROM (
           SELECT o.*, row_number() OVER (PARTITION BY o.owner_id ORDER BY o.created_at DESC, o.id DESC) AS rn
             FROM orders o
            WHERE o.owner_id = ANY($1::uuid[])
              AND ($2::timestamptz IS NULL OR (o.created_at, o.id) < ($2::timestamptz, $3::uuid))
         ) ranked
         WHERE rn <= $4
         ORDER BY owner_id, created_at DESC, id DESC`,
        [ownerIds, ts, id, limit],
      );
      return rows.map(toOrder);
    },
    async countByOwners(ownerIds: readonly string[]): Promise<Map<string, number>> {
      const rows = await db.query<{ id: string; n: number }>(
        'SELECT owner_id AS id, count(*)::int AS n FROM orders WHERE owner_id = ANY($1::uuid[]) GROUP BY owner_id',
        [ownerIds],
      );
      return new Map(rows.map((r) => [r.id, r.n]));
    },
    async itemsByOrders(orderIds: readonly string[]): Promise<OrderItemRow[]> {
      return db.query<OrderItemRow>(
        `SELECT order_id AS "orderId", product_id AS "productId", quantity, unit_price_cents AS "unitPriceCents"
           FROM order_items WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, position`,
        [orderIds],
      );
    },
    /**
     * Creates the order and its items in one transaction, pricing every line from the current
     * product price. Reports the missing product ids instead when any does not exist (nothing is
     * written then).
     */
    async create(order: NewOrder): Promise<CreateOrderResult> {
      return db.transaction(async (tx: Queryable) => {
        const ids = [...new Set(order.items.map((i) => i.productId))];
        const prices = await tx.query<{ id: string; priceCents: number }>(
          'SELECT id, price_cents AS "priceCents" FROM products WHERE id = ANY($1::uuid[])',
          [ids],
        );
        const priceOf = new Map(prices.map((p) => [p.id, p.priceCents]));
        const missingProductIds = ids.filter((id) => !priceOf.has(id));
        if (missingProductIds.length > 0) {
          return { ok: false as const, missingProductIds, totalTooLarge: false as const };
        }
        const lines = order.items.map((item, position) => ({
          ...item,
          position,
          unitPriceCents: priceOf.get(item.productId) ?? 0,
        }));
        const total = lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0);
        // Prices (up to 10⁸ cents) × quantities (up to 100) × 50 lines can pass what the column
        // holds: refused as input instead of failing as an integer overflow inside the database.
        if (total > MAX_ORDER_TOTAL_CENTS) return { ok: false as const, totalTooLarge: true as const };
        const a = order.shippingAddress;
        const inserted = await tx.query<OrderDbRow>(
          `INSERT INTO orders (owner_id, total_cents, promo_code, ship_line1, ship_city, ship_postcode, ship_country)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
          [order.ownerId, total, order.promoCode, a.line1, a.city, a.postcode, a.country],
        );
        const row = inserted[0];
        if (!row) throw new Error('insert returned no row');
        // One statement for all lines: arrays travel as parameters and are unnested by PostgreSQL.
        await tx.query(
          `INSERT INTO order_items (order_id, position, product_id, quantity, unit_price_cents)
           SELECT $1, * FROM unnest($2::int[], $3::uuid[], $4::int[], $5::int[])`,
          [
            row.id,
            lines.map((l) => l.position),
            lines.map((l) => l.productId),
            lines.map((l) => l.quantity),
            lines.map((l) => l.unitPriceCents),
          ],
        );
        return { ok: true as const, order: toOrder(row) };
      });
    },
    /** Cancels the order only while it is PENDING; null when it was not (atomic check-and-set). */
    async cancelIfPending(id: string): Promise<OrderRow | null> {
      const rows = await db.query<OrderDbRow>(
        `UPDATE orders SET status = 'CANCELLED' WHERE id = $1 AND status = 'PENDING' RETURNING ${COLUMNS}`,
        [id],
      );
      return rows[0] ? toOrder(rows[0]) : null;
    },
  };
}
export type OrdersRepository = ReturnType<typeof createOrdersRepository>;
