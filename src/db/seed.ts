import { toSafeText } from '../text/safe-text.js';
import type { Db } from './client.js';

/** Demo accounts (development only; production never seeds). Listed in docs/walkthrough.md. */
export const DEMO_ACCOUNTS = [
  { email: 'admin@example.com', name: 'Ada Admin', role: 'ADMIN', password: 'admin-demo-password-1' },
  { email: 'alice@example.com', name: 'Alice Customer', role: 'CUSTOMER', password: 'alice-demo-password-1' },
  { email: 'bob@example.com', name: 'Bob Customer', role: 'CUSTOMER', password: 'bob-demo-password-1' },
] as const;

const ADJECTIVES = [
  'Sturdy',
  'Quiet',
  'Bright',
  'Compact',
  'Vintage',
  'Smart',
  'Eco',
  'Rapid',
  'Classic',
  'Modular',
];
const NOUNS = [
  'Lamp',
  'Kettle',
  'Backpack',
  'Keyboard',
  'Chair',
  'Notebook',
  'Speaker',
  'Bottle',
  'Jacket',
  'Headphones',
];
const MATERIALS = ['oak', 'steel', 'linen', 'recycled plastic', 'bamboo', 'wool'];

/**
 * Seeds demo data once: when the users table is empty. 300 products, 900 reviews (a few with
 * markup, stored in the safe form like any written text) and three verified accounts; no orders. Deterministic, so the walk-through (docs/walkthrough.md) stays true.
 */
export interface SeedOptions {
  /** How the demo accounts' passwords are stored (auth/passwords.ts; passed in: db/ imports no auth). */
  hashPassword: (password: string) => Promise<string>;
  productCount?: number;
}

export async function seedDemoData(
  db: Db,
  { hashPassword, productCount = 300 }: SeedOptions,
): Promise<boolean> {
  const existing = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  if ((existing[0]?.n ?? 0) > 0) return false;

  const hashes = await Promise.all(DEMO_ACCOUNTS.map((a) => hashPassword(a.password)));
  await db.transaction(async (tx) => {
    const users = await tx.query<{ id: string; email: string }>(
      // Verified: the demo accounts sign in with the published passwords at once.
      `INSERT INTO users (email, name, role, password_hash, email_verified_at)
       SELECT *, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) RETURNING id, email`,
      [
        DEMO_ACCOUNTS.map((a) => a.email),
        // Demo text goes through the rule every written text does (text/safe-text.ts).
        DEMO_ACCOUNTS.map((a) => toSafeText(a.name)),
        DEMO_ACCOUNTS.map((a) => a.role),
        hashes,
      ],
    );
    const names: string[] = [];
    const descriptions: string[] = [];
    const prices: number[] = [];
    const created: string[] = [];
    const base = Date.UTC(2026, 0, 1);
    for (let i = 0; i < productCount; i++) {
      const adjective = ADJECTIVES[i % ADJECTIVES.length] ?? 'Plain';
      const noun = NOUNS[Math.floor(i / ADJECTIVES.length) % NOUNS.length] ?? 'Thing';
      names.push(`${adjective} ${noun} ${Math.floor(i / 100) + 1}${String(i % 100).padStart(2, '0')}`);
      descriptions.push(
        `A ${adjective.toLowerCase()} ${noun.toLowerCase()} made of ${MATERIALS[i % MATERIALS.length]}.`,
      );
      prices.push(499 + ((i * 737) % 20_000));
      created.push(new Date(base + i * 60_000).toISOString());
    }
    const products = await tx.query<{ id: string }>(
      `INSERT INTO products (name, description, price_cents, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[]) RETURNING id`,
      [names.map(toSafeText), descriptions.map(toSafeText), prices, created],
    );
    const customers = users.filter((u) => u.email !== 'admin@example.com').map((u) => u.id);
    const rProduct: string[] = [];
    const rAuthor: string[] = [];
    const rRating: number[] = [];
    const rBody: string[] = [];
    const rCreated: string[] = [];
    products.forEach((p, i) => {
      for (let j = 0; j < 3; j++) {
        rProduct.push(p.id);
        rAuthor.push(customers[(i + j) % customers.length] ?? '');
        rRating.push(((i + j) % 5) + 1);
        rBody.push(
          j === 2 && i % 50 === 0
            ? 'Great! <b>bold</b> claims aside, it works.'
            : `Review ${j + 1} of product ${i + 1}.`,
        );
        rCreated.push(new Date(base + i * 60_000 + (j + 1) * 1000).toISOString());
      }
    });
    await tx.query(
      `INSERT INTO reviews (product_id, author_id, rating, body, created_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::smallint[], $4::text[], $5::timestamptz[])`,
      [rProduct, rAuthor, rRating, rBody.map(toSafeText), rCreated],
    );
  });
  return true;
}
