"""What receivers' feedback says about escalation decisions: rule precision (rule health, worst
examples) and the outcome of each agent's escalations (coaching prompts, never a score)."""
