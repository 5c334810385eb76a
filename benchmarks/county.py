"""Generate a whole county (issue 13 §1) in the database DATABASE_URL names, with bulk inserts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_county .venv/bin/python benchmarks/county.py \
        --scale county [--reuse]

`--scale county`: 20 towns × 25 villages, 12 departments a town, accounts of every role, and in every town two
closed selection rounds and one open round — the largest town's open round 12,000 nominations, 7,440 of them
dispatched to its 12 departments; 100,000 nominations in every status, ~766,000 vetting requests, ~1.2 M findings,
~1.4 M events, ~1.68 M audit rows, appraisal sessions and tallies, talks, 考察材料, committee meetings and
decisions, 公示 notices with their entries and objections, the 两委 rosters, and the reserve pool of
benchmarks/pool_pages.py's county scale (its builder is called first: 20,000 reserves with their cultivation and
assessments; the selection's confirmed nominations are linked to its village reserve cadres). `--scale demo`: one
town like the demo (12 villages, a few hundred nominations); `--scale tiny`: the smoke test's.

The rows are those the services leave, made without them for speed: each nomination's status is reached by its
chain of events (create, edits, submit, accept, dispatch, one vetting_answer per department that answered, …),
dated in the order of the round's stages and never after now; each event has its audit row as
reserve.services.record_event writes it (reserve.audit.event_detail), and the audit log also holds sign-ins and
views. ID numbers are valid (check digit) and stored through the model field (encrypted, with the keyed hash).
Two simplifications, said here: a department's answer is written as the nomination's vetting_answer event only
(the service also writes the request's own answer and close events), and a nomination's relatives, résumé and
family rows are not generated (no page lists them at scale).

The big tables (nominations, vetting requests, findings, events, audit rows) are written with PostgreSQL's COPY
(psycopg2's copy_expert), with explicit ids, the sequences set after; on SQLite (the smoke test) with
executemany. No constraint or index of the app is dropped. Prints each table's rows and seconds.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

from benchmarks import pool_pages  # noqa: E402

PASSWORD = "Bench@2026"  # every generated account's (pool_pages uses the same)
AREA = "330782"  # the nominees' ID numbers (the pool's own people have 330781)
SUPERUSER = "benchadmin"  # the admin changelists' account (pages.py)


# ----------------------------------------------------------------------------------------------- the scales


@dataclass(frozen=True)
class CountyScale:
    pool: str  # the scale of pool_pages.SCALES built first (towns, villages, the pool)
    largest_open: int  # nominations in the open round of town 1
    largest_closed: int  # in each closed round of town 1
    other_open: int  # in the open round of each other town
    other_closed: int  # in each closed round of each other town
    closed_rounds: int = 2
    departments: int = 12
    cadres: int = 7  # a village's 两委
    audit_extra: float = 2.75  # sign-ins and views a nomination, besides the audit copy of each event
    largest_notice: int = 30  # people on one in-force notice of town 1 (the issue's "office notice page")


SCALES = {
    "tiny": CountyScale(pool="tiny", largest_open=40, largest_closed=16, other_open=0, other_closed=0,
                        closed_rounds=1, audit_extra=1, largest_notice=3),
    "demo": CountyScale(pool="demo", largest_open=300, largest_closed=120, other_open=0, other_closed=0,
                        largest_notice=6),
    "county": CountyScale(pool="county", largest_open=12000, largest_closed=1730, other_open=1050, other_closed=1700),
}

# The share (per mille) of each final status: an open round in its publicity stage (62 % dispatched: 7,440 of
# 12,000), a closed round (65 % dispatched). Allocated exactly (largest remainders), in this order.
OPEN_MIX = (("draft", 50), ("submitted", 75), ("returned", 25), ("withdrawn", 25), ("revoked", 15), ("accepted", 190),
            ("vetting", 290), ("disqualified", 50), ("vetted", 166), ("inspection", 58), ("rejected", 12),
            ("proposed", 16), ("approved", 12), ("publicised", 16))
CLOSED_MIX = (("draft", 50), ("returned", 50), ("withdrawn", 80), ("revoked", 60), ("accepted", 110),
              ("disqualified", 70), ("vetted", 430), ("rejected", 60), ("reserve", 90))
DISPATCHED = {"vetting", "disqualified", "vetted", "inspection", "rejected", "proposed", "approved", "publicised",
              "reserve"}
INSPECTED = {"inspection", "rejected", "proposed", "approved", "publicised", "reserve"}
ANSWER_RATE_OPEN = 0.55  # a department's answer to a nomination still in vetting
FLAG_RATE = 0.015  # an answer that flags a problem (vetting: awaiting the office's decision)


def allocate(n: int, mix) -> list[str]:
    """n statuses in the shares of mix (per mille), exactly n, largest remainders first."""
    total = sum(w for _s, w in mix)
    exact = [(s, n * w / total) for s, w in mix]
    counts = {s: int(x) for s, x in exact}
    for s, _x in sorted(exact, key=lambda e: e[1] - int(e[1]), reverse=True)[: n - sum(counts.values())]:
        counts[s] += 1
    return [s for s, _w in mix for _k in range(counts[s])]


def every_status_in_first_village(statuses: list[str], villages: int) -> list[str]:
    """The statuses reordered so that the first village (every villages-th nomination from the first) has one
    nomination of each status: the pages are asked for that village's objects, at every scale."""
    statuses = list(statuses)
    slot = 0
    for status in dict.fromkeys(statuses):
        target = slot * villages
        if target >= len(statuses):
            break
        if statuses[target] != status:
            k = statuses.index(status, 0)
            if k % villages == 0 and k < target:
                continue  # already in the first village, in an earlier slot
            statuses[target], statuses[k] = statuses[k], statuses[target]
        slot += 1
    return statuses


# ----------------------------------------------------------------------------------------------- raw writing


