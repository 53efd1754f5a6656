import { describe } from 'node:test';
import { requireService } from '../helpers/env.js';
import { domainSuite } from './domain.suite.js';

const skip = requireService('DATABASE_URL');
if (skip) describe('shop domain on pg', { skip }, () => undefined);
else domainSuite('pg');
