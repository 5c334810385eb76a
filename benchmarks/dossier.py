"""Time the one-person file (一人一档) of a reserve with five years of records: the page and the A4 PDF.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dossier .venv/bin/python benchmarks/dossier.py \
        [--scale full] [--runs 5]

Builds, in the database DATABASE_URL names (it must be set, and hold no data), one town with a reserve who came
through a selection round five years ago and has been in the pool since — `--scale full`: the 自荐表 (8 résumé and
6 family rows, a relative on the 两委), 12 departments' vetting answers with 13 findings each, 8 individual talks,
an appraisal of three voter categories, a 2,000-character 考察材料, the committee's decision, the 公示 with two
objections; three terms (two renewals), a tier change, three mentors, 40 tasks, 12 meetings attended, 30 courses,
20 talks, 8 due talks, 5 annual assessments (one vetoed) and an adjustment; `--scale tiny` a few of each (the test
suite runs it: tests/dossier/test_benchmark_smoke.py). Rows are made directly (bulk), as the services leave them.
Then asks the page and the PDF with Django's test client as the town's office: the first request, the median and
the slowest of the next --runs, the queries of one request, Python's peak memory during one request (tracemalloc;
the PDF is laid out in a forked child, whose memory this does not see: the child's peak resident size is printed
apart, from getrusage), the CPU time of one request (this process's and the forked render's: the figure that does
not grow with the machine's load), the answer's size and the PDF's pages. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))


@dataclass(frozen=True)
class Scale:
    resume: int
    family: int
    departments: int
    items: int
    talks: int  # individual talks of the inspection
    tasks: int
    meetings: int
    courses: int
    heart_talks: int
    due_talks: int
    assessments: int  # one a year, the latest years
    objections: int
    report_chars: int


SCALES = {
    "tiny": Scale(resume=2, family=2, departments=2, items=3, talks=2, tasks=3, meetings=1, courses=3,
                  heart_talks=3, due_talks=1, assessments=3, objections=1, report_chars=200),
    "full": Scale(resume=8, family=6, departments=12, items=13, talks=8, tasks=40, meetings=12, courses=30,
                  heart_talks=20, due_talks=8, assessments=5, objections=2, report_chars=2000),
}

REPORT_SENTENCE = "该同志政治立场坚定，热爱农村工作，群众基础较好，能够完成组织交办的各项任务。"


@dataclass
class Built:
    reserve: object
    office: object
    committee: object
    counts: dict = field(default_factory=dict)


def _at(day: datetime.date, hour: int = 10):
    from django.utils import timezone

    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=timezone.get_current_timezone())


def build(scale: Scale, *, town=None, office=None, committee=None, today: datetime.date | None = None,
          name: str = "王建华") -> Built:
    """One reserve of `town` (made if not given) with the records of `scale` over five years before `today`."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from assessment.models import Adjustment, Assessment, AssessmentRound, Grade
    from candidates.models import CommitteeRelative, FamilyMember, Nomination, Person, ResumeEntry, Round
    from cultivation.models import Course, DueTalk, Enrolment, HeartTalk, MeetingAttendance, TalkKind, Task
    from cultivation.models import Grade as TaskGrade
    from inspection.models import AppraisalSession, CommitteeDecision, CommitteeMeeting, InspectionReport, Talk, Tally
    from publicity.models import Notice, NoticeEntry, Objection
    from reserve import idnumber
    from reserve.choices import Education, PoliticalStatus, TalkCategory, VoterCategory
    from reserve.models import Department, Event, Town, User, Village
    from reserve.roles import Role
    from training.models import Mentorship, PoolTerm, Reserve, Tier
    from vetting.models import Finding, NegativeItem, VettingRequest
    from vetting.services import refresh_summary

    today = today or timezone.localdate()
    D = datetime.timedelta
    start = today - D(days=5 * 365 + 40)  # entered the pool five years and some weeks ago
    selection = start - D(days=90)  # the selection round before it
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}

    def user(username, role, **kw):
        u = User.objects.create(username=username, full_name=kw.pop("full_name", username), **kw)
        u.groups.add(groups[role])
        return u

    with transaction.atomic():
        if town is None:
            town = Town.objects.create(name="基准档案镇", party_committee_name="中共基准档案镇委员会")
        suffix = f"{town.pk}_{Reserve.objects.count()}"
        office = office or user(f"dossier_office_{suffix}", Role.OFFICE, town=town, full_name="组织办李敏")
        committee = committee or user(f"dossier_committee_{suffix}", Role.COMMITTEE, town=town, full_name="党委孙书记")
        mentors = [user(f"dossier_mentor_{suffix}_{i}", Role.MENTOR, town=town, full_name=f"引路人{i + 1}")
                   for i in range(3)]
        village = Village.objects.create(town=town, name=f"档案{suffix}村", order=99)
        birth = datetime.date(today.year - 33, 3, 14)
        first17 = f"330781{birth:%Y%m%d}{(Person.objects.count() * 2 + 1) % 1000:03d}"
        person = Person.objects.create(name=name, gender="M", birth_date=birth,
                                       id_number=first17 + idnumber.check_char(first17))
        round_ = Round.objects.create(
            town=town, year=selection.year, name=f"{selection.year}年村级后备干部选拔{suffix}",
            age_reference_date=selection, nomination_start=selection, nomination_end=selection + D(10),
            review_start=selection + D(11), review_end=selection + D(25), inspection_start=selection + D(26),
            inspection_end=selection + D(50), publicity_start=selection + D(60), status=Round.Status.CLOSED)
        nomination = Nomination.objects.create(
            round=round_, village=village, person=person, name=name, status="reserve", ethnicity="汉族",
            native_place="浙江兰溪", political_status=PoliticalStatus.PARTY_MEMBER, hukou_village=village,
            fulltime_education=Education.BACHELOR, work_unit_post="村委会委员", phone="13800001111",
            statement="本人热爱农村工作，" * 20, created_by=office, is_eligible=True,
            submitted_at=_at(selection + D(3)))
        ResumeEntry.objects.bulk_create([
            ResumeEntry(nomination=nomination, start=datetime.date(selection.year - 2 * (scale.resume - i), 9, 1),
                        end=datetime.date(selection.year - 2 * (scale.resume - i) + 2, 7, 1) if i < scale.resume - 1
                        else None, unit_post=f"简历单位{i + 1}及职务")
            for i in range(scale.resume)])
        FamilyMember.objects.bulk_create([
            FamilyMember(nomination=nomination, relation=("父亲", "母亲", "妻子", "儿子", "女儿", "哥哥")[i % 6],
                         name=f"家属{i + 1}", birth_date=datetime.date(1960 + i, 1, 1),
                         political_status=PoliticalStatus.MASSES, work_unit_post="务农")
            for i in range(scale.family)])
        CommitteeRelative.objects.create(nomination=nomination, cadre=None, cadre_name="王大伟（村委会主任）",
                                         relation="叔侄")
        departments = Department.objects.bulk_create([
            Department(town=town, name=f"审查部门{suffix}_{i + 1}", order=i) for i in range(scale.departments)])
        items = NegativeItem.objects.bulk_create([
            NegativeItem(round=round_, number=i + 1, text=f"负面清单第{i + 1}项") for i in range(scale.items)])
        requests = VettingRequest.objects.bulk_create([
            VettingRequest(nomination=nomination, department=d, deadline=selection + D(25), status="locked",
                           flagged=(i == 0), conclusion="" if i else "反映曾有轻微违章，已整改。",
                           decision="overruled" if i == 0 else "", decision_reason="情节轻微，不予采纳。" if i == 0 else "",
                           signed_by=office, signed_at=_at(selection + D(15 + i % 5)))
            for i, d in enumerate(departments)])
        Finding.objects.bulk_create([
            Finding(request=r, item=item, outcome="flagged" if (ri == 0 and ii == 0) else "clear",
                    note="违章建房，已拆除。" if (ri == 0 and ii == 0) else "")
            for ri, r in enumerate(requests) for ii, item in enumerate(items)])
        refresh_summary(nomination)  # the ledger's per-nomination summary, as the vetting services keep it
        categories = TalkCategory.values
        Talk.objects.bulk_create([
            Talk(nomination=nomination, date=selection + D(30 + i), place="村部", talkers="赵组织委员、钱干事",
                 interviewee=f"谈话对象{i + 1}", category=categories[i % len(categories)],
                 content="保密的谈话内容。", recorded_by=office) for i in range(scale.talks)])
        session = AppraisalSession.objects.create(round=round_, village=village, date=selection + D(40), place="村部",
                                                  entitled_party_member=30, entitled_villager_rep=20,
                                                  entitled_committee=5, recorded_by=office)
        for category, (issued, returned, valid, counts) in zip(VoterCategory.values, (
                (30, 28, 27, [18, 6, 2, 1]), (20, 19, 19, [12, 5, 2, 0]), (5, 5, 5, [4, 1, 0, 0])), strict=False):
            Tally.objects.create(session=session, nomination=nomination, category=category, issued=issued,
                                 returned=returned, valid=valid, counts=counts)
        text = (REPORT_SENTENCE * (scale.report_chars // len(REPORT_SENTENCE) + 1))[:scale.report_chars]
        InspectionReport.objects.create(nomination=nomination, text=text, inspectors="赵组织委员、钱干事",
                                        report_date=selection + D(45), updated_by=office)
        meeting = CommitteeMeeting.objects.create(round=round_, date=selection + D(52), attendees="孙书记、李镇长等",
                                                  members_total=7, members_present=6, recorded_by=office)
        CommitteeDecision.objects.create(meeting=meeting, nomination=nomination, outcome="approve")
        notice = Notice.objects.create(
            round=round_, village=village, title=f"{village.name}村级后备干部人选公示", body="公示正文。",
            start_date=selection + D(60), end_date=selection + D(66), days=5, issuer="中共基准镇委员会组织办公室",
            issue_date=selection + D(60), entered_on=selection + D(60), contact_phone="0579-1234567",
            contact_address="镇政府", published_by=office)
        entry = NoticeEntry.objects.create(notice=notice, nomination=nomination, name=name, gender="男",
                                           birth_month=f"{birth:%Y.%m}", education="大学本科",
                                           political_status="中共党员", work_unit_post="村委会委员")
        Objection.objects.bulk_create([
            Objection(notice=notice, entry=entry, receipt=f"YY{suffix}{i:03d}", channel="phone",
                      content="反映人的私密内容", name="反映人", received_at=_at(selection + D(61 + i)),
                      status="not_upheld", concluded_at=_at(selection + D(64)), recorded_by=office)
            for i in range(scale.objections)])

        term = PoolTerm.objects.create(town=town, name=f"{start.year}—{start.year + 6}年度人才库", start=start.replace(day=1))
        term_starts = [start, start + D(730), start + D(1460)]
        reserve = Reserve.objects.create(
            town=town, term=term, person=person, name=name, tier=Tier.THIRD, village=village, status="active",
            source=Reserve.Source.SELECTION, nomination=nomination, round=round_, gender="M", birth_date=birth,
            political_status=PoliticalStatus.PARTY_MEMBER, party_join_date=datetime.date(birth.year + 22, 7, 1),
            education=Education.BACHELOR, fulltime_education=Education.BACHELOR, post="村委会委员",
            meets_conditions=True, start_date=start, term_start=term_starts[-1],
            term_end=term_starts[-1] + D(729), term_number=3, mentor=mentors[-1], tier_since=start + D(400),
            last_talk_on=today - D(20))
        ct = ContentType.objects.get_for_model(Reserve)
        events = [Event(content_type=ct, object_id=reserve.pk, action="confirm_reserve", actor=office,
                        to_status="active")]
        for n in (1, 2):
            events.append(Event(content_type=ct, object_id=reserve.pk, action="renew_reserve", actor=office,
                                from_status="active", to_status="active", data={
                                    "old_term": {"start": term_starts[n - 1].isoformat(),
                                                 "end": (term_starts[n - 1] + D(729)).isoformat(), "number": n},
                                    "new_term": {"start": term_starts[n].isoformat(),
                                                 "end": (term_starts[n] + D(729)).isoformat(), "number": n + 1}}))
        events.append(Event(content_type=ct, object_id=reserve.pk, action="change_tier", actor=office,
                            from_status="active", to_status="active", reason="党委会研究调整",
                            data={"old_tier_label": "村级后备干部", "new_tier_label": "第三梯队（村、社区书记后备干部）"}))
        made = Event.objects.bulk_create(events)
        for event, day in zip(made, (start, term_starts[1], term_starts[2], start + D(400)), strict=True):
            Event.objects.filter(pk=event.pk).update(at=_at(day))
        nct = ContentType.objects.get_for_model(Nomination)
        steps = (("submit", "submitted", 3), ("accept", "accepted", 8), ("dispatch", "vetting", 12),
                 ("vet_clear", "vetted", 22), ("start_inspection", "inspection", 26), ("propose", "proposed", 48),
                 ("approve", "approved", 52), ("publish", "publicised", 60), ("confirm_reserve", "reserve", 90))
        made = Event.objects.bulk_create([Event(content_type=nct, object_id=nomination.pk, action=a, actor=office,
                                                to_status=s) for a, s, _d in steps])
        for event, (_a, _s, d) in zip(made, steps, strict=True):
            Event.objects.filter(pk=event.pk).update(at=_at(selection + D(d)))
        Mentorship.objects.bulk_create([
            Mentorship(reserve=reserve, mentor=m, start=start + D(20 + i * 600),
                       end=None if i == len(mentors) - 1 else start + D(20 + (i + 1) * 600),
                       basis="镇党委会研究确定", recorded_by=office) for i, m in enumerate(mentors)])
        span = (today - start).days - 30
        grades = [TaskGrade.EXCELLENT, TaskGrade.GOOD, TaskGrade.FAIR]
        Task.objects.bulk_create([
            Task(reserve=reserve, title=f"实践任务{i + 1}", content="任务内容", given_by="镇党委",
                 given_on=start + D(10 + i * span // max(scale.tasks, 1)),
                 due_on=start + D(40 + i * span // max(scale.tasks, 1)),
                 reported_on=start + D(35 + i * span // max(scale.tasks, 1)), result="已完成",
                 status=Task.Status.EVALUATED, grade=grades[i % 3], evaluated_by=office,
                 evaluated_on=start + D(38 + i * span // max(scale.tasks, 1)), recorded_by=office)
            for i in range(scale.tasks)])
        MeetingAttendance.objects.bulk_create([
            MeetingAttendance(reserve=reserve, date=start + D(15 + i * span // max(scale.meetings, 1)),
                              meeting=f"村两委会议{i + 1}", recorded_by=office) for i in range(scale.meetings)])
        kinds = Course.Kind.values
        courses = Course.objects.bulk_create([
            Course(town=town, kind=kinds[i % len(kinds)], title=f"培训班{i + 1}", organiser="镇党校",
                   start=start + D(25 + i * span // max(scale.courses, 1)),
                   end=start + D(27 + i * span // max(scale.courses, 1)), hours=16, recorded_by=office)
            for i in range(scale.courses)])
        Enrolment.objects.bulk_create([Enrolment(course=c, reserve=reserve, attended=(i % 7 != 6), recorded_by=office)
                                       for i, c in enumerate(courses)])
        talk_kinds = TalkKind.values
        talks = HeartTalk.objects.bulk_create([
            HeartTalk(reserve=reserve, held_at=_at(start + D(30 + i * span // max(scale.heart_talks, 1))),
                      place="镇政府", talker=f"引路人{i % 3 + 1}", kind=talk_kinds[i % len(talk_kinds)],
                      topic=f"谈心主题{i + 1}", content="谈心谈话的私密内容", recorded_by=office)
            for i in range(scale.heart_talks)])
        DueTalk.objects.bulk_create([
            DueTalk(reserve=reserve, kind=TalkKind.POST_CHANGE, reason=f"岗位调整{i + 1}",
                    arose_on=talks[i].held_at.date() - D(5), due_on=talks[i].held_at.date() + D(15),
                    talk=talks[i] if i else None) for i in range(min(scale.due_talks, len(talks)))])
        assessments = []
        for k in range(scale.assessments):
            year = today.year - scale.assessments + k
            round_a = AssessmentRound.objects.create(
                town=town, term=term, kind="annual", year=year, title=f"{year}年度后备干部考核",
                opened_on=datetime.date(year + 1, 1, 5), confirmed_on=datetime.date(year + 1, 1, 20),
                status="confirmed", items=[], bands=[], veto_reasons=["违纪违法"], top_percent={}, bottom_percent=10,
                sub_shares={}, opened_by=office)
            vetoed = k == 1 and scale.assessments > 2
            assessments.append(Assessment(
                round=round_a, reserve=reserve, kind="annual", year=year, tier=Tier.THIRD, status="confirmed",
                total=f"{88 + k}.50", grade=Grade.INCOMPETENT if vetoed else Grade.EXCELLENT if k % 2 else Grade.COMPETENT,
                rank=None if vetoed else k + 1, ranked_of=None if vetoed else 12, priority=bool(k % 2) and not vetoed,
                veto_reason="违纪违法" if vetoed else "", veto_note="酒驾被处理" if vetoed else "",
                veto_approver="孙书记" if vetoed else "", veto_on=datetime.date(year + 1, 1, 18) if vetoed else None,
                confirmed_by=office, confirmed_on=datetime.date(year + 1, 1, 20)))
        assessments = Assessment.objects.bulk_create(assessments)
        if scale.assessments > 2:
            Adjustment.objects.create(reserve=reserve, cause="veto", assessment=assessments[1], status="rejected",
                                      flagged_on=assessments[1].confirmed_on, reason="一票否决，提出调整",
                                      proposed_by=office, proposed_on=assessments[1].confirmed_on,
                                      decided_by=committee, decided_on=assessments[1].confirmed_on + D(10),
                                      decision_note="认错态度好，不予出库")
    return Built(reserve=reserve, office=office, committee=committee, counts={
        "tasks": scale.tasks, "courses": scale.courses, "talks": scale.heart_talks, "assessments": scale.assessments,
        "inspection talks": scale.talks, "departments": scale.departments})


# ----------------------------------------------------------------------------------------------- measuring


@dataclass
class Result:
    label: str
    first: float
    median: float
    slowest: float
    queries: int
    peak_kb: float
    size_kb: float
    pages: int | None = None
    cpu: float = 0.0  # CPU seconds of one request: this process's and its forked render's


def measure(built: Built, runs: int = 5, memory: bool = True) -> list[Result]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(built.office)
    results = []
    for label, url in (("一人一档（页面）", reverse("dossier:dossier", args=[built.reserve.pk])),
                       ("一人一档（A4 PDF）", reverse("dossier:dossier_pdf", args=[built.reserve.pk]))):
        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.content

        t0 = time.perf_counter()
        body = get()
        first = time.perf_counter() - t0
        times = []
        for _i in range(runs):
            t0 = time.perf_counter()
            get()
            times.append(time.perf_counter() - t0)
        queries = []

        def counted(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            c0, k0 = time.process_time(), _children_cpu()
            get()
            cpu = time.process_time() - c0 + _children_cpu() - k0
        peak = 0
        if memory:
            tracemalloc.start()
            try:
                tracemalloc.reset_peak()
                get()
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        pages = None
        if body.startswith(b"%PDF"):
            from pypdf import PdfReader

            pages = len(PdfReader(io.BytesIO(body)).pages)
        results.append(Result(label, first, statistics.median(times) if times else first,
                              max(times) if times else first, len(queries), peak / 1024, len(body) / 1024, pages,
                              cpu))
    return results


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def table(results: list[Result], counts: dict) -> str:
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    lines = ["# records: " + ", ".join(f"{k} {v}" for k, v in counts.items()), "",
             "| document | first ms | median ms | max ms | CPU ms | queries | peak KB (Python) | size KB | PDF pages |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.label} | {r.first * 1000:.0f} | {r.median * 1000:.0f} | {r.slowest * 1000:.0f} | "
                     f"{r.cpu * 1000:.0f} | {r.queries} | {r.peak_kb:,.0f} | {r.size_kb:.0f} | {r.pages or '—'} |")
    lines += ["", f"# peak resident size of the render's forked children: {children:,.0f} MB"]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc request")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL to a database of the benchmark's own (it is filled with generated records).",
              file=sys.stderr)
        return 2
    from benchmarks.pool_pages import has_data, header, setup_django

    setup_django()
    from django.core.management import call_command

    if has_data():
        print("The database holds data: give an empty database of the benchmark's own.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    built = build(SCALES[args.scale])
    results = measure(built, runs=args.runs, memory=not args.no_memory)
    print(header(args.scale, args.runs))
    print(table(results, built.counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
