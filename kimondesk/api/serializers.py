"""The base of the API's model serializers: DRF's, with the fields read from the model once per
class instead of once per serializer instance.

DRF builds a model serializer's fields on every instance (model metadata, field mapping, extra
kwargs): about a third of a millisecond for a message's eleven fields, paid twice per write (the
payload and the answer). Here the unbound fields built the first time are kept on the class, and
each instance gets a deep copy of them, as DRF gives each instance a deep copy of its declared
fields. What DRF builds depends on the class alone (its ``Meta`` and declared fields), never on
the instance or its context; a subclass that adapts fields per request overrides ``get_fields``
and changes the copy it gets from here.
"""

from __future__ import annotations

import copy
from typing import Any

from rest_framework import serializers


class ModelSerializer(serializers.ModelSerializer):
    # No docstring: the API schema describes each serializer by its own docstring and falls
    # back to its bases' (this module's docstring says what this class does).

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        # Looked up in the class's own namespace: a subclass builds its own fields.
        built: dict[str, Any] | None = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built  # type: ignore[attr-defined]
        return copy.deepcopy(built)
