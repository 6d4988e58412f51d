"""The server side: the runtime that wires one sandbox together, request authentication,
persistence, and the Starlette routes of Vonage's API and the control API (``api/``)."""
