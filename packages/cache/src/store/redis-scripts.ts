// Keys are built inside the scripts because the namespace generation must be read in the same atomic step;
// this needs a standalone Redis (not Cluster). Layout under `base` = `<prefix><namespace>:`:
//   seq            write sequence: every write, delete, invalidation and clear takes the next number; it
//                  starts at the server's time in units of 100 µs, so one lost in a restart without
//                  persistence starts again above every fence handed out before (a load's stale write is
//                  still refused) unless more than 10,000 writes a second were made since the last start;
//                  below 10^14 until the year 2286, so Lua, which writes 15 digits and more in exponent
//                  notation, writes it exactly
//   gen            the sequence number of the last clear; data lives under `<gen>:`
//   <gen>:e:<key>  `<seq>|<payload>`; an empty payload is a tombstone left by delete
//   <gen>:z:<tag>  the keys carrying the tag, scored by when their entry expires (expired ones are pruned
//                  on every write with the tag: a tag in use never grows past its live entries)
//   <gen>:v:<tag>  sequence number of the tag's last invalidation
//   <gen>:l:<key>  load lease: `<token>|<seq when taken>`

const GENERATION = `
local base = ARGV[1]
local g = base .. (redis.call('GET', base .. 'gen') or '0') .. ':'
`;

// Lua: the next number of the write sequence (see the layout above).
const NEXT_SEQ = `
local function nextSeq()
  local sk = base .. 'seq'
  if redis.call('EXISTS', sk) == 0 then
    local time = redis.call('TIME')
    redis.call('SET', sk, time[1] .. string.format('%04d', math.floor(tonumber(time[2]) / 100)))
  end
  return redis.call('INCR', sk)
end
`;

// Lua: whether the lease at `lk` belongs to `token` (a lease is `<token>|<seq when taken>`).
const OWNS_LEASE = `
local function owns(lk, token)
  local held = redis.call('GET', lk)
  return held ~= false and string.sub(held, 1, #token + 1) == token .. '|'
end
`;

/**
 * ARGV: base, key, lease token ('' for none), lease ttl ms, refresh ('1': take the lease over a stored value
 * too), the reader's tags... Returns {payload or '', fence, leased 0/1}. A lease taken before the key or one of the reader's tags was invalidated is for a value whose
 * write the fence will reject: the reader takes it over instead of waiting for a value that cannot come.
 * Reads that find an entry under the generation the store last saw use one MGET instead (`redis-store.ts`).
 */
export const READ_SCRIPT = `${GENERATION}
local v = redis.call('GET', g .. 'e:' .. ARGV[2])
local fence = tonumber(redis.call('GET', base .. 'seq') or '0')
local invalidated = 0
local lk = g .. 'l:' .. ARGV[2]
local mine = ARGV[3] .. '|' .. fence
if v then
  local sep = string.find(v, '|', 1, true)
  if sep < #v then
    local payload = string.sub(v, sep + 1)
    if ARGV[5] == '1' and ARGV[3] ~= '' and redis.call('SET', lk, mine, 'NX', 'PX', ARGV[4]) then
      return {payload, fence, 1}
    end
    return {payload, fence, 0}
  end
  invalidated = tonumber(string.sub(v, 1, sep - 1))
end
if ARGV[3] == '' then return {'', fence, 0} end
if redis.call('SET', lk, mine, 'NX', 'PX', ARGV[4]) then return {'', fence, 1} end
local takenAt = tonumber(string.match(redis.call('GET', lk), '|(%d+)$') or '0')
for i = 6, #ARGV do
  invalidated = math.max(invalidated, tonumber(redis.call('GET', g .. 'v:' .. ARGV[i]) or '0'))
end
if invalidated > takenAt then
  redis.call('SET', lk, mine, 'PX', ARGV[4])
  return {'', fence, 1}
end
return {'', fence, 0}
`;

/** ARGV: base, key, payload, ttl ms, fence ('' = unconditional), lease token ('' = none), tags... Returns 1 or 0. */
export const WRITE_SCRIPT = `${GENERATION}${NEXT_SEQ}${OWNS_LEASE}
local key = ARGV[2]
local ek = g .. 'e:' .. key
if ARGV[6] ~= '' and owns(g .. 'l:' .. key, ARGV[6]) then redis.call('DEL', g .. 'l:' .. key) end
if ARGV[5] ~= '' then
  local fence = tonumber(ARGV[5])
  if tonumber(redis.call('GET', base .. 'gen') or '0') > fence then return 0 end
  local current = redis.call('GET', ek)
  -- A sequence this script cannot read counts as newer: the write is refused, never the entry lost.
  if current and (tonumber(string.match(current, '^([^|]*)|')) or math.huge) > fence then return 0 end
  for i = 7, #ARGV do
    local invalidated = redis.call('GET', g .. 'v:' .. ARGV[i])
    if invalidated and tonumber(invalidated) > fence then return 0 end
  end
end
local seq = nextSeq()
local ttl = tonumber(ARGV[4])
redis.call('SET', ek, seq .. '|' .. ARGV[3], 'PX', ttl)
if #ARGV >= 7 then
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  for i = 7, #ARGV do
    local tk = g .. 'z:' .. ARGV[i]
    redis.call('ZREMRANGEBYSCORE', tk, '-inf', now)
    redis.call('ZADD', tk, now + ttl, key)
    if redis.call('PTTL', tk) < ttl then redis.call('PEXPIRE', tk, ttl) end
  end
end
return 1
`;

/** ARGV: base, key, token. */
export const RELEASE_SCRIPT = `${GENERATION}${OWNS_LEASE}
if owns(g .. 'l:' .. ARGV[2], ARGV[3]) then redis.call('DEL', g .. 'l:' .. ARGV[2]) end
return 1
`;

/** ARGV: base, fence window ms, keys... Tombstones fence loads in flight without a tag. */
export const DELETE_SCRIPT = `${GENERATION}${NEXT_SEQ}
local seq = nextSeq()
for i = 3, #ARGV do redis.call('SET', g .. 'e:' .. ARGV[i], seq .. '|', 'PX', ARGV[2]) end
return seq
`;

/** ARGV: base, fence window ms, tags... */
export const INVALIDATE_SCRIPT = `${GENERATION}${NEXT_SEQ}
local seq = nextSeq()
for i = 3, #ARGV do
  local tk = g .. 'z:' .. ARGV[i]
  redis.call('SET', g .. 'v:' .. ARGV[i], seq, 'PX', ARGV[2])
  for _, key in ipairs(redis.call('ZRANGE', tk, 0, -1)) do redis.call('DEL', g .. 'e:' .. key) end
  redis.call('DEL', tk)
  -- The plain set of keys that versions before the sorted set wrote (until their TTL passes).
  local legacy = g .. 't:' .. ARGV[i]
  for _, key in ipairs(redis.call('SMEMBERS', legacy)) do redis.call('DEL', g .. 'e:' .. key) end
  redis.call('DEL', legacy)
end
return seq
`;

/** ARGV: base. */
export const CLEAR_SCRIPT = `
local base = ARGV[1]
${NEXT_SEQ}
local seq = nextSeq()
redis.call('SET', base .. 'gen', seq)
return seq
`;
