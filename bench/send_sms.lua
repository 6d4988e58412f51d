-- POST /v1/messages, an SMS text with Basic auth (bench:bench-secret), the same body each time.
-- Used against the sandbox and against the ceiling app alike.
wrk.method = "POST"
wrk.path = "/v1/messages"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic YmVuY2g6YmVuY2gtc2VjcmV0"
wrk.body = '{"channel":"sms","message_type":"text","to":"447700900000",'
    .. '"from":"447700900001","text":"Your code is 123456"}'

-- Count what was not a 202 (wrk itself only counts non-2xx).
-- A global: thread:get() in done() reads only globals of each thread.
not_accepted = 0
function response(status, headers, body)
    if status ~= 202 then
        not_accepted = not_accepted + 1
    end
end

local threads = {}
function setup(thread)
    table.insert(threads, thread)
end

function done(summary, latency, requests)
    local bad = 0
    for _, t in ipairs(threads) do
        bad = bad + (t:get("not_accepted") or 0)
    end
    io.write(string.format("NOT_202 %d\n", bad))
end
