/**
 * Test helpers for apps built on Airlock (`import { connectInMemory } from 'airlock/testing'`).
 */
export { connectInMemory, type EventRecord, type InMemoryPage } from './transports/memory.js';
