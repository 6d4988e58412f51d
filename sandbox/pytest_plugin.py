"""The pytest plugin (registered through the `pytest11` entry point). Fixtures only; every
import of the sandbox happens lazily inside them, so installing the package costs a test
session nothing until a test asks for the sandbox."""

from __future__ import annotations
