-- Shared by the benchmark scripts: headers from a file, and a JSON report line at the end.
-- Loaded with dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua").

-- Each line of the file is "Header-Name: value"; requests rotate over the lines, so that
-- writes spread over many participants (each line is one participant's credentials).
function read_header_lines(path)
  local lines = {}
  for line in io.lines(path) do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    if name then
      lines[#lines + 1] = { name = name, value = value }
    end
  end
  assert(#lines > 0, "no header lines in " .. path)
  return lines
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p90":%d,"p95":%d,"p99":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99)))
end
