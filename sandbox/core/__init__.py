"""The pure core: models, errors, the virtual clock and its scheduler and timeline, the event
bus, the store, the engine and the failover workflows.

Rules (kept by the import contracts in ``.importlinter``): standard library only, and time only
from the :class:`~sandbox.core.clock.Clock`. No HTTP, no templates, no threads of its own.
"""
