/**
 * The layout's rules, checked in `npm test` (npm run lint:deps). Layer first, then feature: the core
 * is pure, use cases take ports, adapters are the only AWS code, handlers are leaves, and the
 * dashboard sees only the core and the wire types. Modelled on domain-driven-hexagon's rules.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'lib/core imports only lib/core, zod and node:crypto: no I/O, no AWS, no process.',
      severity: 'error',
      from: { path: '^lib/core/' },
      to: {
        pathNot: ['^lib/core/', '^node_modules/zod/', '^crypto$', '^node:crypto$'],
      },
    },
    {
      name: 'app-takes-ports',
      comment:
        'Use cases (lib/app) import the core, other use cases, declarations and errors; stores come in as ports.',
      severity: 'error',
      from: { path: '^lib/app/' },
      to: {
        pathNot: [
          '^lib/core/',
          '^lib/app/',
          '^lib/declarations/',
          '^lib/errors',
          '^lib/api/',
          '^node_modules/zod/',
          '^crypto$',
          '^node:crypto$',
        ],
      },
    },
    {
      name: 'handlers-are-leaves',
      comment: 'No handler imports another handler; shared work lives in lib/app or lib/report.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^functions/' },
    },
    {
      name: 'only-wiring-loads-handlers',
      comment:
        'Handlers are entry points: the stacks bundle them by path, the local wiring and tests load them.',
      severity: 'error',
      from: { path: '^lib/', pathNot: '^lib/local/wiring/' },
      to: { path: '^functions/' },
    },
    {
      name: 'web-sees-core-and-api',
      comment:
        'The dashboard imports only the pure core and the wire types (lib/api), never adapters or use cases.',
      severity: 'error',
      from: { path: '^web/src/' },
      to: { path: '^lib/', pathNot: ['^lib/core/', '^lib/api/'] },
    },
    {
      name: 'api-is-types-and-core',
      comment: 'Wire types describe what crosses HTTP; they are built from the core only.',
      severity: 'error',
      from: { path: '^lib/api/' },
      to: { path: '^lib/', pathNot: ['^lib/core/', '^lib/api/'] },
    },
    {
      name: 'stacks-never-local',
      comment: 'What is deployed never depends on the embedded stand-ins.',
      severity: 'error',
      from: { path: '^lib/stacks/' },
      to: { path: '^lib/local/' },
    },
    {
      name: 'adapters-not-up',
      comment:
        'Adapters implement ports; they never reach up into use cases, the CLI, the stand-ins or handlers.',
      severity: 'error',
      from: { path: '^lib/adapters/' },
      to: { path: ['^lib/app/', '^lib/cli/', '^lib/local/', '^lib/stacks/'] },
    },
    {
      name: 'no-orphans',
      comment: 'A module nothing imports is dead code (entry points and declaration files excepted).',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: [
          '\\.d\\.ts$',
          '^functions/',
          '^bin/',
          '^lib/cli/reconcile-worker\\.ts$',
          '^lib/stacks/run-asl\\.ts$',
          '^lib/local/standins/run-asl\\.ts$',
          '(^|/)\\.?[^/]+\\.config\\.[cm]?[jt]s$',
          '^web/src/main\\.ts$',
        ],
      },
      to: {},
    },
    {
      name: 'no-circular-features',
      comment: 'Cycles between modules make the layers meaningless.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^dist', '^cdk\\.out'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs'],
    },
  },
};
