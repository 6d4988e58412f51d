"""Wire formats: pure functions from request bodies to the model, and from the model to
webhook payloads. No HTTP here."""
