"""How long a one-page Chinese notice takes to become a PDF, font setup by font setup.

    .venv/bin/python benchmarks/pdf_fonts.py            # every setup whose fonts are installed
    .venv/bin/python benchmarks/pdf_fonts.py --runs 7   # more warm runs per setup
    .venv/bin/python benchmarks/pdf_fonts.py --fonttools --only "AR PL UMing CN" --only "Noto Serif CJK SC"
                                       # as if libharfbuzz-subset0 were missing

Renders templates/pdf/sample.html (a 公示-like notice: title, paragraphs, a 30-row table of Chinese
names that include 喆 堃 㛃) the way reserve.pdf.render_pdf does (render_to_string, then WeasyPrint
with the app's StaticOnlyURLFetcher and static/css/print.css), with the font-family stacks of each
setup imposed by an extra !important stylesheet (families only: the title stays bold, which
embeds a Noto Bold face and prints regular with one-weight faces). The rows "print.css as shipped" add no override:
that is exactly render_pdf's work, split in two timed steps.

Each setup runs in a fresh Python process (imports and django.setup() not timed), so "first" is
the first PDF of a new server process: fontconfig/pango load the faces, then layout and
subsetting. "warm" is the median of the following runs in that process. "layout" and "write" split
the warm median run: HTML parsing, CSS and layout vs. writing the PDF (font subsetting is most
of it). "CPU s" is the process CPU time of that run: wall time grows when other processes share
the machine (the header gives the load average), CPU time much less.

The PDF is then checked: its text is extracted with pypdf, and for 喆 堃 㛃 the glyph each one is
drawn with is looked up in the embedded font (via the font's ToUnicode map) and must have an
outline; "tofu" marks a character drawn as .notdef (a blank box) or missing. "RSS MB" is
the child process's peak resident memory by the end of the first render (Django and WeasyPrint
imported: about 70 MB); it is a transient peak (WeasyPrint copies each font file it uses into
memory while it subsets it), the resident size after a render is about 100 MB.

WeasyPrint subsets fonts with HarfBuzz (libharfbuzz-subset0) when it can load it, else with
fontTools, which is an order of magnitude slower on CFF collections; --fonttools forces the latter,
to measure a machine without the library.

Font names are fontconfig family names of Debian packages (see bin/setup for those installed by
the project); a setup whose first family is not installed is skipped, not silently substituted.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RARE = "喆堃㛃"

# label, Debian packages, body stack, heading stack (h1 and table headers)
SETUPS = [
    ("Noto Serif CJK SC", "fonts-noto-cjk",
     '"Noto Serif CJK SC"', '"Noto Serif CJK SC"'),
    ("Noto Sans CJK SC", "fonts-noto-cjk",
     '"Noto Sans CJK SC"', '"Noto Sans CJK SC"'),
    ("Noto Serif SC + Noto Sans SC headings", "fonts-noto-cjk",
     '"Noto Serif CJK SC"', '"Noto Sans CJK SC"'),
    ("AR PL UMing CN", "fonts-arphic-uming",
     '"AR PL UMing CN"', '"AR PL UMing CN"'),
    ("AR PL SungtiL GB (GB2312) + UMing fallback", "fonts-arphic-gbsn00lp fonts-arphic-uming",
     '"AR PL SungtiL GB", "AR PL UMing CN"', '"AR PL SungtiL GB", "AR PL UMing CN"'),
    ("WenQuanYi Zen Hei", "fonts-wqy-zenhei",
     '"WenQuanYi Zen Hei"', '"WenQuanYi Zen Hei"'),
    ("WenQuanYi Micro Hei + Droid fallback", "fonts-wqy-microhei fonts-droid-fallback",
     '"WenQuanYi Micro Hei", "Droid Sans Fallback"', '"WenQuanYi Micro Hei", "Droid Sans Fallback"'),
    ("WenQuanYi Micro Hei + UMing fallback", "fonts-wqy-microhei fonts-arphic-uming",
     '"WenQuanYi Micro Hei", "AR PL UMing CN"', '"WenQuanYi Micro Hei", "AR PL UMing CN"'),
    ("Droid Sans Fallback", "fonts-droid-fallback",
     '"Droid Sans Fallback"', '"Droid Sans Fallback"'),
    ("LXGW WenKai", "fonts-lxgw-wenkai",
     '"LXGW WenKai"', '"LXGW WenKai"'),
    ("BabelStone Han", "fonts-babelstone-han",
     '"BabelStone Han"', '"BabelStone Han"'),
    ("UMing body + Zen Hei headings", "fonts-arphic-uming fonts-wqy-zenhei",
     '"AR PL UMing CN"', '"WenQuanYi Zen Hei", "AR PL UMing CN"'),
    ("UMing body + Micro Hei headings", "fonts-arphic-uming fonts-wqy-microhei",
     '"AR PL UMing CN"', '"WenQuanYi Micro Hei", "AR PL UMing CN"'),
    ("print.css as shipped", "see bin/setup", None, None),
    ("print.css as shipped, one name outside Noto (𪚥)", "see bin/setup", None, None),
]
OUTSIDE_NOTO = "𪚥"  # U+2A6A5, CJK Extension B: in BabelStone Han, not in Noto CJK

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ["建国", "秀英", "志强", "丽娟", "海燕", "国庆", "文博", "晓东", "春梅", "子涵", "思远", "宇轩",
         "嘉怡", "明辉", "雪芳", "振华", "慧敏", "俊杰", "桂兰", "永红", "浩然", "雨桐", "德胜", "玉珍",
         "小龙", "佳琪", "卫东", "艳丽", "红霞", "立新"]
VILLAGES = ["东山村", "西岭村", "南溪村", "北塘村", "青石村", "白沙村", "桃源村", "杨柳村", "石桥村",
            "枫林村", "松岗村", "梅坞村"]
POSTS = ["村民小组长", "村团支部书记", "村妇联主席", "村委会委员", "村文书", "致富带头人", "返乡大学生",
         "退役军人", "村会计", "网格员"]
EDUCATION = ["大专", "本科", "高中", "中专", "研究生"]


def sample_context(outside_noto: bool = False) -> dict:
    """The notice of the benchmark: 30 rows, names with 喆 堃 㛃 (and 𪚥 if asked)."""
    rows = []
    for i in range(30):
        name = SURNAMES[i] + GIVEN[i]
        if i == 3:
            name = "张喆"
        elif i == 11:
            name = "王堃"
        elif i == 17:
            name = "李㛃"
        elif i == 24 and outside_noto:
            name = "唐" + OUTSIDE_NOTO
        rows.append({
            "name": name,
            "sex": "女" if i % 3 == 1 else "男",
            "born": f"{1986 + i % 12}.{(i * 5) % 12 + 1:02d}",
            "education": EDUCATION[i % len(EDUCATION)],
            "village": VILLAGES[i % len(VILLAGES)],
            "post": POSTS[i % len(POSTS)],
        })
    return {
        "title": "关于青山镇村级后备干部拟定人选的公示",
        "intro": ("根据《青山镇村级后备干部选拔培养工作实施方案》，经个人自荐、村党组织推荐、资格审查、"
                  "民主测评和组织考察，镇党委研究确定以下三十名同志为村级后备干部拟定人选，现予以公示。"
                  "公示期间，如对公示对象有异议，可通过来信、来访等方式向镇纪委或镇组织办反映。"),
        "rows": rows,
        "closing": ("公示时间为五个工作日。反映问题应实事求是，提倡署真实姓名；"
                    "对反映的问题，镇党委将认真调查核实，并为反映人保密。"),
        "issuer": "中共青山镇委员会组织办公室",
        "date": "2026年5月20日",
    }


def override_css(body: str, heading: str) -> str:
    return (
        f"@page {{ font-family: {body} !important;"
        f" @bottom-center {{ font-family: {body} !important; }} }}\n"
        f"html, body, p, td {{ font-family: {body} !important; }}\n"
        f"h1, h2, h3, th, .heading {{ font-family: {heading} !important; }}\n"
    )


def font_report(pdf_bytes: bytes, rare: str = RARE) -> dict:
    """Embedded faces, extracted text, and for each rare character the face that draws it."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    faces, drawn = [], {ch: "tofu" for ch in rare}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            family = str(descriptor.get("/FontFamily", font["/BaseFont"]))
            if family not in faces:
                faces.append(family)
            stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            gid_of = {}
            for gid, code in re.findall(r"<([0-9a-fA-F]{4})> <([0-9a-fA-F]+)>", cmap):
                char = bytes.fromhex(code).decode("utf-16-be")
                gid_of.setdefault(char, int(gid, 16))
            wanted = [ch for ch in rare if ch in gid_of]
            if not wanted or stream is None:
                continue
            ttfont = TTFont(io.BytesIO(stream.get_object().get_data()))
            order, glyphs = ttfont.getGlyphOrder(), ttfont.getGlyphSet()
            for ch in wanted:
                gid = gid_of[ch]
                if gid == 0 or gid >= len(order):
                    continue
                pen = BoundsPen(glyphs)
                glyphs[order[gid]].draw(pen)
                if pen.bounds is not None:
                    drawn[ch] = family
    return {"faces": faces, "text_has_rare": all(ch in text for ch in rare), "drawn": drawn,
            "text_sample": "公示" in text and "第 1 页 共 1 页" in text, "pages": len(reader.pages)}


