"""The public page of a notice: an objection sent by anyone, signed in or not."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from publicity.models import Objection

from .checks import Body, clean_state, client_for, error_texts, notice_pages, page, post_and_check
from .forms import check_objections
from .strategies import VALID, fuzz_settings, fuzzed, names_text

pytestmark = pytest.mark.django_db


PUBLIC_FIELDS = ["content", "entry", "name", "phone"]


@fuzz_settings(16)
@given(data=st.data())
def test_public_objection_fuzz(office, notice, data):
    entry = notice.entries.get()
    body = data.draw(fuzzed({"content": "反映该同志有违建。", "entry": str(entry.pk), "name": "", "phone": ""},
                            PUBLIC_FIELDS), label="body")
    with clean_state():
        post_and_check(client_for(), notice.get_public_url(), body,
                       accepted=lambda o: check_objections(o, notice, online=True),
                       pages=lambda o: notice_pages(notice, office))


PHONES = st.from_regex(r"1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8}|（0579）[0-9]{8}|0579 8888 1234转12", fullmatch=True)


@fuzz_settings(VALID)
@given(content=st.text(st.characters(categories=("L", "N", "P", "S", "Zs")) | st.sampled_from("\n\r\t"),
                       min_size=1, max_size=2000).filter(lambda s: s.strip()),
       name=st.just("") | names_text(), phone=st.just("") | PHONES, with_entry=st.booleans())
def test_public_objection_accepts_valid_input(office, notice, content, name, phone, with_entry):
    from publicity.forms_public import plain_text

    entry = notice.entries.get()
    body = Body({"content": content, "name": name, "phone": phone, "entry": str(entry.pk) if with_entry else ""})
    with clean_state():
        o = post_and_check(client_for(), notice.get_public_url(), body,
                           accepted=lambda o: check_objections(o, notice, online=True),
                           pages=lambda o: notice_pages(notice, office))
        assert o.saved, error_texts(page(o.response))
        (obj,) = o.added(Objection)
        assert o.response["Location"].startswith(notice.get_public_url() + "receipt/" + obj.receipt)
        assert obj.content == plain_text(content) and obj.name == name and obj.phone == phone
        assert obj.entry_id == (entry.pk if with_entry else None)
