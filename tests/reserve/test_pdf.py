"""Printed documents: reserve.pdf (render_pdf, the locked-down URL fetcher, pdf_response).

The fonts are those of static/css/print.css, chosen in benchmarks/pdf_fonts.py; speed is measured
there, not asserted here.
"""

import io
import logging
import re
import urllib.parse
import urllib.request

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from reserve.pdf import INTERNAL_BASE_URL, RefusedURL, StaticOnlyURLFetcher, html_to_pdf, pdf_response, render_pdf
from tests.helpers import pdf_text

RARE = "喆堃㛃"  # rare name characters; 㛃 is U+36C3, CJK Extension A
OUTSIDE_NOTO = "𪚥"  # U+2A6A5, Extension B: not in Noto CJK, so drawn by the fallback face
BODY_FACE = "Noto Serif CJK SC"
FALLBACK_FACE = "BabelStone Han"


def sample_context(**extra):
    names = ["王建国", "李秀英", "张志强", "张喆", "陈海燕", "杨国庆", "王堃", "赵晓东", "李㛃", "周子涵"]
    rows = [
        {"name": name, "sex": "男" if i % 2 else "女", "born": f"{1988 + i}.0{i % 9 + 1}",
         "education": "本科", "village": "东山村", "post": "村民小组长"}
        for i, name in enumerate(names)
    ]
    return {
        "title": "关于青山镇村级后备干部拟定人选的公示",
        "intro": "经个人自荐、村党组织推荐和资格审查，镇党委研究确定以下同志为村级后备干部拟定人选，现予以公示。",
        "rows": rows,
        "closing": "公示时间为五个工作日。",
        "issuer": "中共青山镇委员会组织办公室",
        "date": "2026年5月20日",
        **extra,
    }


def glyph_faces(pdf: bytes, chars: str) -> dict:
    """For each character, the embedded face whose glyph for it has an outline (else missing).

    WeasyPrint keeps glyph ids when subsetting and maps them to text in each font's ToUnicode
    CMap; a character with no glyph gets an id past the font's last glyph (drawn as .notdef).
    """
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            family = str(descriptor["/FontFamily"])
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            gid_of = {}
            for gid, code in re.findall(r"<([0-9a-fA-F]{4})> <([0-9a-fA-F]+)>", cmap):
                gid_of.setdefault(bytes.fromhex(code).decode("utf-16-be"), int(gid, 16))
            wanted = [ch for ch in chars if ch in gid_of and ch not in found]
            stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            if not wanted or stream is None:
                continue
            ttfont = TTFont(io.BytesIO(stream.get_object().get_data()))
            order, glyphs = ttfont.getGlyphOrder(), ttfont.getGlyphSet()
            for ch in wanted:
                gid = gid_of[ch]
                if 0 < gid < len(order):
                    pen = BoundsPen(glyphs)
                    glyphs[order[gid]].draw(pen)
                    if pen.bounds is not None:
                        found[ch] = family
    return found


def embedded_families(pdf: bytes) -> set:
    families = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            families.add(str(descendant["/FontDescriptor"].get_object()["/FontFamily"]))
    return families


# --- the document -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_pdf():
    return render_pdf("pdf/sample.html", sample_context())


def test_sample_is_a_pdf_with_the_chinese_text(sample_pdf):
    assert sample_pdf.startswith(b"%PDF-")
    text = pdf_text(sample_pdf).replace("\n", "")  # lines are broken where the layout broke them
    assert "关于青山镇村级后备干部拟定人选的公示" in text
    assert "镇党委研究确定以下同志为村级后备干部拟定人选，现予以公示。" in text
    for name in ("张喆", "王堃", "李㛃"):
        assert name in text
    assert "第 1 页 共 1 页" in text  # the page numbers of print.css: the stylesheet was loaded


def test_sample_is_one_a4_page(sample_pdf):
    pages = PdfReader(io.BytesIO(sample_pdf)).pages
    assert len(pages) == 1
    width, height = (float(v) for v in pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_the_chosen_fonts_are_embedded(sample_pdf):
    families = embedded_families(sample_pdf)
    assert BODY_FACE in families  # body text
    assert "Noto Sans CJK SC" in families  # table headers (黑体)
    assert families <= {BODY_FACE, "Noto Sans CJK SC", FALLBACK_FACE}  # nothing picked by chance


def test_rare_name_characters_print_as_real_glyphs(sample_pdf):
    assert glyph_faces(sample_pdf, RARE) == {ch: BODY_FACE for ch in RARE}


def test_a_character_outside_the_body_face_falls_back_to_a_real_glyph():
    context = sample_context()
    context["rows"][0]["name"] = "王" + OUTSIDE_NOTO
    pdf = render_pdf("pdf/sample.html", context)
    assert ("王" + OUTSIDE_NOTO) in pdf_text(pdf)
    faces = glyph_faces(pdf, OUTSIDE_NOTO + "王")
    assert faces == {OUTSIDE_NOTO: FALLBACK_FACE, "王": BODY_FACE}


def test_weasyprint_subsets_fonts_with_harfbuzz():
    # Speed (benchmarks/README.md) depends on it: without libharfbuzz-subset0 WeasyPrint falls back
    # to fontTools, and a Noto CJK face takes seconds instead of a fraction of one.
    from weasyprint.pdf import fonts

    assert fonts.harfbuzz_subset


def test_a_request_gives_the_base_url_and_static_files_still_load(rf):
    request = rf.get("/candidates/1/pdf/")
    pdf = render_pdf("pdf/sample.html", sample_context(), request=request)
    assert "第 1 页 共 1 页" in pdf_text(pdf)
    assert BODY_FACE in embedded_families(pdf)


# --- the URL fetcher ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/x.png",
        "https://example.com/static/css/print.css",  # another host's "static"
        "http://reserve.invalid/static/css/print.css",  # another scheme than the base URL's
        "file:///etc/passwd",
        "file:///work/main/static/css/print.css",  # no file:// at all, even inside static
        "ftp://example.com/x.png",
        "https://reserve.invalid/media/id-card.jpg",  # the app's origin, but not static
        "https://reserve.invalid/static/../reserve/settings.py",
        "https://reserve.invalid/static/%2e%2e/%2e%2e/reserve/settings.py",
        "https://reserve.invalid/static/css/nonexistent.css",
        "https://reserve.invalid/static/",
        "https://reserve.invalid@example.com/static/css/print.css",
        "//example.com/x.png",
        "javascript:alert(1)",
    ],
)
def test_fetcher_refuses_everything_but_static_files(url, no_network):
    with pytest.raises((RefusedURL, ValueError)):
        StaticOnlyURLFetcher(INTERNAL_BASE_URL).fetch(url)
    assert no_network == []


