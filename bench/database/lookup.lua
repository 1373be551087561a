-- wrk script for bench/database/lookup.py: GET /api/reservations/<phone>, rotating over seeded phones.
--
--   wrk -t2 -c64 -d15s --latency -H "Authorization: Bearer KEY" -s bench/database/lookup.lua \
--       http://127.0.0.1:PORT -- PATHS_FILE
--
-- PATHS_FILE holds one request path per line (the same phones written in different formats).
-- At the end one machine-readable line starting with "BENCH" is printed for bench/database/lookup.py.

local paths = {}
local next_path = 1
local threads = 0

function setup(thread)
  -- Runs in the main Lua state, once per wrk thread: number them so they start apart.
  thread:set("thread_number", threads)
  threads = threads + 1
end

function init(args)
  local file = assert(io.open(args[1], "r"), "usage: ... -- PATHS_FILE")
  for line in file:lines() do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  file:close()
  assert(#paths > 0, "no paths in " .. args[1])
  next_path = (thread_number * 7919) % #paths + 1
end

function request()
  local path = paths[next_path]
  next_path = next_path % #paths + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d "
      .. "p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max
  ))
end
