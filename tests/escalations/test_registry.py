"""The registry behind trigger kinds, condition fields and target kinds: keys, order, lookups and
the refusals (cases found by the mutation run of ``escalations/engine/registry.py``)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from escalations.engine.registry import Registry


@dataclass(frozen=True)
class Item:
    key: str
    label: str = ""


def test_items_are_kept_under_their_key_in_the_order_registered():
    registry: Registry[Item] = Registry("widgets")
    second, first = Item("b", "second"), Item("a", "first")

    assert registry.register(second) is second
    assert registry.register(first) is first

    assert registry.name == "widgets"
    assert registry.keys() == ["b", "a"]
    assert list(registry) == [second, first]
    assert registry.get("a") is first
    assert registry.get("b") is second
    assert "a" in registry
    assert "c" not in registry
    assert Item("a") not in registry  # membership is by key


def test_an_empty_registry_has_no_keys():
    registry: Registry[Item] = Registry("empty")

    assert registry.keys() == []
    assert list(registry) == []
    assert "" not in registry


def test_a_key_registered_twice_is_refused_and_the_first_item_kept():
    registry: Registry[Item] = Registry("widgets")
    original = registry.register(Item("a", "original"))

    with pytest.raises(ValueError, match="already registered") as refused:
        registry.register(Item("a", "copy"))

    assert str(refused.value) == "widgets: the key 'a' is already registered."
    assert registry.get("a") is original
    assert registry.keys() == ["a"]


def test_an_unknown_key_names_the_registry_and_the_key():
    registry: Registry[Item] = Registry("widgets")
    registry.register(Item("a"))

    with pytest.raises(KeyError) as unknown:
        registry.get("zz")

    assert unknown.value.args == ("widgets: unknown key 'zz'",)
    assert unknown.value.__cause__ is None
    assert unknown.value.__suppress_context__ is True


def test_the_class_decorator_registers_one_instance_and_returns_the_class():
    registry: Registry[Item] = Registry("widgets")

    @registry.register_class
    class Widget:
        key = "w"

    assert registry.keys() == ["w"]
    assert isinstance(registry.get("w"), Widget)
    assert Widget.__name__ == "Widget"
    assert registry.register_class(type("Other", (), {"key": "o"})).__name__ == "Other"
    assert registry.keys() == ["w", "o"]
