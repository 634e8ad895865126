from .api import urlpatterns as rate_urlpatterns
from .decisions.api import urlpatterns as decision_urlpatterns

urlpatterns = [*rate_urlpatterns, *decision_urlpatterns]
