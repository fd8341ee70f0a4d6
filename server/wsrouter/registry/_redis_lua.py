"""The Lua scripts of the Redis registry: one script, so one round trip, per method.

Redis runs each script atomically, which is the whole of the registry's concurrency
story: the per-user cap is checked and the connection added in one step, a join and
the "first of this user in the room" answer cannot be split by another node's join.
A registry method that made N+1 round trips cost 7.5 ms of CPU per chat connect
(measured); one EVALSHA keeps it near 40 µs of Redis time.

Every script is safe to run twice (the client retries a call once after a broken
connection): a repeated add of the same registration answers as the first did.

Keys (one Redis database is one cluster):

- ``wsr:c:{id}``: hash of a connection: ``t`` type, ``u`` user, ``n`` username,
  ``at`` connected-at in µs since the epoch, ``node``
- ``wsr:cr:{id}``: zset of its rooms, scored by join sequence (so in join order)
- ``wsr:all``, ``wsr:t:{type}``, ``wsr:u:{user}``: zsets of ids scored by ``at``
- ``wsr:uc``: hash user → open connections (the admin statistics); ``wsr:types``: set
- ``wsr:r:{type}:{room}``: zset of the room's ids by join sequence;
  ``wsr:ru:{type}:{room}``: hash user → that user's connections in the room
- ``wsr:n:{node}``: set of a node's ids; ``wsr:nodes``: set of nodes;
  ``wsr:hb:{node}``: the node's heartbeat, a key with a TTL; ``wsr:seq``: join counter

The scripts name keys they build themselves, which a single Redis allows (a Redis
Cluster would not; wsrouter does not support one).
"""

from __future__ import annotations

_COMMON = """
local P = 'wsr:'

local function leave_room(id, ctype, user, room)
  if not redis.call('ZSCORE', P .. 'cr:' .. id, room) then return nil end
  redis.call('ZREM', P .. 'cr:' .. id, room)
  local members = P .. 'r:' .. ctype .. ':' .. room
  local users = P .. 'ru:' .. ctype .. ':' .. room
  redis.call('ZREM', members, id)
  local left = redis.call('HINCRBY', users, user, -1)
  if left <= 0 then redis.call('HDEL', users, user) end
  return {redis.call('ZCARD', members), left <= 0 and 1 or 0}
end

local function join_room(id, ctype, user, room)
  if redis.call('ZSCORE', P .. 'cr:' .. id, room) then return nil end
  local seq = redis.call('INCR', P .. 'seq')
  redis.call('ZADD', P .. 'cr:' .. id, seq, room)
  local members = P .. 'r:' .. ctype .. ':' .. room
  redis.call('ZADD', members, seq, id)
  local here = redis.call('HINCRBY', P .. 'ru:' .. ctype .. ':' .. room, user, 1)
  return {redis.call('ZCARD', members), here == 1 and 1 or 0}
end

-- Returns {room, member_count, user_changed} per room left, or nil if unknown.
local function remove_connection(id)
  local f = redis.call('HMGET', P .. 'c:' .. id, 't', 'u', 'node')
  if not f[1] then return nil end
  local ctype, user, node = f[1], f[2], f[3]
  local changes = {}
  for _, room in ipairs(redis.call('ZRANGE', P .. 'cr:' .. id, 0, -1)) do
    local change = leave_room(id, ctype, user, room)
    table.insert(changes, {room, change[1], change[2]})
  end
  redis.call('DEL', P .. 'c:' .. id, P .. 'cr:' .. id)
  redis.call('ZREM', P .. 'all', id)
  redis.call('ZREM', P .. 't:' .. ctype, id)
  redis.call('ZREM', P .. 'u:' .. user, id)
  if redis.call('HINCRBY', P .. 'uc', user, -1) <= 0 then redis.call('HDEL', P .. 'uc', user) end
  redis.call('SREM', P .. 'n:' .. node, id)
  return changes
end

local function store_connection(id, ctype, user, name, at, node)
  redis.call('HSET', P .. 'c:' .. id, 't', ctype, 'u', user, 'n', name, 'at', at, 'node', node)
  redis.call('ZADD', P .. 'all', at, id)
  redis.call('ZADD', P .. 't:' .. ctype, at, id)
  redis.call('ZADD', P .. 'u:' .. user, at, id)
  redis.call('HINCRBY', P .. 'uc', user, 1)
  redis.call('SADD', P .. 'types', ctype)
  redis.call('SADD', P .. 'n:' .. node, id)
  redis.call('SADD', P .. 'nodes', node)
end

-- {type, user, name, at, node, {rooms in join order}}
local function record(id)
  local f = redis.call('HMGET', P .. 'c:' .. id, 't', 'u', 'n', 'at', 'node')
  if not f[1] then return nil end
  table.insert(f, redis.call('ZRANGE', P .. 'cr:' .. id, 0, -1))
  return f
end
"""

