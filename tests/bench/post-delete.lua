-- tests/bench/post-delete.lua: POST /api/tasks, then DELETE the created task
-- (its Location) as the same user; users rotate through a token file.
--   wrk -s post-delete.lua URL -- TOKENS_FILE [PATH]   (PATH: /api/tasks)
-- wrk does not tell which request an answer belongs to, so the task text
-- carries the token's index and the 201 body (the task) gives it back.
local tokens, i, queue, path = {}, 0, {}, "/api/tasks"

function init(args)
	for line in io.lines(args[1]) do
		if line ~= "" then tokens[#tokens + 1] = line end
	end
	if args[2] then path = args[2] end
	i = math.random(#tokens)
end

function request()
	local job = table.remove(queue)
	if job then
		return wrk.format("DELETE", job[1],
		    { ["Authorization"] = "Bearer " .. tokens[job[2]] })
	end
	i = i % #tokens + 1
	return wrk.format("POST", path, {
		["Authorization"] = "Bearer " .. tokens[i],
		["Content-Type"] = "application/json" },
	    '{"text":"benchmark task u' .. i .. '"}')
end

function response(status, headers, body)
	if status ~= 201 then return end
	local loc = headers["Location"] or headers["location"]
	local idx = body and tonumber(body:match("benchmark task u(%d+)"))
	if loc and idx then
		queue[#queue + 1] = { (loc:gsub("^https?://[^/]+", "")), idx }
	end
end
