"""Events out: the change-event contract, and live subscriptions fed by the streams."""
