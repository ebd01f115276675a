"""The domain: pure rules about apps, config and releases. No I/O lives here."""
