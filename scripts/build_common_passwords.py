"""Build reserve/common-passwords.txt.gz, the list of common passwords that the password rule refuses.

Usage: python scripts/build_common_passwords.py [EXTRA_LIST ...]

The list is, lower-cased (Django's CommonPasswordValidator compares the password lower-cased, so the check
is case-insensitive), the union of:

- Django's own list (django/contrib/auth/common-passwords.txt.gz: 20,000 common passwords compiled by Royce
  Williams from breach corpora);
- any EXTRA_LIST given, one password a line, lines starting with "#!comment" skipped — the file was built
  with John the Ripper's password.lst (Openwall, "assumed to be in the public domain"; Debian package
  john-data, /usr/share/john/password.lst);
- the composite passwords that pass a "three kinds of characters" rule and that such rules breed, which a
  list of plain breached passwords misses: a common word or name (English and pinyin: admin, abc, qwer,
  pass, woaini, zhang …, the demo's "demo") with a symbol and a run of digits or a year (Admin@123,
  Abc@1234, Aa123456, Qwer1234, Demo@2026, Woaini@1314 …), and keyboard walks (1qaz@WSX, 1q2w3e4r,
  Qwe!@#123 …).

No network is needed: the sources are a Python package and a Debian package.
"""

import gzip
import itertools
import sys
from pathlib import Path

import django

MIN_LENGTH = 8  # AUTH_PASSWORD_VALIDATORS: MinimumLengthValidator
OUT = Path(__file__).resolve().parent.parent / "reserve" / "common-passwords.txt.gz"

# Words that people build passwords from: default and role names, keyboard rows, "password" and its
# spellings, English favourites, pinyin (love, common surnames, places, the organisation's own words).
WORDS = """
a aa aaa ab abc abcd abcde q qq qw qwe qwer qwert qwerty qaz qazwsx asd asdf zxc zxcv
admin administrator root system super manager master user guest test demo
pass passwd password passw0rd p@ss p@ssw0rd p@ssword pwd mima
welcome hello love iloveyou letmein login changeme secret server oracle mysql
china beijing shanghai huawei
woaini aini nihao zhongguo laopo laogong baobao
wang li zhang liu chen yang huang zhao wu zhou
dangjian zuzhibu zzb cunwei zhengfu houbei
""".split()
SEPARATORS = ["", "@", "#", "!", ".", "_", "-", "*", "!@#", "@#"]
NUMBERS = (
    "1 01 11 12 66 88 99 000 007 111 123 321 520 666 888 999 1111 1234 1314 2222 4321 5201314 6666 8888 "
    "12345 54321 111111 123123 123456 654321 666666 888888 1234567 12345678 123456789 147258 112233"
).split()
YEARS = [str(year) for year in range(1980, 2041)]
TRAILERS = ["!", "@", "#", ".", "!@#"]

KEYBOARD = [
    "1qaz2wsx", "1qaz2wsx3edc", "1qaz@wsx", "1qaz@wsx#edc", "!qaz2wsx", "!qaz@wsx", "!qaz@wsx#edc", "1qaz!qaz",
    "2wsx@wsx", "1qazxsw2", "zaq12wsx", "zaq1xsw2", "zaq!xsw@", "zaq!2wsx", "qazwsxedc", "qaz123wsx", "1q2w3e",
    "1q2w3e4r", "1q2w3e4r5t", "1q2w3e4r5t6y", "!q2w3e4r", "1q@w3e4r", "q1w2e3r4", "q1w2e3r4t5", "1234qwer",
    "qwer1234", "qwer!@#$", "!@#$qwer", "1234!@#$", "!@#$1234", "qwe123!@#", "123qwe!@#", "!@#qwe123",
    "qwe!@#123", "asd123!@#", "zxc123!@#", "abc123!@#", "qwerasdf", "qwerasdfzxcv", "asdfghjkl", "asdfjkl;",
    "zxcvbnm", "zxcvbnm,./", "qwertyuiop", "1234qwerasdf", "qweasdzxc", "qweasd123", "qweqweqwe", "asdasdasd",
    "p@ssw0rd!", "p@55w0rd", "passw0rd!", "pa$$w0rd", "pa$$word",
]


def composites():
    """Word, separator, digits (Admin@123); digits first (123@Admin); a trailing symbol (Admin123!); a year
    (Demo@2026); keyboard walks, alone and with a trailing symbol."""
    for word, sep, number in itertools.product(WORDS, SEPARATORS, NUMBERS):
        yield f"{word}{sep}{number}"
        yield f"{number}{sep}{word}"
    for word, sep, year in itertools.product(WORDS, SEPARATORS[:6], YEARS):
        yield f"{word}{sep}{year}"
    for word, sep, number, trailer in itertools.product(WORDS, ["", "@"], NUMBERS, TRAILERS):
        yield f"{word}{sep}{number}{trailer}"
    for walk, trailer in itertools.product(KEYBOARD, ["", *TRAILERS]):
        yield walk + trailer


def read_list(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith("#!comment"):
                yield line


def build(extra_lists):
    django_list = Path(django.__file__).resolve().parent / "contrib" / "auth" / "common-passwords.txt.gz"
    passwords = set()
    for line in itertools.chain(read_list(django_list), *(read_list(p) for p in extra_lists)):
        password = line.strip().lower()
        if password:
            passwords.add(password)
    # A composite shorter than the rule's 8 characters is refused by the length rule already.
    passwords.update(password for password in composites() if len(password) >= MIN_LENGTH)
    return sorted(passwords)


def main(argv):
    passwords = build(argv[1:])
    # mtime=0: the same input gives the same bytes, so a rebuild shows no change in git.
    with open(OUT, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
        f.write(("\n".join(passwords) + "\n").encode("utf-8"))
    print(f"{OUT}: {len(passwords)} passwords, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv)
