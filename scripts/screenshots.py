"""Screenshots of the inbox for the README, from a real run: a real server, a real webhook
receiver, demo traffic sent through the public API, and headless Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/img] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import base64
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from sandbox.app import create_app
from sandbox.server import BackgroundServer
from sandbox.settings import Settings

BASIC = "Basic " + base64.b64encode(b"demo:demo").decode()
APP = "447700900000"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def receiver() -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            code = 503 if self.path.startswith("/flaky") else 200
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b"ok" if code == 200 else b"busy")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def demo(http: httpx.Client, base: str, image: str) -> dict[str, str]:
    """Traffic an app and its users would make; returns ids worth a screenshot."""

    def send(body: dict[str, Any], path: str = "/v1/messages") -> dict[str, Any]:
        r = http.post(path, json=body, headers={"Authorization": BASIC})
        r.raise_for_status()
        return dict(r.json())

    def mark(uuid: str, status: str, **extra: Any) -> None:
        http.post(f"/_sandbox/messages/{uuid}/status", json={"status": status, **extra})

    def reply(channel: str, user: str, text: str) -> None:
        http.post("/_sandbox/inbound", json={"channel": channel, "from": user, "text": text})

    def text(channel: str, to: str, body: str, frm: str = APP) -> str:
        msg = {"channel": channel, "message_type": "text", "to": to, "from": frm, "text": body}
        return str(send(msg)["message_uuid"])

    u = text("sms", "447700900101", "Your verification code is 482913")
    mark(u, "delivered")
    u = text("whatsapp", "447700900102", "Hi Sam, your table for 4 is booked for 19:30.")
    mark(u, "read")
    reply("whatsapp", "447700900102", "Great, see you then! Can we sit outside?")
    send({"channel": "whatsapp", "message_type": "image", "to": "447700900102", "from": APP,
          "image": {"url": image, "caption": "Our terrace"}})  # fmt: skip
    u = text("messenger", "4012345678", "Your parcel is out for delivery.", frm="1099887766")
    mark(u, "delivered")
    reply("messenger", "4012345678", "Thanks! Leave it with the neighbour please.")
    u = text("viber_service", "447700900104", "Flash sale: 20% off today only.", frm="ShopCo")
    mark(u, "rejected", error_code=1340)
    text("mms", "447700900105", "Your boarding pass is attached.")
    http.put("/_sandbox/config", json={"status_url": base.replace("/ok", "/flaky")})
    text("sms", "447700900106", "Reminder: dentist tomorrow at 09:00")
    http.put("/_sandbox/config", json={"status_url": base})

    def chip(kind: str, label: str, postback: str, **extra: Any) -> dict[str, Any]:
        return {"type": kind, "text": label, "postback_data": postback, **extra}

    def card(title: str, blurb: str, postback: str) -> dict[str, Any]:
        return {"title": title, "text": blurb, "media_url": image, "media_height": "MEDIUM",
                "suggestions": [chip("reply", f"Pick {title}", postback)]}  # fmt: skip

    rcs = "447700900108"
    chips = [
        chip("reply", "Blue", "blue"),
        chip("reply", "Red", "red"),
        chip("open_url", "See all", "all", url="https://example.com/shoes"),
    ]
    send({"channel": "rcs", "message_type": "text", "to": rcs, "from": "ShopCo",
          "text": "Your trainers are back in stock. Which colour?",
          "suggestions": chips})  # fmt: skip
    shoes = send({"channel": "rcs", "message_type": "carousel", "to": rcs, "from": "ShopCo",
                  "carousel": {"cards": [card("Runner", "Light, for the road", "runner"),
                                         card("Trail", "Grip for the hills", "trail")]},
                  "rcs": {"card_width": "MEDIUM"}})  # fmt: skip
    http.post(f"/_sandbox/messages/{shoes['message_uuid']}/tap", json={"postback_data": "trail"})
    mail = send({"channel": "email", "message_type": "content", "to": "ann@example.net",
                 "from": "ShopCo <orders@shop.example>",
                 "content": [{"type": "text", "text": "Hi Ann, your order #1042 has shipped."},
                             {"type": "html", "body": "<h2 style='color:#b3261e'>Shipped!</h2>"
                              "<p>Hi Ann, your order <b>#1042</b> is on its way.</p>"
                              "<img src='https://tracker.example/pixel.gif' alt='tracker'>"}],
                 "email": {"subject": "Your order #1042 has shipped",
                           "cc": [{"name": "Bo", "address": "bo@example.net"}]}})  # fmt: skip

    dispatch = send(
        {
            "template": "failover",
            "workflow": [
                {
                    "from": {"type": "whatsapp", "number": APP},
                    "to": {"type": "whatsapp", "number": "447700900107"},
                    "message": {"content": {"type": "text", "text": "Your order #1042 shipped"}},
                    "failover": {"expiry_time": 600, "condition_status": "read"},
                },
                {
                    "from": {"type": "sms", "number": APP},
                    "to": {"type": "sms", "number": "447700900107"},
                    "message": {"content": {"type": "text", "text": "Your order #1042 shipped"}},
                },
            ],
        },
        path="/v0.1/dispatch",
    )
    wa = http.get("/_sandbox/messages", params={"peer": "447700900107"}).json()["messages"][0]
    mark(wa["message_uuid"], "delivered")
    http.post("/_sandbox/clock/advance", json={"seconds": 600})
    return {"dispatch": str(dispatch["dispatch_uuid"]), "email": str(mail["message_uuid"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="docs/img")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    rec, rec_url = receiver()
    settings = Settings(clock="manual", status_url=rec_url + "/ok", inbound_url=rec_url + "/ok")
    server = BackgroundServer(create_app(settings)).start()
    from playwright.sync_api import sync_playwright

    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            ids = demo(http, rec_url + "/ok", server.url + "/static/favicon.svg")
        shots = {
            "overview.png": ("/", None),
            "failover.png": (f"/failover/dispatch/{ids['dispatch']}", None),
            "conversation.png": ("/conversation?channel=whatsapp&peer=447700900102", None),
            "webhooks.png": ("/webhooks", ".delivery.failing summary"),
            "rcs.png": ("/conversation?channel=rcs&peer=447700900108", None),
            "email.png": (f"/messages/{ids['email']}", None),
        }
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 720})
            for name, (path, click) in shots.items():
                page.goto(server.url + path)
                page.wait_for_selector("#live[data-state=open]")
                if click:
                    page.click(click)
                page.screenshot(path=str(out / name), full_page=False)
                print(f"wrote {out / name}")
            browser.close()
    finally:
        server.stop()
        rec.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
