--[[
  get_session: the session record, read-only (expiry is judged in TypeScript from `now`).

  KEYS[1] u:<userId> session hash
  ARGV[1] userId
  Returns: cjson { r = record } | cjson {} when there is no hash
]]
local raw = redis.call('HGETALL', KEYS[1])
if #raw == 0 then return '{}' end
local u = { id = ARGV[1] }
for i = 1, #raw, 2 do u[raw[i]] = raw[i + 1] end
return cjson.encode({ r = u })
