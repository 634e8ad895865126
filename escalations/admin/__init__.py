"""The console pages of the escalations app, one module per area.

Django's admin autodiscovery imports this package; importing the modules registers their
``ModelAdmin`` classes with the console site. Forms (and the calls into the engine's and SLA's
validators) are in ``forms.py``, the console's reads in ``selectors.py``, audited writes and
reverts in ``escalations.audit.config``, generic building blocks in ``kimondesk.admin_mixins``.
"""

from . import audit, deliveries, escalations, exchange_rates, rules, sla, targets

__all__ = ["audit", "deliveries", "escalations", "exchange_rates", "rules", "sla", "targets"]
