"""The control API's own formats (not Vonage's): how messages, timers and workflows are shown
as JSON, what a simulated end user sends, and the query parameters every listing reads. Pure
functions over the core; no HTTP."""
