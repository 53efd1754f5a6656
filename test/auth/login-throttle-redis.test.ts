import { describe } from 'node:test';
import { requireService } from '../helpers/env.js';
import { loginThrottleSuite } from './login-throttle.suite.js';

const skip = requireService('REDIS_URL');
if (skip) describe('login throttling (redis store)', { skip }, () => undefined);
else loginThrottleSuite('redis');
