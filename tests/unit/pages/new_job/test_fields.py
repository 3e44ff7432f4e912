"""The wizard's typed fields wait for the page to be live before they take typing."""

from __future__ import annotations

import pytest

from ftapp.pages.new_job.fields import field_control
from ftapp.pages.new_job.form import FORM_FIELD
from ftapp.rules import FieldKind

TYPED_FIELDS = [name for name, f in FORM_FIELD.items() if f.rule.kind is not FieldKind.CHOICE]


@pytest.mark.parametrize("name", TYPED_FIELDS)
def test_a_typed_field_is_read_only_until_the_page_is_hydrated(name: str) -> None:
    # Text typed into the server-rendered page before its connection is up would be shown
    # but never sent: the browser test checks the effect, this one each field.
    rendered = str(field_control(name))
    assert rendered.count("readOnly:!(reflex___state____state.is_hydrated") == 1, name
