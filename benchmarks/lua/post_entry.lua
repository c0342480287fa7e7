-- POST a new journal entry with a fresh client-made id per request (offline-safe path).
-- args: <headers file> <path> <day>: the headers file has one credential line per
-- participant; <day> (YYYY-MM-DD, in the past) is the day the entries are recorded on.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local credentials
local path
local day
local counter = 0

function init(args)
  credentials = read_header_lines(args[1])
  path = args[2]
  day = args[3]
  -- A seed per run (set by the harness): ids must never repeat across runs.
  math.randomseed(tonumber(os.getenv("BENCH_SEED") or "") or os.time())
end

local function hex(n, width)
  return string.format("%0" .. width .. "x", n)
end

local function uuid4()
  return hex(math.random(0, 0xffff), 4) .. hex(math.random(0, 0xffff), 4) .. "-" ..
    hex(math.random(0, 0xffff), 4) .. "-4" .. hex(math.random(0, 0xfff), 3) .. "-" ..
    hex(0x8000 + math.random(0, 0x3fff), 4) .. "-" ..
    hex(math.random(0, 0xffff), 4) .. hex(math.random(0, 0xffff), 4) ..
    hex(math.random(0, 0xffff), 4)
end

local notes = {
  '"Slept well; a long walk at lunch."',
  'null',
  '"Busy day at work, felt scattered in the afternoon but calmer after dinner."',
}

function request()
  counter = counter + 1
  local credential = credentials[(counter % #credentials) + 1]
  local body = string.format(
    '{"id":"%s","recorded_at":"%sT08:%02d:00+01:00","mood":%d,"focus":%d,' ..
    '"anxiety":%d,"creativity":%d,"connection":null,"note":%s,"tags":["walk","good-sleep"]}',
    uuid4(), day, counter % 60, counter % 11, (counter * 7) % 11, (counter * 3) % 11,
    (counter * 5) % 11, notes[(counter % #notes) + 1])
  local headers = { ["Content-Type"] = "application/json" }
  headers[credential.name] = credential.value
  return wrk.format("POST", path, headers, body)
end
