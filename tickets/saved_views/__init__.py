"""Saved queue views: an agent's own filter sets, and the team views their lead shares."""
