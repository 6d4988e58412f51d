"""Webhooks: from engine events to signed POSTs, retried on the virtual clock, all recorded in
the ledger. The only package that sends HTTP (httpx)."""

from sandbox.webhooks.outbox import Webhooks

__all__ = ["Webhooks"]
