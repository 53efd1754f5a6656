import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderProtectionsDoc, PROTECTIONS_DOC } from '../../scripts/protections-doc.js';
import { CONFIG_VARIABLES } from '../../src/config.js';
import { describeProtections } from '../../src/security/describe.js';
import { PROTECTIONS } from '../../src/security/protections.js';

// One source for every default: the protections' option schemas. The example environment and the
// documented table are checked against it, so neither can drift from what the server reads.
describe('one source for every variable and default', () => {
  it('.env.example lists exactly the variables the configuration reads', () => {
    const listed = [...readFileSync('.env.example', 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map(
      (m) => m[1],
    );
    assert.equal(new Set(listed).size, listed.length, 'a variable is listed twice');
    assert.deepEqual([...listed].sort(), [...CONFIG_VARIABLES].sort());
  });

  it('docs/protections.md holds the table generated from the option schemas', async () => {
    const current = readFileSync(PROTECTIONS_DOC, 'utf8');
    assert.equal(current, await renderProtectionsDoc(current), 'run `npm run docs:protections`');
  });

  it('every variable belongs to one protection (or the core), and says what it means', () => {
    assert.equal(new Set(CONFIG_VARIABLES).size, CONFIG_VARIABLES.length, 'a variable is declared twice');
    assert.equal(
      new Set(PROTECTIONS.map((p) => p.name)).size,
      PROTECTIONS.length,
      'two protections share a name',
    );
    for (const protection of describeProtections()) {
      for (const option of protection.options) {
        assert.ok(
          option.description.length > 10,
          `${option.variable} of ${protection.name} has no description`,
        );
      }
    }
  });

  it('the protections are listed phase by phase, in the order a request meets them', () => {
    const phases = PROTECTIONS.map((p) => p.phase);
    const order = ['http', 'document', 'execution', 'response'];
    const ranks = phases.map((phase) => order.indexOf(phase));
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
    );
  });
});
