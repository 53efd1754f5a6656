// Import rules of src/ (run in `npm test` as `npm run lint:imports`): the layering described in
// docs/architecture.md cannot decay silently. Lower layers never import higher ones:
//   text  <  db, store  <  auth (mechanisms), audit, policy  <  security (protections)  <  modules  <  app.ts
/** Where the domain lives: the module slices and the files that compose them. */
const DOMAIN =
  '^src/(modules|services\\.ts|repositories\\.ts|loaders\\.ts|resolvers\\.ts|context\\.ts|scope\\.ts)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import cycle makes the load order and the layers ambiguous. Type-only imports are erased at ' +
        'compile time and are left out: the typed resolvers (generated) need the context type, which names ' +
        "every module's services, which hold those resolvers; that loop is inherent to typed resolvers.",
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'db-and-store-are-the-bottom',
      severity: 'error',
      comment: 'db/ and store/ are infrastructure: they import nothing above them.',
      from: { path: '^src/(db|store)/' },
      to: {
        path: '^src/(auth|audit|policy|security|modules|http|graphql)/|^src/(app|context|services|repositories|loaders|resolvers|scope|validation|schema)\\.ts$',
      },
    },
    {
      name: 'text-is-the-bottom',
      severity: 'error',
      comment:
        'text/ holds the safe-text rule that validation, the OIDC sign-in, the seed and the db migrations all apply: it imports nothing else from src/.',
      from: { path: '^src/text/' },
      to: { path: '^src/', pathNot: '^src/text/' },
    },
    {
      name: 'security-imports-no-module',
      severity: 'error',
      comment:
        'A protection takes the RequestIdentity (src/request.ts), never the domain or the GraphQL context.',
      from: { path: '^src/security/' },
      to: { path: DOMAIN },
    },
    {
      name: 'auth-mechanisms-import-no-module',
      severity: 'error',
      comment:
        'auth/ holds mechanisms (tokens, passwords, key secrets, OIDC, throttle); it reaches users and keys through ports the modules implement.',
      from: { path: '^src/auth/' },
      to: { path: DOMAIN },
    },
    {
      name: 'audit-and-policy-import-no-module',
      severity: 'error',
      comment:
        'The audit channel and the policy runner are generic: modules use them, not the other way round.',
      from: { path: '^src/(audit|policy)/' },
      to: { path: DOMAIN },
    },
    {
      name: 'nothing-imports-the-app',
      severity: 'error',
      comment: 'app.ts composes everything; only main.ts starts it.',
      from: { path: '^src/', pathNot: '^src/main\\.ts$' },
      to: { path: '^src/app\\.ts$' },
    },
    {
      name: 'nothing-imports-the-cli',
      severity: 'error',
      comment: 'src/cli is an entry point like main.ts: the app never depends on the admin tool.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
