-- tests/bench/sessions.lua: GET PATH on the web app, rotating through
-- signed-in sessions (Cookie header values, one a line).
--   wrk -s sessions.lua URL -- COOKIES_FILE PATH
local cookies, i, path = {}, 0, "/tasks"

function init(args)
	for line in io.lines(args[1]) do
		if line ~= "" then cookies[#cookies + 1] = line end
	end
	if args[2] then path = args[2] end
	i = math.random(#cookies)
end

function request()
	i = i % #cookies + 1
	return wrk.format("GET", path, { ["Cookie"] = cookies[i] })
end
