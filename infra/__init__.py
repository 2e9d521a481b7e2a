"""CDK constructs, one per capability; the stack in :mod:`infra.stack` wires them."""
