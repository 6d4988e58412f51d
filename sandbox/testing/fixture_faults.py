"""Faults on purpose, from a test: the webhook contract test and chaos rules, as methods of the
fixture's handle (:class:`FaultsMixin`, one of :class:`~sandbox.testing.fixture.SandboxHandle`'s
bases).

On a shared server (``--nexmo-sandbox-url``) both are scoped to the test's own application, so
parallel tests never see each other's faults: a contract test uses the application's secret and
URLs, and a chaos rule with no scope of its own gets ``{"application_id": ...}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.testing.client import SandboxClient
    from sandbox.testing.session import Options


class FaultsMixin:
    client: SandboxClient
    application_id: str | None
    options: Options

    # -- the webhook contract test ------------------------------------------------------------
    def webhook_contract(
        self, url: str | None = None, *, kind: str | None = None, allow: Iterable[str] = ()
    ) -> dict[str, Any]:
        """Send the app's webhook endpoint the battery of good and bad webhooks and return the
        report (README, "Webhook contract test"). ``url``: absolute, or a path on the mounted
        app (as ``status_url``); None: where this test's webhooks go. ``allow``: cases whose
        failure is reported but does not fail (say ``["replayed_jti"]``)."""
        return self.client.webhook_contract(
            self._endpoint(url), kind, application_id=self.application_id, allow=allow
        )

    def assert_webhook_contract(
        self, url: str | None = None, *, kind: str | None = None, allow: Iterable[str] = ()
    ) -> dict[str, Any]:
        """As :meth:`webhook_contract`, and raise AssertionError listing each failed case's
        verdict unless every case came out as it should; returns the report."""
        result = self.webhook_contract(url, kind=kind, allow=allow)
        if not result["passed"]:
            lines = "\n".join(f"  - {line}" for line in contract_failures(result))
            raise AssertionError(
                f"nexmo-sandbox: the webhook contract test failed: {result['summary']}\n{lines}"
            )
        return result

    def _endpoint(self, url: str | None) -> str | None:
        # A path is on the mounted app, the way configure_options reads status_url.
        if url is not None and url.startswith("/"):
            return self.options.app_base_url.rstrip("/") + url
        return url

    # -- chaos rules ---------------------------------------------------------------------------
    def chaos(self, effect: str, **params: Any) -> dict[str, Any]:
        """Add a chaos rule for this test (``throttle``, ``server_error``, ``slow``, ``reject``,
        ``undeliverable``, ``delay``, ``drop``, ``duplicate``, ``reorder``,
        ``receiver_down``; parameters as the control API takes them: ``probability``,
        ``times``, ``scope``...). Returns the rule as the sandbox keeps it, with its ``id``.
        A reset (before each test) drops it."""
        return self._add_rule({"effect": effect, **params})

    def chaos_rules(self) -> dict[str, Any]:
        """``{"seed", "rules", "effects"}``: this test's rules and what they did (on a shared
        server, its application's)."""
        return self.client.chaos(self.application_id)

    def _add_rule(self, rule: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(rule)
        if self.application_id is not None and "scope" not in out:
            out["scope"] = {"application_id": self.application_id}
        seed = self.options.chaos_seed
        if seed is not None and "seed" not in out:
            # The rule's own seed: the same draws on a shared server, whose seed is not ours.
            out["seed"] = seed
        return self.client.add_chaos_rule(**out)

    def _configure_faults(self, options: Options) -> None:
        """The marker's ``chaos_seed`` and ``chaos`` rules (configure_options calls it)."""
        if options.chaos_seed is not None and self.application_id is None:
            self.client.set_chaos(seed=options.chaos_seed)  # the server is this test's own
        for rule in options.chaos or ():
            self._add_rule(rule)


def contract_failures(result: Mapping[str, Any]) -> list[str]:
    """Each failed (and not allowed) case of a contract report: where, which, and why."""
    return [
        f"{ep['kind']} webhooks to {ep['url']}, {case['case']}: {case['verdict']}"
        for ep in result["endpoints"]
        for case in ep["cases"]
        if not case["ok"] and not case["allowed"]
    ]
