"""Exchange rates: converting a refund into a rule's currency (pure ``rates``) and loading the
rates that apply (``selectors``)."""
