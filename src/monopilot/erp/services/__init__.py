"""Writes of the upstream stand-in: keyword-only, typed, atomic, and each state change
publishes its event inside the same transaction. Import from the submodules."""