def run_one(label: str, runs: int, fonttools: bool) -> dict:
    """In a fresh process: one setup, first run + warm runs, then the checks."""
    import resource

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reserve.settings")
    import django

    django.setup()
    from django.template.loader import render_to_string
    from weasyprint import CSS, HTML

    from reserve.pdf import ARCHIVAL_VARIANT, INTERNAL_BASE_URL, StaticOnlyURLFetcher, render_pdf

    if fonttools:
        import logging

        import weasyprint.pdf.fonts

        weasyprint.pdf.fonts.harfbuzz_subset = None
        logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its "using fontTools" warning
    _, _, body, heading = next(s for s in SETUPS if s[0] == label)
    outside = OUTSIDE_NOTO in label
    context = sample_context(outside_noto=outside)
    timings = []
    pdf = document = b""
    peak_rss = 0
    for _ in range(runs + 1):
        pdf = document = None  # nothing of the previous run stays alive during this one
        start, cpu_start = time.perf_counter(), time.process_time()
        html = render_to_string("pdf/sample.html", context)
        fetcher = StaticOnlyURLFetcher(INTERNAL_BASE_URL)
        sheets = [] if body is None else [
            CSS(string=override_css(body, heading), url_fetcher=fetcher)]
        document = HTML(string=html, base_url=INTERNAL_BASE_URL, url_fetcher=fetcher,
                        media_type="print").render(stylesheets=sheets)
        layout = time.perf_counter() - start
        pdf = document.write_pdf(pdf_variant=ARCHIVAL_VARIANT, pdf_tags=True)  # as render_pdf writes them
        total = time.perf_counter() - start
        timings.append((total, layout, time.process_time() - cpu_start))
        peak_rss = peak_rss or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if body is None:  # the shipped setup: check that render_pdf itself gives the same document
        assert abs(len(render_pdf("pdf/sample.html", context)) - len(pdf)) < 1024
    first = timings[0][0]
    warm = sorted(timings[1:])
    median_total, median_layout, median_cpu = warm[len(warm) // 2]
    return {"label": label, "first": first, "warm": median_total, "cpu": median_cpu,
            "layout": median_layout, "write": median_total - median_layout,
            "kb": len(pdf) / 1024, "rss": peak_rss,
            **font_report(pdf, RARE + (OUTSIDE_NOTO if outside else ""))}


def hb_subset_loaded() -> bool:
    from weasyprint.pdf import fonts

    return bool(fonts.harfbuzz_subset)


def installed(stack: str | None) -> bool:
    if stack is None:
        return True
    family = re.findall(r'"([^"]+)"', stack)[0]
    out = subprocess.run(["fc-list", f":family={family}", "family"], capture_output=True, text=True)
    return bool(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm runs per setup (default 5)")
    parser.add_argument("--only", action="append", help="run only the setup with this label (repeatable)")
    parser.add_argument("--fonttools", action="store_true",
                        help="subset with fontTools, as WeasyPrint does without libharfbuzz-subset0")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: the child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.runs, args.fonttools)))
        return

    import weasyprint

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    print(f"# {time.strftime('%Y-%m-%d %H:%M %Z')} · {platform.node()} · {os.cpu_count()} CPU · {cpu}"
          f" · load average at start {load}")
    print(f"# Python {platform.python_version()} · WeasyPrint {weasyprint.__version__} · "
          f"{platform.platform()} · {args.runs} warm runs per setup, fresh process each · subsetter: "
          f"{'fontTools (forced)' if args.fonttools else 'HarfBuzz' if hb_subset_loaded() else 'fontTools'}")
    print()
    print("| setup | Debian packages | first s | warm s | layout s | write s | CPU s | PDF KB | RSS MB |"
          " faces embedded | 喆 | 堃 | 㛃 | text ok |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|")
    for label, packages, body, _heading in SETUPS:
        if args.only and label not in args.only:
            continue
        if not installed(body):
            print(f"| {label} | {packages} | not installed | | | | | | | | | | | |")
            continue
        child = [sys.executable, __file__, "--one", label, "--runs", str(args.runs)]
        out = subprocess.run(child + (["--fonttools"] if args.fonttools else []),
                             capture_output=True, text=True, cwd=ROOT)
        if out.returncode:
            print(f"| {label} | {packages} | failed: {out.stderr.strip().splitlines()[-1]} |")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        fmt = lambda v: "" if v is None else f"{v:.2f}"  # noqa: E731
        drawn = [r["drawn"][ch] for ch in RARE]
        if OUTSIDE_NOTO in r["drawn"]:
            drawn[-1] += f" (𪚥: {r['drawn'][OUTSIDE_NOTO]})"
        print(f"| {label} | {packages} | {fmt(r['first'])} | {fmt(r['warm'])} | {fmt(r['layout'])} |"
              f" {fmt(r['write'])} | {fmt(r['cpu'])} | {r['kb']:.0f} | {r['rss']:.0f} | {', '.join(r['faces'])} |"
              f" {' | '.join(drawn)} |"
              f" {'yes' if r['text_has_rare'] and r['text_sample'] and r['pages'] == 1 else 'NO'} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
