"""One router per Platform API resource."""
