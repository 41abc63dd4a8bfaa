"""Every client error is a 4xx JSON answer with a message in ``detail``.

A refused form keeps its field errors under ``errors`` and names the first in ``detail``
(``files.0.sha256: ...``), so that a script can print one line that says what to fix.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def _first_message(errors, where: str = "") -> str:
    if isinstance(errors, dict):
        for key, value in errors.items():
            if message := _first_message(value, f"{where}.{key}" if where else str(key)):
                return message
    elif isinstance(errors, list):
        for value in errors:
            if message := _first_message(value, where):
                return message
    elif errors:
        return f"{where}: {errors}" if where and where != "non_field_errors" else str(errors)
    return ""


def exception_handler(error, context):
    if isinstance(error, DjangoValidationError):
        # A rule of a service (a model's or a service's own check) refused the request.
        error = exceptions.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)
    response = drf_exception_handler(error, context)
    if response is not None and isinstance(error, exceptions.ValidationError):
        response.data = {"detail": _first_message(response.data) or "Invalid input.", "errors": response.data}
    return response
