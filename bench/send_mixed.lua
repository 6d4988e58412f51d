-- POST /v1/messages over five channels in turn (SMS, MMS, WhatsApp, Messenger, Viber), Basic
-- auth, each to one of 1,000 handsets, so the sandbox stores realistic conversations.
wrk.method = "POST"
wrk.path = "/v1/messages"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic YmVuY2g6YmVuY2gtc2VjcmV0"

local bodies = {
    '{"channel":"sms","message_type":"text","to":"4477009%05d","from":"447700900001",'
        .. '"text":"Your code is 123456"}',
    '{"channel":"mms","message_type":"image","to":"4477009%05d","from":"447700900001",'
        .. '"image":{"url":"https://example.com/i.jpg","caption":"a picture"}}',
    '{"channel":"whatsapp","message_type":"text","to":"4477009%05d","from":"447700900001",'
        .. '"text":"Your order has shipped"}',
    '{"channel":"messenger","message_type":"text","to":"10000%05d","from":"0987654321",'
        .. '"text":"Hello from the shop"}',
    '{"channel":"viber_service","message_type":"text","to":"4477009%05d","from":"16273",'
        .. '"text":"Hello Viber","viber_service":{"category":"transaction"}}',
}

-- wrk ... -- LIMIT: stop after LIMIT answers (run with -t1 so the count is exact).
local limit = nil
function init(args)
    if args[1] then
        limit = tonumber(args[1])
    end
end

local n = 0
local answered = 0
function request()
    n = n + 1
    local body = string.format(bodies[(n % #bodies) + 1], n % 1000)
    return wrk.format(nil, nil, nil, body)
end

-- A global: thread:get() in done() reads only globals of each thread.
not_accepted = 0
function response(status, headers, body)
    answered = answered + 1
    if limit and answered >= limit then
        wrk.thread:stop()
    end
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
