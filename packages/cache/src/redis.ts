export { createRedisBus, type RedisBusOptions } from './bus/redis-bus.js';
export { createRedisStore, type RedisStoreOptions } from './store/redis-store.js';
