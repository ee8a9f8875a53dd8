--[[
  list_online: a page of online users, most recently online first (ties: greater id first),
  after a cursor (the last user of the previous page). O(log N + page) while the cursor's user
  is still where it was; otherwise O(log N + users sharing the cursor's `since`).

  KEYS[1] online  zset user id -> onlineSince
  ARGV[1] base  ARGV[2] cursor since ('' = first page)  ARGV[3] cursor user id  ARGV[4] limit
  Returns: cjson { u = { { id, username, status, since }, ... }?, n = { since, id }? (more) }
]]
local base, limit = ARGV[1], tonumber(ARGV[4])

-- Byte order, as Redis orders members (Lua's `>` on strings follows the locale).
local function bytes_greater(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end

local start = 0
if ARGV[2] ~= '' then
  local since, cursor_id = tonumber(ARGV[2]), ARGV[3]
  local score = redis.call('ZSCORE', KEYS[1], cursor_id)
  if score and tonumber(score) == since then
    start = redis.call('ZREVRANK', KEYS[1], cursor_id) + 1
  else
    -- The cursor's user moved or left: count everything that sorts before its old place.
    start = redis.call('ZCOUNT', KEYS[1], '(' .. since, '+inf')
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], since, since)) do
      if bytes_greater(id, cursor_id) then start = start + 1 end
    end
  end
end

local rows = redis.call('ZREVRANGE', KEYS[1], start, start + limit, 'WITHSCORES')
local users, last = {}, nil
for i = 1, math.min(#rows, 2 * limit), 2 do
  local id = rows[i]
  local f = redis.call('HMGET', base .. 'u:' .. id, 'username', 'searching', 'partnerId')
  if f[1] then
    local status = 'online'
    if f[3] then status = 'chatting' elseif f[2] == '1' then status = 'searching' end
    table.insert(users, { id, f[1], status, rows[i + 1] })
  end
  last = { rows[i + 1], id }
end
local out = {}
if #users > 0 then out.u = users end
if #rows > 2 * limit then out.n = last end
return cjson.encode(out)
