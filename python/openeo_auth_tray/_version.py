# Written by scripts/sync-version.mjs from package.json, the one source of the version (npm version
# runs it); test/ci/one-version.test.ts fails when the two differ. Do not edit by hand.
__version__ = "0.1.0"