ADD = (
    _COMMON
    + """
-- ARGV: id, type, user, name, at, node, max_per_user
-- 1 added (or this same registration was already added), 0 id taken, -1 user at the cap
local id, ctype, user, name, at, node = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local existing = redis.call('HMGET', P .. 'c:' .. id, 'node', 'at', 'u')
if existing[1] then
  if existing[1] == node and existing[2] == at and existing[3] == user then return 1 end
  return 0
end
if redis.call('ZCARD', P .. 'u:' .. user) >= tonumber(ARGV[7]) then return -1 end
store_connection(id, ctype, user, name, at, node)
return 1
"""
)

RESTORE = (
    _COMMON
    + """
-- ARGV: id, type, user, name, at, node, rooms...: put back a live connection of this
-- node that the registry lost (a Redis restart) or reaped (a long outage); no cap.
local id, ctype, user, name, at, node = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if redis.call('EXISTS', P .. 'c:' .. id) == 1 then return 0 end
store_connection(id, ctype, user, name, at, node)
for i = 7, #ARGV do join_room(id, ctype, user, ARGV[i]) end
return 1
"""
)

REMOVE = (
    _COMMON
    + """
-- ARGV: id -> {{room, member_count, user_changed}, ...}
return remove_connection(ARGV[1]) or {}
"""
)

GET = (
    _COMMON
    + """
-- ARGV: id -> record or nil
return record(ARGV[1])
"""
)

JOIN = (
    _COMMON
    + """
-- ARGV: id, room -> {member_count, user_changed}, nil if already in it, -1 unknown id
local f = redis.call('HMGET', P .. 'c:' .. ARGV[1], 't', 'u')
if not f[1] then return -1 end
return join_room(ARGV[1], f[1], f[2], ARGV[2])
"""
)

LEAVE = (
    _COMMON
    + """
-- ARGV: id, room -> {member_count, user_changed}, or nil if it was not in it
local f = redis.call('HMGET', P .. 'c:' .. ARGV[1], 't', 'u')
if not f[1] then return nil end
return leave_room(ARGV[1], f[1], f[2], ARGV[2])
"""
)

ROOM_USERS = """
-- ARGV: type, room -> {user, name, user, name, ...} by join order, each user once
local seen, out = {}, {}
for _, id in ipairs(redis.call('ZRANGE', 'wsr:r:' .. ARGV[1] .. ':' .. ARGV[2], 0, -1)) do
  local f = redis.call('HMGET', 'wsr:c:' .. id, 'u', 'n')
  if f[1] and not seen[f[1]] then
    seen[f[1]] = true
    table.insert(out, f[1])
    table.insert(out, f[2])
  end
end
return out
"""

