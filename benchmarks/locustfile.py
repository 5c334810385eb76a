"""The users of the load run (benchmarks/load.py starts locust with this file; it is not run on its own).

Two workloads, each a separate locust run:

- the MIXED signed-in read workload (user classes OfficeUser, VillageUser, DepartmentUser, CommitteeUser): each
  simulated user signs in once with a password (the login page, then its form with the CSRF token) as an account of
  its role, then asks, one after the other, the pages of that role drawn by weight from the plan;
- the PUBLIC workload (PublicUser): anonymous visitors opening published notices' public pages.

What each user asks comes from the plan load.py writes before it starts locust (a JSON file named by LOAD_PLAN): the
accounts of each role, the password, and for each account its requests — a name (the row of the report), the paths
one is drawn from, a weight. A request answered other than 200 counts as an error (a redirect to the login page too:
the session was lost). LOAD_WAIT (seconds, default 0) is a user's pause between two requests; LOAD_RUN_TIME
(seconds, default 60) how long the figures are taken, from the moment the last user has signed in (user_ready):
the run then stops itself (load.py also bounds locust's own --run-time).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path

import gevent
from locust import between, constant, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8")) if os.environ.get("LOAD_PLAN") else {}
WAIT = float(os.environ.get("LOAD_WAIT", "0") or 0)
RUN_TIME = float(os.environ.get("LOAD_RUN_TIME", "60") or 60)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Accounts are handed out in turn, per role, so that the users of a role spread over its accounts.
_turns: dict[str, itertools.cycle] = {}


def next_account(role: str) -> dict:
    accounts = PLAN.get("accounts", {}).get(role) or []
    if not accounts:
        raise RuntimeError(f"the load plan has no account of role {role!r}")
    turn = _turns.setdefault(role, itertools.cycle(accounts))
    return next(turn)


_ready = {"users": 0, "measuring": False}


def user_ready(environment) -> None:
    """Counts the users ready (signed in); when the last is, the figures start from zero and the run ends
    RUN_TIME seconds later — the sign-ins, and the spawning, are not measured."""
    _ready["users"] += 1
    runner = environment.runner
    if _ready["measuring"] or _ready["users"] < runner.target_user_count:
        return
    _ready["measuring"] = True
    environment.stats.reset_all()
    gevent.spawn_later(RUN_TIME, runner.quit)


def pick(requests: list[dict]) -> tuple[str, str]:
    """One request of a user's list, drawn by weight: (report name, path)."""
    chosen = random.choices(requests, weights=[r["weight"] for r in requests])[0]
    return chosen["name"], random.choice(chosen["paths"])


def _check(response, expected=200):
    if response.status_code != expected:
        response.failure(f"HTTP {response.status_code}")
    else:
        response.success()


class SignedInUser(FastHttpUser):
    """A user of one role: signs in once (on_start), then reads that account's pages."""

    abstract = True
    role = ""
    wait_time = constant(0) if WAIT <= 0 else between(WAIT / 2, WAIT * 1.5)

    def on_start(self):
        self.account = next_account(self.role)
        self.sign_in(self.account["username"], PLAN["password"])
        user_ready(self.environment)

    def sign_in(self, username: str, password: str) -> None:
        with self.client.get("/accounts/login/", name="(sign in) login page", catch_response=True) as page:
            found = CSRF_FIELD.search(page.text or "")
            if page.status_code != 200 or not found:
                page.failure(f"login page: HTTP {page.status_code}, CSRF token {'found' if found else 'missing'}")
                raise RuntimeError("no login page")
            page.success()
        data = {"csrfmiddlewaretoken": found.group(1), "username": username, "password": password}
        headers = {"Referer": f"{self.host}/accounts/login/"}
        with self.client.post("/accounts/login/", data=data, headers=headers, name="(sign in) password",
                              allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in of {username} refused: HTTP {answer.status_code}")
                raise RuntimeError(f"sign-in of {username} refused")
            answer.success()

    @task
    def read_a_page(self):
        name, path = pick(self.account["requests"])
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            _check(response)


class OfficeUser(SignedInUser):
    role = "office"
    weight = 4


class VillageUser(SignedInUser):
    role = "village"
    weight = 3


class DepartmentUser(SignedInUser):
    role = "department"
    weight = 2


class CommitteeUser(SignedInUser):
    role = "committee"
    weight = 1


class PublicUser(FastHttpUser):
    """An anonymous visitor opening a published notice's public page (the QR code's address)."""

    wait_time = constant(0) if WAIT <= 0 else between(WAIT / 2, WAIT * 1.5)

    def on_start(self):
        user_ready(self.environment)

    @task
    def open_a_notice(self):
        path = random.choice(PLAN["public"])
        with self.client.get(path, name="public: notice page", allow_redirects=False,
                             catch_response=True) as response:
            _check(response)
