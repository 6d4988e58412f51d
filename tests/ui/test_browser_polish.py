"""The inbox as a QA person uses it all day (issue 19), measured in real headless Chromium:
channel colours told apart, date separators, a readable webhook ledger, time-page links that
resolve, a compact header on a phone, media that cannot load, the dark theme."""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import pytest

from tests.conftest import need
from tests.harness import Live
from tests.receiver import Receiver
from tests.ui.conftest import PageProblems
from tests.ui.pw import conversation_url, expect

pytestmark = pytest.mark.e2e

APP = "447700900000"
USER = "447700900001"
SHOP = "shop@example.com"
CUSTOMER = "ann@example.net"


# -- colour arithmetic: WCAG contrast and CIEDE2000 ----------------------------------------
RGB = tuple[float, float, float]


def parse_rgb(css: str) -> RGB:
    parts = re.findall(r"[\d.]+", css)
    assert len(parts) >= 3, css
    return float(parts[0]), float(parts[1]), float(parts[2])


def _linear(c: float) -> float:
    c /= 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: RGB) -> float:
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def lab(rgb: RGB) -> RGB:
    r, g, b = (_linear(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def ciede2000(c1: RGB, c2: RGB) -> float:
    (l1, a1, b1), (l2, a2, b2) = lab(c1), lab(c2)
    cb = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(cb**7 / (cb**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dhh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    lbp, cbp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbp = (h1p + h2p) / 2
    else:
        hbp = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(hbp - 30))
        + 0.24 * math.cos(math.radians(2 * hbp))
        + 0.32 * math.cos(math.radians(3 * hbp + 6))
        - 0.20 * math.cos(math.radians(4 * hbp - 63))
    )
    dtheta = 30 * math.exp(-(((hbp - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cbp**7 / (cbp**7 + 25**7))
    sl = 1 + 0.015 * (lbp - 50) ** 2 / math.sqrt(20 + (lbp - 50) ** 2)
    sc, sh = 1 + 0.045 * cbp, 1 + 0.015 * cbp * t
    rt = -math.sin(math.radians(2 * dtheta)) * rc
    return math.sqrt(
        (dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2 + rt * (dc / sc) * (dhh / sh)
    )


def test_the_colour_arithmetic_is_right() -> None:
    # Sharma, Wu and Dalal's test data works in Lab; these are sanity anchors in sRGB.
    assert contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21)
    assert ciede2000((52, 199, 89), (52, 199, 89)) == 0
    assert ciede2000((10, 132, 255), (0, 132, 255)) < 1  # the old MMS and Messenger blues
    assert ciede2000((255, 0, 0), (0, 0, 255)) > 50


# -- 1. a chip colour per channel ----------------------------------------------------------
def one_per_channel(sb: Live) -> list[str]:
    sb.text(USER, "sms", channel="sms")
    sb.sent(
        {
            "channel": "mms",
            "message_type": "image",
            "to": USER,
            "from": APP,
            "image": {"url": "https://example.com/cat.jpg"},
        }
    )
    sb.text(USER, "whatsapp", channel="whatsapp")
    sb.text(USER, "messenger", channel="messenger", frm="12345")
    sb.text(USER, "viber", channel="viber_service", frm="MyBrand")
    sb.text(USER, "rcs", channel="rcs", frm="Vonage")
    sb.sent(
        {
            "channel": "email",
            "message_type": "content",
            "to": CUSTOMER,
            "from": f"Shop <{SHOP}>",
            "content": [{"type": "text", "text": "Hello"}],
            "email": {"subject": "Hello"},
        }
    )
    return ["sms", "mms", "whatsapp", "messenger", "viber_service", "rcs", "email"]


def test_every_channel_chip_has_its_own_readable_colour(sandbox: Live, page: Any) -> None:
    channels = one_per_channel(sandbox)
    page.goto(sandbox.url + "/")
    colours: dict[str, tuple[RGB, RGB]] = {}
    for ch in channels:
        badge = page.locator(f'.conv[data-channel="{ch}"] .ch-badge')
        expect(badge).to_have_count(1)
        bg, fg = badge.evaluate(
            "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
        )
        colours[ch] = (parse_rgb(bg), parse_rgb(fg))
    for ch, (bg, fg) in colours.items():
        assert contrast(bg, fg) >= 4.5, (ch, bg, fg)
    distances = {
        (a, b): ciede2000(colours[a][0], colours[b][0])
        for a, b in itertools.combinations(channels, 2)
    }
    closest = min(distances, key=lambda k: distances[k])
    assert distances[closest] >= 15, (closest, distances[closest])
    # The failover timeline's chips (WhatsApp, then SMS) are the same badges.
    assert distances[("sms", "whatsapp")] >= 20
    assert distances[("mms", "messenger")] >= 20


def test_messenger_bubbles_look_like_messenger(sandbox: Live, page: Any) -> None:
    sandbox.text(USER, "Hi from the page", channel="messenger", frm="12345")
    sandbox.control(
        "POST",
        "/inbound",
        {"channel": "messenger", "from": USER, "to": "12345", "message_type": "text", "text": "Hi"},
    )
    page.goto(conversation_url(sandbox, "messenger", USER))
    mine = page.locator(".msg.inbound .bubble")
    expect(mine).to_have_count(1)
    style = mine.evaluate(
        "el => { const s = getComputedStyle(el); return [s.backgroundImage, s.color,"
        " parseFloat(s.borderTopLeftRadius)] }"
    )
    assert "gradient" in style[0] and "rgb(8, 102, 255)" in style[0]
    assert parse_rgb(style[1]) == (255, 255, 255)
    assert style[2] >= 16


# -- 2. media that cannot load ---------------------------------------------------------------
def test_an_image_that_cannot_load_shows_a_placeholder_and_its_caption_once(
    sandbox: Live, page: Any, problems: PageProblems
) -> None:
    page.route("https://offline.example/**", lambda route: route.abort("internetdisconnected"))
    url = "https://offline.example/pics/cat.jpg"
    for channel in ("mms", "whatsapp"):
        sandbox.sent(
            {
                "channel": channel,
                "message_type": "image",
                "to": USER,
                "from": APP,
                "image": {"url": url, "caption": "Our new cat"},
            }
        )
        page.goto(conversation_url(sandbox, channel, USER))
        img = page.locator(".msg img.media")
        expect(img).to_have_count(1)
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        state = img.evaluate(
            "el => ({natural: el.naturalWidth, alt: el.alt,"
            " after: getComputedStyle(el, '::after').content,"
            " before: getComputedStyle(el, '::before').content,"
            " height: el.getBoundingClientRect().height})"
        )
        assert state["natural"] == 0
        assert state["alt"] == ""  # no alt text drawn over the placeholder, no broken icon
        assert state["after"] == '"image: cat.jpg (could not load)"'
        assert state["before"] == '""'
        assert state["height"] >= 40
        bubble = page.locator(".msg .bubble")
        expect(bubble.locator(".caption")).to_have_count(1)
        expect(bubble.locator(".caption")).to_have_text("Our new cat")
        assert bubble.inner_text().count("Our new cat") == 1
        link = bubble.locator("a.media-box")
        expect(link).to_have_attribute("aria-label", "image: cat.jpg")
        expect(link).to_have_attribute("href", url)
    # The two failed loads are what this test is about, not a page problem.
    problems.console[:] = [e for e in problems.console if "Failed to load resource" not in e]


# -- 4. human times and date separators --------------------------------------------------------
def test_a_day_jump_puts_a_date_separator_between_bubbles(sandbox: Live, page: Any) -> None:
    first = sandbox.text(USER, "before the jump", channel="sms")
    before = sandbox.control("GET", "/clock")["now"]
    sandbox.advance(86400)
    second = sandbox.text(USER, "after the jump", channel="sms")
    after = sandbox.control("GET", "/clock")["now"]
    page.goto(conversation_url(sandbox, "sms", USER))
    items = page.locator(".msgs > li")
    expect(items).to_have_count(4)
    kinds = items.evaluate_all(
        "els => els.map(e => e.classList.contains('day-sep') ? 'day' : e.dataset.uuid)"
    )
    assert kinds == ["day", first, "day", second]
    seps = page.locator(".msgs > .day-sep time")
    expect(seps.nth(0)).to_have_attribute("datetime", before[:10])
    expect(seps.nth(1)).to_have_attribute("datetime", after[:10])
    day = int(after[8:10])
    expect(seps.nth(1)).to_contain_text(f"{day} ")
    expect(seps.nth(1)).to_contain_text(after[:4])
    # Each bubble keeps its full ISO time in datetime and title.
    stamp = page.locator(f"#m-{second} .meta time")
    expect(stamp).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\dT.*Z$"))

    # Overview and ledger show human times, the ISO form in a title.
    page.goto(sandbox.url + "/")
    when = page.locator(".conv .when time").first
    expect(when).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d\d:\d\d:\d\d$"))
    expect(when).to_have_attribute("title", re.compile(r"T\d\d:\d\d:\d\d\.\d{3}Z$"))


# -- 3. the webhook ledger ---------------------------------------------------------------------
def test_ledger_rows_say_channel_recipient_and_message(sandbox: Live, page: Any) -> None:
    uuid = sandbox.text(USER, "hello", channel="whatsapp")
    sandbox.control(
        "POST",
        "/inbound",
        {"channel": "sms", "from": USER, "to": APP, "message_type": "text", "text": "hi"},
    )
    page.goto(sandbox.url + "/webhooks")
    status = page.locator(f'.delivery[data-kind="status"]:has(a[href="/messages/{uuid}"])')
    expect(status).to_have_count(1)
    summary = status.locator("summary")
    expect(summary.locator(".ch-badge")).to_have_text("WhatsApp")
    expect(summary.locator(".to")).to_have_text(f"→ {USER}")
    expect(summary.locator(".mid")).to_have_text(uuid)  # in full
    expect(summary.locator(".event")).to_have_text("status submitted")

    inbound = page.locator('.delivery[data-kind="inbound"]')
    expect(inbound).to_have_count(1)
    expect(inbound.locator("summary .event")).to_have_text("inbound")
    assert "inbound inbound" not in inbound.locator("summary").inner_text()
    expect(inbound.locator("summary .ch-badge")).to_have_text("SMS")
    expect(inbound.locator("summary .to")).to_have_text(f"→ {APP}")
    inbound_uuid = sandbox.webhooks(kind="inbound")[0]["message_uuid"]
    expect(inbound.locator("summary .mid")).to_have_text(inbound_uuid)

    # The message page lists the same rows.
    page.goto(f"{sandbox.url}/messages/{uuid}")
    expect(page.locator(".delivery summary .mid")).to_have_text([uuid])


def test_a_delivery_retried_a_hundred_times_opens_with_payload_and_resend_on_top(
    sandbox: Live, page: Any, receiver: Receiver
) -> None:
    receiver.answer = lambda r: 500 if r.path == "/status" else 200
    uuid = sandbox.text(USER, "nobody listens", channel="sms")
    # Each retry is sent when its timer fires; settle lets it answer and arm the next one.
    for _ in range(200):
        sandbox.control("POST", "/settle")
        [delivery] = sandbox.webhooks(message_uuid=uuid, kind="status")
        if delivery["state"] == "failed":
            break
        sandbox.control("POST", "/clock/advance", {"to": "idle"})
    attempts = len(delivery["attempts"])
    assert delivery["state"] == "failed" and attempts > 50

    page.goto(f"{sandbox.url}/webhooks?message_uuid={uuid}")
    item = page.locator(f"#wh-{delivery['id']}")
    item.locator("summary").first.click()
    body = item.locator(".delivery-body")
    expect(body).to_be_visible()
    top = item.bounding_box()["y"]
    resend = item.locator("[data-resend]").bounding_box()
    payload = item.locator("pre.payload.body").bounding_box()
    assert resend["y"] - top < 150
    assert payload["y"] - top < 250
    expect(item.locator(".recent-attempts tbody tr")).to_have_count(5)
    earlier = item.locator("details.earlier")
    expect(earlier.locator("summary")).to_have_text(f"+ {attempts - 5} earlier attempts")
    expect(earlier.locator("tbody tr").first).to_be_hidden()
    assert item.bounding_box()["height"] < 1500
    earlier.locator("summary").click()
    expect(earlier.locator("tbody tr")).to_have_count(attempts - 5)
    expect(earlier.locator("tbody tr").first).to_be_visible()


# -- 6. the time page's links ------------------------------------------------------------------
def test_every_timer_links_to_where_it_lives(sandbox: Live, page: Any, receiver: Receiver) -> None:
    need(
        sandbox.http.post("/v0.1/dispatch", json={}).status_code != 404,
        "POST /v0.1/dispatch is not in this build",
    )
    receiver.answer = lambda r: 500 if r.path == "/status" else 200
    sandbox.control("PUT", "/_sandbox/config", {"auto_deliver": 90})
    sandbox.text(USER, "auto", channel="sms")  # an auto-deliver timer and a webhook retry
    sandbox.sent(
        {
            "template": "failover",
            "workflow": [
                {
                    "from": {"type": "whatsapp", "number": APP},
                    "to": {"type": "whatsapp", "number": USER},
                    "message": {"content": {"type": "text", "text": "first"}},
                    "failover": {"expiry_time": 600, "condition_status": "read"},
                },
                {
                    "from": {"type": "sms", "number": APP},
                    "to": {"type": "sms", "number": USER},
                    "message": {"content": {"type": "text", "text": "fallback"}},
                },
            ],
        },
        path="/v0.1/dispatch",
    )
    sandbox.control("POST", "/settle")  # the status webhooks answered 500: retries are armed
    timers = sandbox.control("GET", "/clock")["timers"]
    kinds = {t["kind"] for t in timers}
    assert {"auto-deliver", "webhook-retry", "failover"} <= kinds, kinds

    page.goto(sandbox.url + "/time")
    links = page.locator(".timer a.timer-ref")
    expect(links).to_have_count(len(timers))
    rows = page.locator(".timer").evaluate_all(
        "rows => rows.map(r => { const a = r.querySelector('a.timer-ref');"
        " return [r.dataset.kind, a.getAttribute('href'), a.textContent] })"
    )
    assert sorted(text for _, _, text in rows) == sorted(t["ref"] for t in timers)  # in full
    for kind, href, ref in rows:
        page.goto("about:blank")  # two retries on one page differ only by their #anchor
        response = page.goto(sandbox.url + href)
        assert response is not None and response.status == 200, (kind, href)
        if kind == "webhook-retry":
            assert href == f"/webhooks/{ref}"  # its own page, open: no ledger page to guess
            expect(page.locator(".deliveries > li")).to_have_count(1)
            expect(page.locator(f'[id="whd-{ref}"]')).to_have_attribute("open", "")
        elif kind == "failover":
            assert href == f"/failover/dispatch/{ref}"
            expect(page.locator("h1 code")).to_have_text(ref)
        else:
            assert href == f"/messages/{ref}"


# -- 5. the header on a phone, 7. the clock's date and the dark theme -----------------------
def test_the_header_fits_a_phone(sandbox: Live, page: Any) -> None:
    sandbox.text(USER, "small screen", channel="sms")
    page.set_viewport_size({"width": 375, "height": 740})
    for path in (
        "/",
        "/time",
        "/webhooks",
        conversation_url(sandbox, "sms", USER)[len(sandbox.url) :],
    ):
        page.goto(sandbox.url + path)
        header = page.locator("header.top").bounding_box()
        assert header["height"] <= 120, (path, header)
        tops = page.locator(".nav > a").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().top)"
        )
        assert max(tops) - min(tops) < 4, (path, tops)  # one line (it scrolls sideways)
        assert page.locator(".nav").bounding_box()["height"] <= 40, path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)  # the page itself does not scroll sideways


def test_the_clock_shows_the_date(sandbox: Live, page: Any) -> None:
    sandbox.advance(3 * 86400)
    now = sandbox.control("GET", "/clock")["now"]
    page.goto(sandbox.url + "/")
    clock = page.locator("#clock-now")
    expect(clock).to_have_attribute("datetime", now)
    expect(clock).to_contain_text(f"{int(now[8:10])} ")
    expect(clock).to_contain_text(now[:4])
    expect(clock).to_contain_text(now[11:19])


def test_the_live_clock_keeps_the_same_format(sandbox: Live, page: Any) -> None:
    sandbox.control("PUT", "/clock", {"mode": "live"})
    try:
        page.goto(sandbox.url + "/")
        clock = page.locator("#clock-now")
        first = clock.get_attribute("datetime")
        expect(clock).not_to_have_attribute("datetime", first or "")  # ticked in the browser
        expect(clock).to_have_text(re.compile(r"^\w{3} \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d$"))
        expect(clock.locator(".clock-date")).to_have_count(1)
    finally:
        sandbox.control("PUT", "/clock", {"mode": "manual"})


def test_the_theme_follows_the_system(sandbox: Live, page: Any) -> None:
    sandbox.text(USER, "dark", channel="sms")

    def body_colours() -> tuple[RGB, RGB]:
        bg, fg = page.evaluate(
            "() => [getComputedStyle(document.body).backgroundColor,"
            " getComputedStyle(document.body).color]"
        )
        return parse_rgb(bg), parse_rgb(fg)

    page.emulate_media(color_scheme="light")
    page.goto(sandbox.url + "/")
    light_bg, _ = body_colours()
    assert luminance(light_bg) > 0.8
    page.emulate_media(color_scheme="dark")
    expect(page.locator("body")).not_to_have_css("background-color", "rgb(246, 247, 249)")
    dark_bg, dark_fg = body_colours()
    assert luminance(dark_bg) < 0.05
    assert contrast(dark_bg, dark_fg) >= 7
    card = page.locator(".convs").evaluate("el => getComputedStyle(el).backgroundColor")
    assert luminance(parse_rgb(card)) < 0.05
    # A phone stays a light handset with dark text in the dark theme.
    page.goto(conversation_url(sandbox, "sms", USER))
    phone_fg = page.locator(".phone .pager").evaluate("el => getComputedStyle(el).color")
    assert luminance(parse_rgb(phone_fg)) < 0.1
