"""Hand-written comparison code: what a team would write without the gateway."""
