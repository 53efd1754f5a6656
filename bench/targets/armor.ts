import { ApolloArmor } from '@escape.tech/graphql-armor';
import { startBareApollo } from './bare-apollo.js';
import { serveTarget } from './serve.js';

/**
 * Two of Armor's defaults refuse the benchmark's catalogue page, so only those are raised:
 * max depth 6 → 10 (products → edges → node → reviews → edges → node → author → name is 8 deep;
 * 10 is the project's own MAX_DEPTH), and cost limit 5000 → 20000 (Armor's static cost puts the
 * page at ~14,650). Everything else is Armor's default.
 */
const ARMOR_MAX_DEPTH = 10;
const ARMOR_COST_LIMIT = 20_000;

// Target 3: the baseline plus @escape.tech/graphql-armor, the usual peer setup.
serveTarget(() => {
  const armor = new ApolloArmor({
    maxDepth: { n: ARMOR_MAX_DEPTH },
    costLimit: { maxCost: ARMOR_COST_LIMIT },
  });
  return startBareApollo(armor.protect());
});
