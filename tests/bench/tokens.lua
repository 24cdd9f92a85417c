-- tests/bench/tokens.lua: GET PATH with a bearer token, rotating through the
-- tokens of a file (one a line).  wrk -s tokens.lua URL -- TOKENS_FILE PATH
local tokens, i, path = {}, 0, "/api/tasks"

function init(args)
	for line in io.lines(args[1]) do
		if line ~= "" then tokens[#tokens + 1] = line end
	end
	if args[2] then path = args[2] end
	i = math.random(#tokens)
end

function request()
	i = i % #tokens + 1
	return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[i] })
end
