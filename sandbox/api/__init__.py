"""Thin Starlette routes. Each module exports ``routes``; app.py mounts them."""
