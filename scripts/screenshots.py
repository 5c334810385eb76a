"""Screenshots of the main pages at desktop and phone width, for a person to look at.

Usage: python scripts/screenshots.py [BASE_URL] [OUT_DIR]   (a server with the demo data running)
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
PAGES = [  # (account, paths), in order
    ("zzb", ["/nominations/", "/villages/", "/rounds/", "/rounds/1/", "/rounds/1/edit/", "/nominations/{first}/"]),
    ("cun01", ["/villages/1/", "/nominations/new/", "/nominations/{first}/", "/villages/1/roster/"]),
    # The pool: the office's list and pages, a mentor's desk, a unit head's list.
    ("zzb", ["/pool/", "/pool/?ending=1", "/pool/recommendations/", "/pool/mentors/", "/pool/talks/overdue/",
             "/pool/courses/", "/pool/terms/"]),
    ("ylr01", ["/pool/desk/", "/pool/"]),
    ("dy01", ["/pool/", "/pool/recommendations/"]),
]
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "artifacts/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size_name, (w, h) in SIZES.items():
            for username, paths in PAGES:
                page = browser.new_page(viewport={"width": w, "height": h}, locale="zh-CN")
                page.goto(base + "/accounts/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", "Demo@2026")
                page.click("button[type=submit]")
                page.goto(base + "/nominations/")
                link = page.locator("#nomination-table tbody a").first
                first = link.get_attribute("href").strip("/").split("/")[-1] if link.count() else "1"
                for path in paths:
                    path = path.format(first=first)
                    page.goto(base + path)
                    slug = path.strip('/').translate(str.maketrans('/?=&', '____')) or 'home'
                    name = f"{size_name}-{username}-{slug}.png"
                    page.screenshot(path=str(out / name), full_page=True)
                    print(out / name)
                page.close()
        browser.close()


if __name__ == "__main__":
    main()
