-- GET the URL's path with credentials from a headers file (rotating over its lines).
-- args: <headers file>
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local credentials
local counter = 0

function init(args)
  credentials = read_header_lines(args[1])
end

function request()
  counter = counter + 1
  local credential = credentials[(counter % #credentials) + 1]
  local headers = {}
  headers[credential.name] = credential.value
  return wrk.format("GET", nil, headers, nil)
end
