"""The customer panel of the ticket page: who the customer is and what happened with them."""
