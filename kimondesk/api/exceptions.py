"""One exception handler for the API: domain errors become the contract's error shapes.

Services raise Django's ``ValidationError`` (400, keyed by field), ``PermissionDenied`` (403) and
the engine's ``EscalationConflict`` (409); deleting a row that others still point at is a 409 too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from escalations.exceptions import EscalationConflict


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


def validation_error_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    """``{"field": ["message", ...]}``; errors without a field go under ``non_field_errors``."""
    if hasattr(exc, "error_dict"):
        detail: dict[str, list[str]] = {}
        for field, errors in exc.message_dict.items():
            key = api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field
            detail.setdefault(key, []).extend(errors)
        return detail
    return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, exceptions.ParseError):
        # Malformed bodies use the 400 shape of every other bad input.
        exc = exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(exc.detail)]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=validation_error_detail(exc))
    elif isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = PayloadTooLarge(f"The request body is larger than {limit} bytes.")
    elif isinstance(exc, ProtectedError | RestrictedError):
        names = sorted({str(obj._meta.verbose_name) for obj in exc.args[1]})
        exc = Conflict(f"Still in use by: {', '.join(names)}. Remove those references first.")
    elif isinstance(exc, IntegrityError):
        # A constraint caught what validation could not see (e.g. a concurrent duplicate).
        exc = Conflict("The request conflicts with existing data; reload and try again.")
    elif isinstance(exc, EscalationConflict):
        exc = Conflict(str(exc) or Conflict.default_detail)
    return drf_exception_handler(exc, context)


@csrf_exempt
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown paths under ``/api/``: the contract's JSON 404, not an HTML page."""
    return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
