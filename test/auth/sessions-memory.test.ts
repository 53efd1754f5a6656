import { sessionsSuite } from './sessions.suite.js';

sessionsSuite('memory');
