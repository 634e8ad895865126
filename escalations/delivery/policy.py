"""How often and how patiently each kind of delivery is tried: one backoff for both kinds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeliveryPolicy:
    """``final_client_errors``: a 3xx or 4xx answer other than 429 fails the delivery at once
    (Slack: the webhook is gone or refused; a lead fixes it and retries). Without it, every
    answer that is not 2xx is tried again (webhooks: the receiver may be redeploying)."""

    max_attempts: int
    backoff_seconds: float
    backoff_max_seconds: float
    timeout_seconds: float
    final_client_errors: bool


def backoff_seconds(*, policy: DeliveryPolicy, attempts: int) -> float:
    """The wait after the ``attempts``-th failed try: base, twice that, four times that, and so on up to the cap."""
    wait = policy.backoff_seconds * 2 ** max(attempts - 1, 0)
    return float(min(wait, policy.backoff_max_seconds))


def retry_worth_it(*, policy: DeliveryPolicy, status_code: int | None) -> bool:
    """Whether a failed try (``None``: no answer at all) is worth another one."""
    if status_code is None or status_code == 429 or status_code >= 500:
        return True
    return not policy.final_client_errors
