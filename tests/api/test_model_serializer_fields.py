"""``kimondesk.api.serializers.ModelSerializer``: fields read from the model once per class,
each instance with fields of its own."""

import pytest
from rest_framework import serializers

from escalations.api.serializers import RuleSerializer
from kimondesk.api.serializers import ModelSerializer
from tickets.api.serializers import MessageSerializer, TicketSerializer
from tickets.models import Message


def _described(fields: dict) -> dict[str, tuple[str, str]]:
    return {name: (type(f).__name__, repr(f)) for name, f in fields.items()}


@pytest.mark.django_db  # a related field's repr shows its queryset's rows
def test_the_fields_are_those_drf_builds():
    for cls in (MessageSerializer, TicketSerializer, RuleSerializer):
        for _ in range(2):  # built, then copied
            ours = cls().get_fields()
            drf = serializers.ModelSerializer.get_fields(cls())
            assert _described(ours) == _described(drf), cls.__name__


def test_the_model_is_read_once_per_class():
    built: list[str] = []

    class Once(ModelSerializer):
        class Meta:
            model = Message
            fields = ["id", "body", "author_type"]

        def build_field(self, source, *args):
            built.append(source)
            return super().build_field(source, *args)

    for _ in range(3):
        assert set(Once().fields) == {"id", "body", "author_type"}
    assert built == ["id", "body", "author_type"]  # for the first instance only


def test_each_instance_has_fields_of_its_own():
    first, second = MessageSerializer(), MessageSerializer()
    first.fields["body"].help_text = "changed on one instance"
    first.fields.pop("sentiment")

    assert second.fields["body"].help_text != "changed on one instance"
    assert "sentiment" in second.fields
    assert "sentiment" in MessageSerializer().fields
    assert first.fields["body"] is not second.fields["body"]


def test_a_subclass_builds_its_own_fields():
    class Short(MessageSerializer):
        class Meta(MessageSerializer.Meta):
            fields = ["id", "body"]

    assert set(MessageSerializer().fields) > {"id", "body", "sentiment"}
    assert set(Short().fields) == {"id", "body"}
    assert "sentiment" in MessageSerializer().fields
