"""nexmo-sandbox: a local emulator of the Vonage Messages and Dispatch APIs."""

__version__ = "0.1.0"
