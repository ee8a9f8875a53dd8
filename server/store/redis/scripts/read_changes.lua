--[[
  read_changes: online-user changes after a cursor (a change-log entry number). No cursor:
  the current end, no changes. A cursor past the end (the log was reset) or older than the
  first kept entry reports `truncated`, so the reader reloads the full list.

  KEYS[1] log     stream, entry ids <n>-0
  KEYS[2] logSeq  counter: the last entry number
  ARGV[1] cursor (decimal entry number, '' = from now)  ARGV[2] max changes (0: none)
  Returns: cjson { c = cursor, x = { { 'j', id, username, status, since } | { 'l', id } }?,
                   t = 1? (truncated) }
]]
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if ARGV[1] == '' then return cjson.encode({ c = tostring(last) }) end
local after = tonumber(ARGV[1])
if not after or after > last then return cjson.encode({ c = tostring(last), t = 1 }) end

local first = last + 1
local head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if head then first = tonumber(string.match(head[1], '^(%d+)')) end

local changes, cursor, entries = {}, after, {}
if tonumber(ARGV[2]) > 0 then
  entries = redis.call('XRANGE', KEYS[1], (after + 1) .. '-0', '+', 'COUNT', tonumber(ARGV[2]))
end
for _, entry in ipairs(entries) do
  local f = {}
  for i = 1, #entry[2], 2 do f[entry[2][i]] = entry[2][i + 1] end
  if f.k == 'j' then
    table.insert(changes, { 'j', f.u, f.n, f.s, f.t })
  else
    table.insert(changes, { 'l', f.u })
  end
  cursor = tonumber(string.match(entry[1], '^(%d+)'))
end
local out = { c = string.format('%d', cursor) }
if #changes > 0 then out.x = changes end
if after + 1 < first then out.t = 1 end
return cjson.encode(out)
