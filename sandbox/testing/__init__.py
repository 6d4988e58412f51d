"""What runs inside a user's test process: the control-API clients, the pytest fixture's
handle and views, and the transport that delivers webhooks straight into an app object.

Imports nothing heavy at module level (no starlette, uvicorn, jinja2, PyJWT or cryptography):
the server and the SDKs load only when a test first needs them."""