class Writer:
    """Rows written straight to a model's table with explicit ids: COPY on PostgreSQL, executemany elsewhere.
    Values are Python values of the model's fields (attnames); nothing of the model's save() runs (no auto_now),
    so the caller gives every column."""

    FLUSH = 50_000

    def __init__(self, verbose: bool = True):
        from django.db import connection

        self.connection = connection
        self.pg = connection.vendor == "postgresql"
        self.buffers: dict = {}
        self.columns: dict = {}
        self.counts: dict = {}
        self.seconds: dict = {}
        self.next_ids: dict = {}
        self.verbose = verbose

    def next_id(self, model) -> int:
        if model not in self.next_ids:
            from django.db.models import Max

            self.next_ids[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def add(self, model, row: dict) -> int:
        """Queue one row (a dict of attnames; "id" is given if missing); returns its id."""
        if "id" not in row:
            row["id"] = self.next_id(model)
        if model not in self.columns:
            self.columns[model] = [f for f in model._meta.concrete_fields]
            self.buffers[model] = []
        self.buffers[model].append(row)
        if len(self.buffers[model]) >= self.FLUSH:
            self.flush(model)
        return row["id"]

    def flush(self, model=None) -> None:
        for m in [model] if model else list(self.buffers):
            rows = self.buffers.get(m)
            if not rows:
                continue
            t0 = time.perf_counter()
            (self._copy if self.pg else self._insert)(m, rows)
            self.buffers[m] = []
            name = m._meta.db_table
            self.counts[name] = self.counts.get(name, 0) + len(rows)
            self.seconds[name] = self.seconds.get(name, 0) + time.perf_counter() - t0

    def finish(self) -> None:
        self.flush()
        if self.pg:
            with self.connection.cursor() as cursor:
                for m in self.columns:
                    table = m._meta.db_table
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")

    @staticmethod
    def _text(value) -> str:
        if type(value) is str:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        if value is None:
            return "\\N"
        if value is True:
            return "t"
        if value is False:
            return "f"
        if isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, (datetime.datetime, datetime.date)):
            return value.isoformat()
        elif not isinstance(value, str):
            return str(value)
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    def _copy(self, model, rows) -> None:
        fields = self.columns[model]
        text = self._text
        buf = io.StringIO()
        buf.writelines("\t".join([text(row[f.attname] if f.attname in row else _default(f)) for f in fields]) + "\n" for row in rows)
        buf.seek(0)
        columns = ", ".join(f'"{f.column}"' for f in fields)
        with self.connection.cursor() as cursor:
            cursor.cursor.copy_expert(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN', buf)

    def _insert(self, model, rows) -> None:
        fields = self.columns[model]
        conn = self.connection
        values = [[f.get_db_prep_value(row[f.attname] if f.attname in row else _default(f), conn, prepared=False) for f in fields]
                  for row in rows]
        columns = ", ".join(f'"{f.column}"' for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        with conn.cursor() as cursor:
            cursor.executemany(f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES ({marks})', values)


def _default(f):
    from django.db.models import NOT_PROVIDED

    if f.default is not NOT_PROVIDED:
        return f.get_default()
    if f.null:
        return None
    if f.get_internal_type() in ("CharField", "TextField", "FileField", "SlugField"):
        return ""
    raise ValueError(f"{f.model.__name__}.{f.attname}: no value given and no default")


# ----------------------------------------------------------------------------------------------- the county


@dataclass
class Town:
    """What the generator keeps of one town while it writes its selection."""

    town: object
    villages: list
    office: object
    committee: object
    village_users: dict  # village id -> user
    departments: list = field(default_factory=list)
    department_users: dict = field(default_factory=dict)  # department id -> user
    village_reserves: dict = field(default_factory=dict)  # village id -> [pool reserves to link]


class County:
    """The generator: the pool first (pool_pages.build), then the selection of every town."""

    def __init__(self, scale: CountyScale, *, today=None, seed: int = 13, verbose: bool = True):
        from django.utils import timezone

        self.scale = scale
        self.rng = random.Random(seed)
        self.now = timezone.now().replace(microsecond=0)
        self.today = today or timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.verbose = verbose
        self.used_ids: dict = {}
        self.timings: list[tuple[str, float]] = []
        self.people: list = []  # new Person rows of the round being written
        self.pending_nominations: list = []  # (row, person) of the round being written
        self.retargeted: set = set()
        self.confirmed: list = []  # (nomination info, round, confirmation day): the pool reserves to link
        self.roles: dict = {}
        self.labels: dict = {}
        from reserve.audit import event_detail
        from reserve.services import _audit_action

        self.event_detail, self.audit_action = event_detail, _audit_action  # as record_event writes the audit copy
        self.nominations = 0
        self.notice_village = None

    def log(self, text: str) -> None:
        if self.verbose:
            print(text, file=sys.stderr, flush=True)

    # -- helpers
    def at(self, day: datetime.date, minute: int | None = None) -> datetime.datetime:
        """A moment of a working day (08:30–17:30), never after now."""
        minute = self.rng.randint(510, 1050) if minute is None else minute
        moment = datetime.datetime.combine(day, datetime.time(minute // 60, minute % 60), tzinfo=self.tz)
        return min(moment, self.now - datetime.timedelta(minutes=1))

    def between(self, a: datetime.date, b: datetime.date) -> datetime.date:
        b = min(b, self.today)
        if b <= a:
            return min(a, self.today)
        return a + datetime.timedelta(days=self.rng.randint(0, (b - a).days))

    # -- the run
    def build(self) -> dict:
        from django.contrib.contenttypes.models import ContentType
        from django.db import transaction

        from candidates.models import Nomination, Round
        from inspection.models import AppraisalSession, CommitteeMeeting
        from publicity.models import Notice
        from reserve.models import Event
        from vetting.models import VettingRequest

        t0 = time.perf_counter()
        pool_pages.build(pool_pages.SCALES[self.scale.pool], today=self.today)
        self.timings.append(("the pool (pool_pages.build)", time.perf_counter() - t0))
        self.log(f"# pool built in {time.perf_counter() - t0:.0f} s")
        self.ct = {m: ContentType.objects.get_for_model(m) for m in
                   (Nomination, Round, VettingRequest, Notice, AppraisalSession, CommitteeMeeting)}
        self.writer = Writer()
        self.event_model = Event
        with transaction.atomic():
            t1 = time.perf_counter()
            towns = self.towns()
            self.timings.append(("towns: departments, accounts, rosters", time.perf_counter() - t1))
            for k, town in enumerate(towns):
                t1 = time.perf_counter()
                largest = k == 0
                closed_n = self.scale.largest_closed if largest else self.scale.other_closed
                open_n = self.scale.largest_open if largest else self.scale.other_open
                for r in range(self.scale.closed_rounds):
                    year = self.today.year - self.scale.closed_rounds + r
                    self.round(town, year=year, n=closed_n, closed=True)
                self.round(town, year=self.today.year, n=open_n, closed=False, largest=largest)
                self.log(f"# {town.town.name}: {time.perf_counter() - t1:.1f} s")
            self.audit_extras(towns)
            t1 = time.perf_counter()
            self.writer.finish()
            self.link_reserves()
            self.timings.append(("final flush", time.perf_counter() - t1))
        return self.writer.counts

    # -- towns: departments, accounts, rosters
    def towns(self) -> list[Town]:
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group

        from reserve.models import DEFAULT_DEPARTMENTS, Department, User, VillageCadre
        from reserve.models import Town as TownModel
        from reserve.roles import Role
        from training.models import Reserve, Tier

        password = make_password(PASSWORD)
        groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}
        through = User.groups.through
        result = []
        towns = list(TownModel.objects.filter(name__startswith=pool_pages.TOWN_PREFIX).order_by("pk"))
        for ti, town in enumerate(towns):
            prefix = f"t{ti + 1:02d}"
            departments = Department.objects.bulk_create(
                [Department(town=town, name=name, order=i)
                 for i, name in enumerate(DEFAULT_DEPARTMENTS[: self.scale.departments], start=1)])
            dept_users = User.objects.bulk_create(
                [User(username=f"{prefix}bm{i + 1:02d}", full_name=f"{d.name}经办人", town=town, department=d,
                      password=password) for i, d in enumerate(departments)])
            through.objects.bulk_create([through(user_id=u.pk, group_id=groups[Role.DEPARTMENT].pk) for u in dept_users])
            users = {u.username: u for u in User.objects.filter(town=town)}
            villages = list(town.villages.order_by("order", "pk"))
            cadres = []
            for v in villages:
                for c in range(self.scale.cadres):
                    male = self.rng.random() < 0.7
                    cadres.append(VillageCadre(
                        village=v, name=self.rng.choice(pool_pages.SURNAMES) + self.rng.choice(pool_pages.GIVEN),
                        gender="M" if male else "F",
                        birth_date=datetime.date(self.today.year - self.rng.randint(30, 60), self.rng.randint(1, 12),
                                                 self.rng.randint(1, 28)),
                        post=("党支部书记、村委会主任", "党支部副书记", "村委会副主任", "党支部委员", "村委会委员",
                              "妇联主席", "村务监督委员会主任")[c % 7]))
            VillageCadre.objects.bulk_create(cadres, batch_size=2000)
            t = Town(town=town, villages=villages, office=users[f"{prefix}zzb"], committee=users[f"{prefix}dw01"],
                     village_users={v.pk: users[f"{prefix}cun{v.order + 1:02d}"] for v in villages},
                     departments=departments, department_users={d.pk: u for d, u in zip(departments, dept_users,
                                                                                            strict=True)})
            # The pool's village reserve cadres (tier 5, entered by selection): confirmed nominations become theirs.
            for r in (Reserve.objects.filter(town=town, tier=Tier.VILLAGE, source=Reserve.Source.SELECTION,
                                             nomination__isnull=True).select_related("person").order_by("pk")):
                t.village_reserves.setdefault(r.village_id, []).append(r)
            result.append(t)
        # The administrators (三员分立) and the superuser of the admin changelists.
        admins = User.objects.bulk_create([
            User(username="xtgl", full_name="系统管理员", is_staff=True, password=password),
            User(username="aqgl", full_name="安全管理员", is_staff=True, password=password),
            User(username="sjgl", full_name="审计管理员", password=password),
            User(username=SUPERUSER, full_name="基准超级用户", is_staff=True, is_superuser=True, password=password)])
        through.objects.bulk_create([through(user_id=u.pk, group_id=groups[role].pk) for u, role in
                                     zip(admins, (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN),
                                         strict=False)])
        return result

    # -- a round
    def round(self, town: Town, *, year: int, n: int, closed: bool, largest: bool = False) -> None:
        from candidates.models import Round

        today = self.today
        if closed:
            d = datetime.date
            windows = dict(nomination_start=d(year, 3, 1), nomination_end=d(year, 3, 31), review_start=d(year, 4, 1),
                           review_end=d(year, 4, 30), inspection_start=d(year, 5, 6), inspection_end=d(year, 6, 5),
                           publicity_start=d(year, 6, 10), age_reference_date=d(year, 3, 1))
        else:  # in its publicity stage: nominations of every stage up to 公示中
            def ago(k):
                return today - datetime.timedelta(days=k)
            windows = dict(nomination_start=ago(100), nomination_end=ago(70), review_start=ago(69),
                           review_end=ago(-5), inspection_start=ago(40), inspection_end=ago(-20),
                           publicity_start=ago(2), age_reference_date=ago(100))
        name = f"{year}年村级后备干部选拔"
        writer = self.writer
        round_id = writer.add(Round, dict(
            town_id=town.town.pk, year=year, name=name, status="closed" if closed else "open",
            negative_since_year=year - 3, created_at=self.at(windows["nomination_start"] - datetime.timedelta(days=7)),
            **windows))
        self.event(Round, round_id, "round_create", town.office, self.at(windows["nomination_start"]
                                                                          - datetime.timedelta(days=7)),
                   to_status="open")
        if closed:
            self.event(Round, round_id, "round_update", town.office, self.at(windows["publicity_start"]
                                                                              + datetime.timedelta(days=30)),
                       data={"changed": ["status"]})
        writer.flush(Round)  # the negative list's M2M rows refer to it
        items = self.negative_list(town, round_id)
        ctx = RoundContext(town=town, round_id=round_id, year=year, closed=closed, items=items, **windows)
        statuses = allocate(n, CLOSED_MIX if closed else OPEN_MIX)
        self.rng.shuffle(statuses)
        statuses = every_status_in_first_village(statuses, len(town.villages))
        if largest and not closed:
            # The in-force notice of the issue's "office notice page": its people in village 1.
            self.notice_village = town.villages[0].pk
        per_village: dict = {}
        confirmable_from = windows["publicity_start"] + datetime.timedelta(days=12)
        for k, status in enumerate(statuses):
            village = town.villages[k % len(town.villages)]
            reserve = self.pick_reserve(town, village, confirmable_from) if status == "reserve" else None
            if status == "reserve" and reserve is None:
                status = "vetted"  # no reserve of the pool in that village to be the confirmed person
            per_village.setdefault(village.pk, []).append(self.nomination(ctx, village, status, reserve))
        if largest and not closed:
            self.widen_notice(ctx, per_village)
        self.inspection(ctx, per_village)
        self.publicity(ctx, per_village)
        self.write_nominations(ctx)

    @staticmethod
    def pick_reserve(town: Town, village, after: datetime.date):
        """A village reserve cadre of the pool in this village who entered after `after` (their entry day becomes the
        confirmation day, earlier than the pool gave it, so that their talks and tasks stay after it)."""
        found = town.village_reserves.get(village.pk, [])
        for k, reserve in enumerate(found):
            if reserve.start_date >= after:
                return found.pop(k)
        # None entered late enough (a tiny pool): the latest to enter, whose entry day moves earlier.
        return found.pop() if found else None

    def write_nominations(self, ctx: RoundContext) -> None:
        """The round's new people (through the model: the ID number encrypted, its keyed hash) and its nominations,
        with the basic conditions evaluated as candidates.services stores them."""
        from candidates.eligibility import Applicant, evaluate
        from candidates.models import Nomination, Person, Round

        t0 = time.perf_counter()
        Person.objects.bulk_create(self.people, batch_size=2000)
        self.seconds_people = getattr(self, "seconds_people", 0) + time.perf_counter() - t0
        from reserve.dates import age_on

        round_obj = Round.objects.get(pk=ctx.round_id)
        villages = {v.pk: v for v in ctx.town.villages}
        ref, found = round_obj.age_reference_date, {}
        for row, person in self.pending_nominations:
            village = villages[row["village_id"]]
            # The rules read the village, the age on the reference day and the education: evaluated once for each.
            key = (village.pk, age_on(person.birth_date, ref), row["fulltime_education"])
            if key not in found:
                result = evaluate(Applicant(village_id=village.pk, village_name=village.name,
                                            hukou_village_id=village.pk, hukou_village_name=village.name,
                                            birth_date=person.birth_date, fulltime_education=row["fulltime_education"]),
                                  round_obj)
                found[key] = (result.eligible, result.as_json())
            row.update(person_id=person.pk, is_eligible=found[key][0], eligibility=found[key][1])
            self.writer.add(Nomination, row)
        self.people, self.pending_nominations = [], []

    def link_reserves(self) -> None:
        """The confirmed nominations' reserves (candidates' confirm_reserve → training.services.create_reserve):
        the pool's village reserve cadre of that person, entered on the confirmation day."""
        from training.models import Reserve

        today, changed = self.today, []
        for n, ctx, day in self.confirmed:
            reserve = n["reserve"]
            number = 1 + (today - day).days // 730
            reserve.nomination_id, reserve.round_id, reserve.start_date = n["id"], ctx.round_id, day
            reserve.term_number = number
            reserve.term_start = day + datetime.timedelta(days=730 * (number - 1))
            reserve.term_end = reserve.term_start + datetime.timedelta(days=729)
            changed.append(reserve)
        Reserve.objects.bulk_update(changed, ["nomination", "round", "start_date", "term_number", "term_start",
                                              "term_end"], batch_size=1000)

    def negative_list(self, town: Town, round_id: int) -> dict:
        """The round's 负面清单 (vetting.negative_list.DEFAULT_ITEMS) with the town's departments of the same names;
        returns department id -> [(item id, number)]."""
        from vetting.models import NegativeItem
        from vetting.negative_list import DEFAULT_ITEMS

        by_name = {d.name: d for d in town.departments}
        items = NegativeItem.objects.bulk_create(
            [NegativeItem(round_id=round_id, number=number, text=text) for number, text, _names in DEFAULT_ITEMS])
        through = NegativeItem.departments.through
        rows, found = [], {}
        for item, (_n, _t, names) in zip(items, DEFAULT_ITEMS, strict=True):
            for name in names:
                if name in by_name:
                    rows.append(through(negativeitem_id=item.pk, department_id=by_name[name].pk))
                    found.setdefault(by_name[name].pk, []).append((item.pk, item.number))
        through.objects.bulk_create(rows)
        return found

    # -- one nomination and its chain of events
    def nomination(self, ctx: RoundContext, village, status: str, reserve=None) -> dict:
        from candidates.models import Nomination, Person
        from reserve.choices import Education, PoliticalStatus

        rng, writer, town = self.rng, self.writer, ctx.town
        branch = town.village_users[village.pk]
        office = town.office
        self.nominations += 1
        if reserve is not None:
            person = reserve.person
            name = reserve.name
        else:
            male = rng.random() < 0.6
            age = rng.randint(20, 33)
            birth = datetime.date(ctx.year - age, rng.randint(1, 12), rng.randint(1, 28))
            name = rng.choice(pool_pages.SURNAMES) + rng.choice(pool_pages.GIVEN)
            person = Person(name=name, gender="M" if male else "F", birth_date=birth,
                            id_number=pool_pages._id_number(birth, male, self.used_ids, area=AREA))
            self.people.append(person)
        party = rng.random() < 0.6
        edu = rng.choice((Education.HIGH_SCHOOL, Education.COLLEGE, Education.BACHELOR, Education.BACHELOR))
        # The dates of its steps, in the order of the round's stages.
        created = self.between(ctx.nomination_start, ctx.nomination_end - datetime.timedelta(days=3))
        steps = self.steps(ctx, status, created)
        last_at = steps[-1][1]
        nomination_id = writer.next_id(Nomination)
        row = dict(
            id=nomination_id, round_id=ctx.round_id, village_id=village.pk, person_id=None, name=name, status=status,
            ethnicity="汉族", native_place="浙江", birthplace=village.name, political_status=(
                PoliticalStatus.PARTY_MEMBER if party else PoliticalStatus.MASSES),
            party_join_date=None, work_start_date=None, health="健康", hukou_village_id=village.pk,
            hukou_address=f"{village.name}{rng.randint(1, 12)}组{rng.randint(1, 80)}号", fulltime_education=edu,
            fulltime_school="浙江农林大学 农业经济管理" if edu >= Education.COLLEGE else "", inservice_education=None,
            work_unit_post=rng.choice(("村民", "个体经营户", "家庭农场主", "合作社负责人", "村文书", "网格员")),
            phone=f"13{rng.randint(100000000, 999999999)}", speciality=rng.choice(("电子商务", "农业技术", "财务", "")),
            awards_punishments="", statement="热爱农村工作，熟悉村情民意，愿意为村集体经济发展出力。" * 3,
            is_eligible=True, eligibility=[],  # evaluated in write_nominations
            created_by_id=branch.pk, created_at=self.at(created), updated_at=last_at,
            submitted_at=next((when for action, when, *_r in steps if action == "submit"), None),
            relaxation_category="", relaxation_note="", relaxation_decided="", relaxation_reason="",
            relaxation_approved_by="", id_card_copy=f"id_cards/{ctx.year}/idcard-{nomination_id}.png",
        )
        if party:
            row["party_join_date"] = datetime.date(max(person.birth_date.year + 19, ctx.year - 8), 7, 1)
        self.pending_nominations.append((row, person))
        for action, when, from_status, to_status, actor in steps:
            self.event(Nomination, nomination_id, action, branch if actor == "branch" else (actor or office), when,
                       from_status=from_status, to_status=to_status)
        info = {"id": nomination_id, "status": status, "village": village, "name": name, "person": person,
                "edu": edu, "party": party, "work": row["work_unit_post"], "steps": steps, "reserve": reserve}
        if status in DISPATCHED:
            self.requests(ctx, info)
        return info

    def steps(self, ctx: RoundContext, status: str, created: datetime.date) -> list:
        """The events that bring a nomination from its creation to `status`: (action, moment, from, to, actor),
        actor None for the office, "branch" for the village's account."""
        rng = self.rng
        out = [("create", self.at(created), "", "draft", "branch")]
        day = created
        for _k in range(rng.randint(0, 2)):
            day = self.between(day, ctx.nomination_end - datetime.timedelta(days=2))
            out.append(("update", self.at(day), "draft", "draft", "branch"))
        if status == "draft":
            return out
        if status == "withdrawn":
            day = self.between(day, ctx.nomination_end)
            out.append(("withdraw", self.at(day), "draft", "withdrawn", "branch"))
            return out
        day = self.between(day, ctx.nomination_end)
        out.append(("submit", self.at(day), "draft", "submitted", "branch"))
        if status == "submitted":
            return out
        day = self.between(day + datetime.timedelta(days=1), day + datetime.timedelta(days=6))
        if status == "returned":
            out.append(("return", self.at(day), "submitted", "returned", None))
            return out
        if status == "revoked":
            out.append(("revoke", self.at(day), "submitted", "revoked", None))
            return out
        out.append(("accept", self.at(day), "submitted", "accepted", None))
        if status == "accepted":
            return out
        day = self.between(max(day, ctx.review_start), min(ctx.review_end, ctx.review_start
                                                                  + datetime.timedelta(days=10)))
        out.append(("dispatch", self.at(day), "accepted", "vetting", None))
        ctx.dispatched_on = day
        return out

    def summary(self, ctx: RoundContext, nid: int, rows: list) -> None:
        """The ledger's summary of a nomination's requests (vetting.services.refresh_summary's rule)."""
        from vetting.models import VettingSummary

        if not rows:
            return
        open_ = [r for r in rows if r["status"] == "pending"]
        self.writer.add(VettingSummary, dict(
            nomination_id=nid, round_id=ctx.round_id, open_count=len(open_),
            problem_count=sum(1 for r in rows if r["status"] != "pending" and r["flagged"]),
            next_deadline=min((r["deadline"] for r in open_), default=None)))

    def requests(self, ctx: RoundContext, info: dict) -> None:
        """The departments' requests of a dispatched nomination, their answers and findings, and the nomination's
        events from its answers to its status (vetted, disqualified, inspection …)."""
        from candidates.models import Nomination
        from vetting.models import Finding, VettingRequest

        rng, writer, town = self.rng, self.writer, ctx.town
        status, nid = info["status"], info["id"]
        dispatched_at = info["steps"][-1][1]
        start = dispatched_at.date()
        end = min(ctx.review_end, self.today) if status == "vetting" else min(
            start + datetime.timedelta(days=20), ctx.inspection_start - datetime.timedelta(days=1)
            if status in INSPECTED else ctx.review_end)
        end = max(end, start)
        departments = town.departments
        if status == "vetting":
            answered = [rng.random() < ANSWER_RATE_OPEN for _d in departments]
        elif status == "disqualified":
            answered = [rng.random() < 0.8 for _d in departments]
        else:
            answered = [True] * len(departments)
        if status == "disqualified":  # one department's flag, confirmed by the office
            confirm_at = rng.randrange(len(departments))
            answered[confirm_at] = True
        last = dispatched_at
        flags = 0
        made = []
        for k, department in enumerate(departments):
            clerk = town.department_users[department.pk]
            row = dict(nomination_id=nid, department_id=department.pk, deadline=ctx.review_end, status="pending",
                       flagged=False, conclusion="", signed_by_id=None, signed_at=None, decision="",
                       decision_reason="", decided_by_id=None, decided_at=None, reminder_count=0,
                       last_reminded_at=None, proxy_entered_by_id=None, paper_answer="", paper_signer="",
                       paper_date=None, version=1, created_at=dispatched_at)
            request_id = writer.next_id(VettingRequest)
            row["id"] = request_id
            if answered[k]:
                signed = self.at(self.between(start, end))
                signed = max(signed, dispatched_at + datetime.timedelta(minutes=5))
                flagged = (status == "disqualified" and k == confirm_at) or (
                    status not in ("disqualified",) and rng.random() < FLAG_RATE)
                items = ctx.items.get(department.pk, [])
                flagged_number = items[0][1] if flagged and items else None
                row.update(status="answered", flagged=flagged and bool(items), signed_by_id=clerk.pk, signed_at=signed,
                           version=2, conclusion=(f"经审查，存在负面清单第{flagged_number}项所列情形。"
                                                  if flagged_number else "经审查，未发现负面清单所列情形。"))
                for item_id, number in items:
                    writer.add(Finding, dict(request_id=request_id, item_id=item_id,
                                             outcome="flagged" if number == flagged_number else "clear",
                                             note="经查，本人存在该情形。" if number == flagged_number else "",
                                             attachment=""))
                self.event(Nomination, nid, "vetting_answer", clerk, signed, from_status="vetting",
                           to_status="vetting", data={"department": department.name,
                                                      "flagged": [flagged_number] if flagged_number else []})
                last = max(last, signed)
                if row["flagged"]:
                    flags += 1
                    decided = signed + datetime.timedelta(hours=rng.randint(2, 72))
                    if status == "vetting" and decided < self.now and rng.random() < 0.5 or status != "vetting":
                        decided = min(decided, self.now - datetime.timedelta(minutes=2))
                        decision = "confirmed" if status == "disqualified" else "overruled"
                        row.update(status="locked", decision=decision, decided_by_id=town.office.pk, decided_at=decided,
                                   decision_reason="经核实，不影响人选资格。" if decision == "overruled" else
                                   "经核实，情况属实。", version=3)
                        if decision == "overruled":
                            self.event(Nomination, nid, "vetting_overrule", town.office, decided,
                                       from_status="vetting", to_status="vetting", reason=row["decision_reason"],
                                       data={"department": department.name})
                        last = max(last, decided)
                if status != "vetting" and row["status"] == "answered":
                    row.update(status="locked", version=row["version"] + 1)
            writer.add(VettingRequest, row)
            made.append(row)
        self.summary(ctx, nid, made)
        # The nomination's own steps after its vetting.
        step = last + datetime.timedelta(minutes=30)
        office = town.office
        if status == "vetting":
            return
        if status == "disqualified":
            self.event(Nomination, nid, "disqualify", office, min(step, self.now), from_status="vetting",
                       to_status="disqualified", reason="经联审部门审查并核实，存在负面清单所列情形。")
            return
        self.event(Nomination, nid, "vet_clear", office, min(step, self.now), from_status="vetting",
                   to_status="vetted")
        if status == "vetted":
            return
        day = self.between(max(step.date(), ctx.inspection_start), ctx.inspection_start
                          + datetime.timedelta(days=5))
        info["inspection_on"] = day
        self.event(Nomination, nid, "start_inspection", office, self.at(day), from_status="vetted",
                   to_status="inspection")

    # -- inspection, the committee and the notices, by village
    def inspection(self, ctx: RoundContext, per_village: dict) -> None:
        from candidates.models import Nomination
        from inspection.models import (
            AppraisalSession,
            CommitteeDecision,
            CommitteeMeeting,
            InspectionReport,
            Talk,
            Tally,
        )
        from reserve.choices import TalkCategory

        rng, writer, town, office = self.rng, self.writer, ctx.town, ctx.town.office
        meeting_day = min(ctx.inspection_end - datetime.timedelta(days=3), self.today - datetime.timedelta(days=4))
        meeting_id = None
        for village in town.villages:
            inspected = [n for n in per_village.get(village.pk, []) if n["status"] in INSPECTED]
            if not inspected:
                continue
            session_day = max(n["inspection_on"] for n in inspected) + datetime.timedelta(days=2)
            session_day = min(session_day, self.today - datetime.timedelta(days=6))
            session_id = writer.add(AppraisalSession, dict(
                round_id=ctx.round_id, village_id=village.pk, date=session_day, place=f"{village.name}村委会会议室",
                options=["优秀", "称职", "基本称职", "不称职"], pass_options=2, entitled_party_member=40,
                entitled_villager_rep=30, entitled_committee=0, repeat_reason="", recorded_by_id=office.pk,
                created_at=self.at(session_day)))
            self.event(AppraisalSession, session_id, "session_create", office, self.at(session_day))
            for n in inspected:
                nid = n["id"]
                for c, category in enumerate(TalkCategory.values):
                    talk_day = min(n["inspection_on"] + datetime.timedelta(days=1), self.today)
                    writer.add(Talk, dict(nomination_id=nid, date=talk_day, place=f"{village.name}村委会",
                                          talkers="组织办 周敏、刘强", interviewee=f"谈话对象{c + 1}",
                                          category=category, content="该同志政治立场坚定，群众基础较好，工作积极主动。",
                                          recorded_by_id=office.pk, recorded_at=self.at(talk_day)))
                    self.event(Nomination, nid, "talk", office, self.at(talk_day), from_status="inspection",
                               to_status="inspection", data={"interviewee": f"谈话对象{c + 1}", "category": category})
                for category, issued in (("party_member", 40), ("villager_rep", 30)):
                    returned = issued - rng.randint(0, 3)
                    good = returned - rng.randint(0, 4)
                    writer.add(Tally, dict(session_id=session_id, nomination_id=nid, category=category, issued=issued,
                                           returned=returned, valid=returned,
                                           counts=[good - 5, 5, returned - good, 0], qualities={}))
                    self.event(Nomination, nid, "appraisal_tally", office, self.at(session_day),
                               from_status="inspection", to_status="inspection",
                               data={"session": session_id, "category": category, "issued": issued,
                                     "returned": returned})
                writer.add(InspectionReport, dict(
                    nomination_id=nid, text=f"{n['name']}同志，{n['village'].name}人。" + "考察组通过个别谈话、民主测评等方式进行了考察。" * 5,
                    inspectors="周敏、刘强", report_date=session_day, updated_by_id=office.pk,
                    updated_at=self.at(session_day)))
                self.event(Nomination, nid, "report", office, self.at(session_day), from_status="inspection",
                           to_status="inspection", data={"created": True})
                n["proposed_at"] = self.at(session_day + datetime.timedelta(days=1))
                if n["status"] == "inspection":
                    continue
                if n["status"] == "rejected" and rng.random() < 0.5:
                    self.event(Nomination, nid, "fail_inspection", office, n["proposed_at"],
                               from_status="inspection", to_status="rejected", reason="民主测评未达到通过比例。")
                    continue
                self.event(Nomination, nid, "propose", office, n["proposed_at"], from_status="inspection",
                           to_status="proposed")
                if n["status"] == "proposed":
                    continue
                if meeting_id is None:
                    meeting_id = writer.add(CommitteeMeeting, dict(
                        round_id=ctx.round_id, date=meeting_day, attendees="孙书记、李镇长、周敏、刘强、王建华",
                        members_total=7, members_present=6, minutes_ref=f"党委会〔{ctx.year}〕12号",
                        recorded_by_id=office.pk, created_at=self.at(meeting_day)))
                    self.event(CommitteeMeeting, meeting_id, "meeting_create", office, self.at(meeting_day),
                               data={"date": meeting_day.isoformat(), "members_total": 7, "members_present": 6,
                                     "quorum_met": True})
                outcome = "reject" if n["status"] == "rejected" else "approve"
                writer.add(CommitteeDecision, dict(meeting_id=meeting_id, nomination_id=nid, outcome=outcome,
                                                   reason="综合考察情况，暂不确定。" if outcome == "reject" else "",
                                                   quota_reason="", quota_numbers={}))
                n["approved_at"] = self.at(meeting_day)
                self.event(Nomination, nid, outcome, town.committee, n["approved_at"], from_status="proposed",
                           to_status="rejected" if outcome == "reject" else "approved",
                           reason="综合考察情况，暂不确定。" if outcome == "reject" else "")

    def widen_notice(self, ctx: RoundContext, per_village: dict) -> None:
        """Town 1's open round: the first village's notice lists largest_notice people (the issue's office notice
        page of 30): enough of that village's nominations are moved to 公示中 before their events are written."""
        first = per_village.get(self.notice_village, [])
        have = sum(n["status"] == "publicised" for n in first)
        for n in first:
            if have >= self.scale.largest_notice:
                break
            if n["status"] == "vetted" and n["id"] not in self.retargeted:
                self.retarget(ctx, n, "publicised")
                have += 1

    def retarget(self, ctx: RoundContext, n: dict, status: str) -> None:
        """A vetted nomination of town 1 taken on to `status` (its events after vet_clear are written then)."""
        from candidates.models import Nomination

        self.retargeted.add(n["id"])
        n["status"] = status
        for row, _person in self.pending_nominations:
            if row["id"] == n["id"]:
                row["status"] = status
                break
        day = self.between(ctx.inspection_start, ctx.inspection_start + datetime.timedelta(days=5))
        n["inspection_on"] = day
        self.event(Nomination, n["id"], "start_inspection", ctx.town.office, self.at(day), from_status="vetted",
                   to_status="inspection")

    def publicity(self, ctx: RoundContext, per_village: dict) -> None:
        from candidates.models import Nomination
        from publicity.models import Notice, NoticeEntry, Objection
        from publicity.services import calendar_note, notice_body, publicity_period
        from reserve.choices import Education

        writer, town, office = self.writer, ctx.town, ctx.town.office
        round_obj = _RoundView(ctx)
        for village in town.villages:
            people = [n for n in per_village.get(village.pk, []) if n["status"] in ("publicised", "reserve")]
            if not people:
                continue
            start = ctx.publicity_start
            period = publicity_period(round_obj, start)
            entered = min(start, self.today)
            notice_id = writer.add(Notice, dict(
                round_id=ctx.round_id, village_id=village.pk, token=f"bench{ctx.round_id}v{village.pk}",
                title=f"关于{village.name}村级后备干部人选的公示",
                body=notice_body(round_=round_obj, village=village, period=period, contact_phone="0571-88880000",
                                 contact_address=f"{town.town.name}组织办"),
                start_date=period.start, end_date=period.end, days=period.days, day_kind=period.kind,
                calendar_note=calendar_note(period), issuer=town.town.party_committee_name, issue_date=entered,
                posted_on=None, entered_on=entered, contact_phone="0571-88880000",
                contact_address=f"{town.town.name}组织办", pdf="", published_by_id=office.pk,
                published_at=self.at(entered, 540)))
            published = self.at(entered, 540)
            self.event(Notice, notice_id, "notice_publish", office, published,
                       data={"village": village.name, "people": [n["name"] for n in people],
                             "start": str(period.start), "end": str(period.end), "days": str(period.label)})
            entries = []
            for order, n in enumerate(people, start=1):
                person = n["person"]
                entry_id = writer.add(NoticeEntry, dict(
                    notice_id=notice_id, nomination_id=n["id"], order=order, name=n["name"],
                    gender="男" if person.gender == "M" else "女",
                    birth_month=f"{person.birth_date.year}.{person.birth_date.month:02d}",
                    education=str(Education(n["edu"]).label), political_status="中共党员" if n["party"] else "群众",
                    work_unit_post=n["work"], withdrawn_on=None))
                entries.append(entry_id)
                self.event(Nomination, n["id"], "publish", office, published, from_status="approved",
                           to_status="publicised", data={"notice": notice_id, "start": str(period.start),
                                                         "end": str(period.end)})
                if n["status"] == "reserve":
                    confirm_day = min(period.end + datetime.timedelta(days=3), self.today)
                    self.event(Nomination, n["id"], "confirm_reserve", office, self.at(confirm_day),
                               from_status="publicised", to_status="reserve")
                    self.confirmed.append((n, ctx, confirm_day))
            # An objection on every fourth notice (one concluded, not upheld), and on the largest notice.
            if notice_id % 4 == 0 or (not ctx.closed and village.pk == self.notice_village):
                received = self.at(min(period.start + datetime.timedelta(days=1), self.today))
                concluded = ctx.closed
                writer.add(Objection, dict(
                    notice_id=notice_id, entry_id=entries[0], receipt=f"YY{received:%Y%m%d}-B{notice_id:05d}",
                    channel="phone", content="反映该同志曾有违规建房情况，请核实。", name="", phone="",
                    received_at=received, is_late=False, is_early=False,
                    status="not_upheld" if concluded else "open", recorded_by_id=office.pk,
                    verified_by="组织办 周敏" if concluded else "", verification="经实地核实，反映情况不属实。" if concluded else "",
                    verified_at=received + datetime.timedelta(days=1) if concluded else None,
                    conclusion_reason="反映情况不属实。" if concluded else "",
                    concluded_by_id=office.pk if concluded else None,
                    concluded_at=received + datetime.timedelta(days=1) if concluded else None, decision_reason="",
                    decided_by_id=None, decided_at=None, version=2 if concluded else 1))
                self.event(Nomination, people[0]["id"], "objection", office, received, from_status="publicised",
                           to_status="publicised", data={"receipt": f"YY{received:%Y%m%d}-B{notice_id:05d}",
                                                         "late": False, "early": False})

    # -- events and their audit rows
    def event(self, model, object_id, action, actor, when, *, from_status="", to_status="", reason="", data=None):
        from reserve.models import AuditEntry, Event

        ct = self.ct[model]
        if model not in self.labels:
            self.labels[model] = str(model._meta.verbose_name)
        self.writer.add(Event, dict(content_type_id=ct.pk, object_id=object_id, action=action, actor_id=actor.pk,
                                    at=when, from_status=from_status, to_status=to_status, reason=reason,
                                    data=data or {}))
        self.writer.add(AuditEntry, dict(
            at=when, action=self.audit_action(action), user_id=actor.pk, username=actor.username,
            roles=self.role_of(actor), address=f"10.{actor.pk % 250}.{actor.pk % 7}.{10 + actor.pk % 200}",
            path=self.path_of(model, object_id, action), content_type_id=ct.pk, object_id=str(object_id),
            object_repr=f"{self.labels[model]} #{object_id}",
            detail=self.event_detail(action=action, from_status=from_status, to_status=to_status, reason=reason,
                                      data=data)))

    def role_of(self, user) -> str:
        if user.pk not in self.roles:
            self.roles[user.pk] = ",".join(sorted(user.groups.values_list("name", flat=True)))
        return self.roles[user.pk]

    @staticmethod
    def path_of(model, object_id, action) -> str:
        name = model._meta.model_name
        if name == "nomination":
            return f"/nominations/{object_id}/{action}/"
        return f"/{name}s/{object_id}/"

    def audit_extras(self, towns: list[Town]) -> None:
        """Sign-ins and views: audit_extra rows a nomination, spread over the accounts and the last two years."""
        from reserve.models import AuditEntry, User

        total = self.nominations * self.scale.audit_extra
        users = list(User.objects.exclude(username=SUPERUSER).order_by("pk"))
        rng = self.rng
        span = 730 * 24 * 60
        for k in range(int(total)):
            user = users[rng.randrange(len(users))]
            when = self.now - datetime.timedelta(minutes=rng.randint(5, span))
            login = k % 4 != 3
            self.writer.add(AuditEntry, dict(
                at=when, action="login" if login else "view", user_id=user.pk, username=user.username,
                roles=self.role_of(user), address=f"10.{user.pk % 250}.{user.pk % 7}.{10 + user.pk % 200}",
                path="/accounts/login/" if login else "/nominations/", content_type_id=None, object_id="",
                object_repr="", detail={} if login else {"what": "id_number"}))


@dataclass
class RoundContext:
    town: Town
    round_id: int
    year: int
    closed: bool
    items: dict
    nomination_start: datetime.date
    nomination_end: datetime.date
    review_start: datetime.date
    review_end: datetime.date
    inspection_start: datetime.date
    inspection_end: datetime.date
    publicity_start: datetime.date
    age_reference_date: datetime.date
    dispatched_on: datetime.date | None = None



class _RoundView:
    """What publicity's period and body read of a round (its town, its publicity parameters)."""

    def __init__(self, ctx: RoundContext):
        self.town = ctx.town.town
        self.town_id = ctx.town.town.pk
        self.publicity_days = 5
        self.publicity_day_kind = "working"
        self.public_list_days = 3


# ----------------------------------------------------------------------------------------------- running it


def generated() -> bool:
    """Whether this database holds a county an earlier run generated (its superuser is the last account made)."""
    from reserve.models import User

    return User.objects.filter(username=SUPERUSER).exists()


def table_counts() -> dict[str, int]:
    """The rows of every table of the app's models (the county's size, printed and kept in the report)."""
    from django.apps import apps

    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in ("reserve", "candidates", "vetting", "inspection", "publicity", "training",
                                     "cultivation", "assessment"):
            counts[model._meta.db_table] = model.objects.count()
    return counts


def generate(scale_name: str, *, verbose: bool = True) -> tuple[County, float]:
    """Generate the county at this scale in the (migrated, empty) database; returns the generator and seconds."""
    from django.db import connection

    t0 = time.perf_counter()
    county = County(SCALES[scale_name], verbose=verbose)
    county.build()
    if connection.vendor == "postgresql":
        t1 = time.perf_counter()
        with connection.cursor() as cursor:
            # VACUUM as well as ANALYZE: a database that has settled (autovacuum has run since the rows were
            # written) has its visibility map set, so an index-only scan reads no table page
            cursor.execute("VACUUM (ANALYZE)")
        county.timings.append(("VACUUM (ANALYZE)", time.perf_counter() - t1))
    return county, time.perf_counter() - t0


def report(county: County, seconds: float) -> str:
    lines = [f"# generated in {seconds:.0f} s", "", "| table | rows written here | COPY/insert s |", "|---|---:|---:|"]
    for name, n in sorted(county.writer.counts.items(), key=lambda x: -x[1]):
        lines.append(f"| {name} | {n:,} | {county.writer.seconds.get(name, 0):.1f} |")
    lines += ["", "| step | s |", "|---|---:|"]
    lines += [f"| {step} | {s:.1f} |" for step, s in county.timings]
    lines.append(f"| people (bulk_create, ID numbers encrypted) | {getattr(county, 'seconds_people', 0):.1f} |")
    lines += ["", "| table (all rows) | rows |", "|---|---:|"]
    lines += [f"| {name} | {n:,} |" for name, n in sorted(table_counts().items(), key=lambda x: -x[1]) if n]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--reuse", action="store_true", help="a database that holds a county already: keep it")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL to a database of the benchmark's own (it is filled with a generated county).",
              file=sys.stderr)
        return 2
    pool_pages.setup_django()
    from django.core.management import call_command

    if pool_pages.has_data():
        if not args.reuse:
            print("The database holds data: give an empty database, or --reuse to keep the county an earlier run "
                  "generated there.", file=sys.stderr)
            return 2
        call_command("migrate", verbosity=0)
        if generated():
            print("# reusing the county generated earlier in this database", file=sys.stderr)
            return 0
        print("The database holds data but no generated county.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    county, seconds = generate(args.scale)
    print(report(county, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
