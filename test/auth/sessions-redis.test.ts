import { describe } from 'node:test';
import { requireService } from '../helpers/env.js';
import { sessionsSuite } from './sessions.suite.js';

const skip = requireService('REDIS_URL');
if (skip) describe('refresh sessions (redis store)', { skip }, () => undefined);
else sessionsSuite('redis');
