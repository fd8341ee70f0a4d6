# generated from openapi.yaml by codegen — do not edit
"""Request and response models of the Shelf API."""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

import msgspec
from msgspec import UNSET, Meta, UnsetType

ItemId: TypeAlias = Annotated[str, Meta(min_length=1, max_length=8, pattern="^[a-z0-9]+\\Z")]
"""ItemId."""


class Schema(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of the named object schemas."""


class ItemCreate(Schema, kw_only=True):
    """ItemCreate."""

    label: Annotated[str, Meta(min_length=1, max_length=20)]
    tags: list[str] | UnsetType = UNSET


class Item(Schema, kw_only=True):
    """Item."""

    id: ItemId
    label: str
    tags: list[str]
    kind_of: Literal["big", "small"] | UnsetType = msgspec.field(default=UNSET, name="kind-of")