def test_fetcher_serves_static_files_and_data_urls(no_network):
    fetcher = StaticOnlyURLFetcher(INTERNAL_BASE_URL)
    css = fetcher.fetch(INTERNAL_BASE_URL + "static/css/print.css")
    assert b"@page" in css.read()
    assert css.content_type == "text/css"
    data = fetcher.fetch("data:text/plain;base64,5YWs56S6")
    assert data.read().decode() == "公示"
    assert no_network == []


def test_fetcher_follows_the_request_origin():
    fetcher = StaticOnlyURLFetcher("https://reserve.example.cn/")
    assert b"@page" in fetcher.fetch("https://reserve.example.cn/static/css/print.css").read()
    with pytest.raises(RefusedURL):
        fetcher.fetch(INTERNAL_BASE_URL + "static/css/print.css")


EXTERNAL_TEMPLATE = """{% extends "pdf/base.html" %}
{% block extra_head %}<link rel="stylesheet" href="https://example.com/evil.css">
<style>@import url("http://example.com/imported.css");
body { background: url("http://example.com/bg.png"); }
@font-face { font-family: Evil; src: url("https://example.com/evil.ttf"); }
p { font-family: Evil, "Noto Serif CJK SC"; }</style>{% endblock %}
{% block content %}
<p>{{ name }}</p>
<img src="http://example.com/x.png" alt="">
<img src="file:///etc/hostname" alt="">
<iframe src="http://example.com/frame"></iframe>
<object data="http://example.com/x.svg"></object>
{% endblock %}
"""


def test_rendering_external_resources_makes_no_network_request(settings, tmp_path, no_network, caplog):
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "external.html").write_text(EXTERNAL_TEMPLATE, encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    name = '张喆<img src="http://example.com/name.png">'  # a person's name with markup in it

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf("pdf/external.html", {"name": name})

    assert pdf.startswith(b"%PDF-")
    assert no_network == []
    # The name was escaped (printed as text); the template's own external resources were refused.
    assert '张喆<img src="http://example.com/name.png">' in pdf_text(pdf).replace("\n", "")
    refused = caplog.text
    for url in ("http://example.com/x.png", "https://example.com/evil.css", "file:///etc/hostname"):
        assert url in refused


def test_raw_html_with_external_images_makes_no_network_request(no_network):
    html = (
        '<html lang="zh-Hans"><body><p>张喆</p>'
        '<img src="http://example.com/x.png"><img src="https://127.0.0.1:1/x.png">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "</body></html>"
    )
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF-")
    assert no_network == []


# --- the response -------------------------------------------------------------------------------


def test_pdf_response_headers():
    response = pdf_response(b"%PDF-1.7 test", "青山镇后备干部公示.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(b"%PDF-1.7 test"))
    assert response.content == b"%PDF-1.7 test"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="document.pdf"' in disposition  # ASCII fallback for old clients
    # RFC 5987 / RFC 6266: the UTF-8 name, percent-encoded
    assert (
        "filename*=UTF-8''%E9%9D%92%E5%B1%B1%E9%95%87%E5%90%8E%E5%A4%87%E5%B9%B2%E9%83%A8"
        "%E5%85%AC%E7%A4%BA.pdf" in disposition
    )
    assert "private" in response["Cache-Control"]


def test_pdf_response_filename_is_sanitised():
    response = pdf_response(b"%PDF", '2026年"公示"\r\n;x/../名单')
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2  # only the quotes around the ASCII fallback
    header, _, encoded = disposition.partition("filename*=UTF-8''")
    name = urllib.parse.unquote(encoded)
    assert name.endswith(".pdf")
    assert "/" not in name and '"' not in name and ";" not in name
    assert name == "2026年_公示_x_.._名单.pdf"
    assert 'filename="2026__x_.._.pdf"' in header
