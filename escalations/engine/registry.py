"""One registry pattern for every pluggable part of the workflow engine.

Trigger kinds, condition fields and target kinds are classes registered under stable string keys;
rows store the key, never a class path, so renaming a class breaks nothing stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, Protocol, TypeVar


class Keyed(Protocol):
    @property
    def key(self) -> str: ...


T = TypeVar("T", bound=Keyed)


class Registry(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, T] = {}

    def register(self, item: T) -> T:
        if item.key in self._items:
            raise ValueError(f"{self.name}: the key {item.key!r} is already registered.")
        self._items[item.key] = item
        return item

    def register_class(self, cls: Callable[[], T]) -> Callable[[], T]:
        """Class decorator: registers one instance of the class."""
        self.register(cls())
        return cls

    def get(self, key: str) -> T:
        try:
            return self._items[key]
        except KeyError:
            raise KeyError(f"{self.name}: unknown key {key!r}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(self._items.values())

    def keys(self) -> list[str]:
        return list(self._items)
