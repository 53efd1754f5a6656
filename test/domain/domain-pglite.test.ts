import { domainSuite } from './domain.suite.js';

domainSuite('pglite');
