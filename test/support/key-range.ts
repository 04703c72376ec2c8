import { IDBKeyRange as FakeKeyRange } from 'fake-indexeddb';

// Set up before every unit test file (vitest.config.ts). happy-dom has no IndexedDB: the tests
// that store give `indexedDB` fake-indexeddb's factory, and the key ranges the outbox deletes by
// must come from the same library.
globalThis.IDBKeyRange = FakeKeyRange;
