import { startBareApollo } from './bare-apollo.js';
import { serveTarget } from './serve.js';

// Target 2: the same schema, resolvers, loaders, services and database, no protection at all.
serveTarget(() => startBareApollo());
