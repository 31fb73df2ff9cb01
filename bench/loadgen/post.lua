-- wrk script for comparing plinth-loadgen with wrk against the same target:
--   BODY=body.json wrk -t1 -c64 -d5s --latency -s bench/loadgen/post.lua URL
-- sends the same POST that `plinth-loadgen --body-file body.json` sends.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local path = os.getenv("BODY")
if path then
  local f = assert(io.open(path, "rb"))
  wrk.body = f:read("*a")
  f:close()
else
  wrk.body = '{"model":"mock","max_tokens":16,"messages":[{"role":"user","content":"hello"}]}'
end