FIND = (
    _COMMON
    + """
-- ARGV: type, user, room, id, exclude ('' for none), limit, offset, count_only
-- -> {total, record...} (records with their id first), oldest first
local ctype, user, room, want, exclude = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local limit, offset, count_only = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8] == '1'
local index, by_room = nil, false
if want ~= '' then
  index = nil
elseif room ~= '' and ctype ~= '' then
  index, by_room = P .. 'r:' .. ctype .. ':' .. room, true
elseif user ~= '' then
  index = P .. 'u:' .. user
elseif ctype ~= '' then
  index = P .. 't:' .. ctype
else
  index = P .. 'all'
end
-- The index alone answers a count (the busiest case: a room's member count).
local only_index = want == '' and (by_room and user == '' or
  (not by_room and room == '' and (user == '' or ctype == '')))
if count_only and only_index then
  local total = redis.call('ZCARD', index)
  if exclude ~= '' and redis.call('ZSCORE', index, exclude) then total = total - 1 end
  return {total}
end
local candidates
if want ~= '' then candidates = {want} else candidates = redis.call('ZRANGE', index, 0, -1) end
local matching = {}
for _, id in ipairs(candidates) do
  local f = redis.call('HMGET', P .. 'c:' .. id, 't', 'u', 'at')
  if f[1] and id ~= exclude
    and (ctype == '' or f[1] == ctype) and (user == '' or f[2] == user)
    and (room == '' or redis.call('ZSCORE', P .. 'cr:' .. id, room)) then
    table.insert(matching, {id, tonumber(f[3]), #matching})
  end
end
if by_room then  -- join order there; the answer is oldest first
  table.sort(matching, function(a, b)
    if a[2] ~= b[2] then return a[2] < b[2] end
    return a[3] < b[3]
  end)
end
local out = {#matching}
if not count_only then
  for i = offset + 1, math.min(offset + limit, #matching) do
    local r = record(matching[i][1])
    table.insert(r, 1, matching[i][1])
    table.insert(out, r)
  end
end
return out
"""
)

STATS = """
-- ARGV: types... -> {total, {type, count, ...}, {user, count, ...}}
local by_type, listed, types = {}, {}, {}
for _, t in ipairs(ARGV) do listed[t] = true; table.insert(types, t) end
for _, t in ipairs(redis.call('SMEMBERS', 'wsr:types')) do
  if not listed[t] then table.insert(types, t) end
end
for _, t in ipairs(types) do
  table.insert(by_type, t)
  table.insert(by_type, redis.call('ZCARD', 'wsr:t:' .. t))
end
return {redis.call('ZCARD', 'wsr:all'), by_type, redis.call('HGETALL', 'wsr:uc')}
"""

HEARTBEAT = """
-- ARGV: node, ttl_ms -> 1 if the heartbeat was alive, 0 if it had lapsed (re-register)
local key = 'wsr:hb:' .. ARGV[1]
redis.call('SADD', 'wsr:nodes', ARGV[1])
if redis.call('SET', key, '1', 'PX', ARGV[2], 'XX') then return 1 end
redis.call('SET', key, '1', 'PX', ARGV[2])
return 0
"""

REAP = (
    _COMMON
    + """
-- ARGV: node, batch -> up to `batch` connections of a node whose heartbeat lapsed,
-- removed: {{id, type, user, name, {{room, member_count, user_changed}, ...}}, ...}
local node = ARGV[1]
if redis.call('EXISTS', P .. 'hb:' .. node) == 1 then return {} end
local out = {}
for _, id in ipairs(redis.call('SRANDMEMBER', P .. 'n:' .. node, tonumber(ARGV[2]))) do
  local f = redis.call('HMGET', P .. 'c:' .. id, 't', 'u', 'n')
  local changes = remove_connection(id)
  if changes then
    table.insert(out, {id, f[1], f[2], f[3], changes})
  else
    redis.call('SREM', P .. 'n:' .. node, id)
  end
end
if redis.call('SCARD', P .. 'n:' .. node) == 0 then redis.call('SREM', P .. 'nodes', node) end
return out
"""
)
