"""Receiver feedback on escalations: was it needed? (model, writes, reads)."""
