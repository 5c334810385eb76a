"""The office's 公示 pages: who may open what, publishing through the page (stored PDF), the live
period, the stored PDF served as it is, objections through the pages, confirmation into the pool,
the town's working-day table, and the 自荐表 PDF."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import Nomination, Status
from publicity import services
from publicity.models import Notice, Objection
from reserve.choices import DayKind
from reserve.models import CalendarDay, Event
from training.models import Reserve

from ..factories import NominationFactory, PersonFactory, VillageFactory
from ..helpers import message_texts, page, status_of, today

pytestmark = pytest.mark.django_db

PHONE, ADDRESS = "0579-8888 1234", "青山镇人民政府三楼组织办"


def approved(round_, village, name, creator=None) -> Nomination:
    """Test set-up: a nomination the committee has approved (the vetting tests cover getting there)."""
    extra = {"created_by": creator} if creator else {}
    return NominationFactory(round=round_, village=village, approved=True,
                             person=PersonFactory(name=name), **extra)


def publish(office, round_, village, start=None, **dates) -> Notice:
    return services.notice_publish(
        actor=office, round_=round_, village=village, start_date=start, contact_phone=PHONE,
        contact_address=ADDRESS, public_url_for=lambda n: f"http://testserver/p/{n.token}/", **dates,
    )


def in_force_today(office, round_, village) -> Notice:
    """A notice in force today whatever the day of the week: a period of calendar days starting today (a period
    of working days published on a day off would start on the next working day)."""
    round_.publicity_day_kind = DayKind.CALENDAR
    round_.save(update_fields=["publicity_day_kind"])
    return publish(office, round_, village, today())


def posted(office, round_, village, days_ago) -> Notice:
    """A paper notice posted `days_ago` days ago and entered today (its period runs from the posting day)."""
    return publish(office, round_, village, posted_on=today() - datetime.timedelta(days=days_ago))


@pytest.fixture
def nom_a(round_, village_a, village_a_user):
    return approved(round_, village_a, "李明", village_a_user)


@pytest.fixture
def notice_a(fake_pdf, office, round_, village_a, nom_a):
    """Village A's notice, in force today."""
    return in_force_today(office, round_, village_a)


@pytest.fixture
def ended_notice(fake_pdf, office, round_, village_a, nom_a):
    """Village A's notice, posted on paper weeks ago (entered today): its period has ended."""
    return posted(office, round_, village_a, 42)


@pytest.fixture
def notice_b(fake_pdf, office, round_, village_b):
    approved(round_, village_b, "王芳")
    return in_force_today(office, round_, village_b)


@pytest.fixture
def objection_a(office, notice_a):
    return services.objection_record(actor=office, notice=notice_a, channel="phone", content="反映该同志有违建。",
                                     name="举报人甲", phone="13900000000", entry=notice_a.entries.get())


# ------------------------------------------------------------------------------ who may open what

def _pages(notice, objection):
    return {
        "notice_list": reverse("publicity:notice_list"),
        "notice_new": reverse("publicity:notice_new"),
        "notice_period": reverse("publicity:notice_period") + f"?round={notice.round_id}&start=2026-09-29",
        "notice_detail": reverse("publicity:notice_detail", args=[notice.pk]),
        "notice_pdf": reverse("publicity:notice_pdf", args=[notice.pk]),
        "objection_new": reverse("publicity:objection_new", args=[notice.pk]),
        "objection_detail": reverse("publicity:objection_detail", args=[objection.pk]),
        "calendar": reverse("publicity:calendar"),
    }


# name -> the roles that get 200; every other role of the town gets 403.
READERS = {"office", "committee", "village_a_user"}
ACCESS = {
    "notice_list": READERS | {"village_b_user"},
    "notice_new": {"office"},
    "notice_period": {"office"},
    "notice_detail": READERS,
    "notice_pdf": READERS,
    "objection_new": {"office"},
    "objection_detail": {"office"},
    "calendar": {"office"},
}
ROLES = ["office", "committee", "village_a_user", "village_b_user", "dept_x_user", "mentor"]


@pytest.mark.parametrize("name", sorted(ACCESS))
@pytest.mark.parametrize("user_fixture", ROLES)
def test_each_page_answers_each_role(request, client, notice_a, objection_a, name, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(_pages(notice_a, objection_a)[name])
    if user_fixture in ACCESS[name]:
        assert response.status_code == 200, (name, user_fixture)
    elif user_fixture == "village_b_user":
        # A village branch may open the notice pages, but not another village's notice: 404.
        expected = 404 if name in ("notice_detail", "notice_pdf") else 403
        assert response.status_code == expected, (name, user_fixture)
    else:
        assert response.status_code == 403, (name, user_fixture)


@pytest.mark.parametrize("name", ["notice_period", "notice_detail", "notice_pdf", "objection_new", "objection_detail"])
def test_another_towns_office_gets_404(client, notice_a, objection_a, other_office, name):
    client.force_login(other_office)
    assert client.get(_pages(notice_a, objection_a)[name]).status_code == 404


def test_another_towns_office_sees_none_of_the_notices(client, notice_a, other_office):
    client.force_login(other_office)
    response = client.get(reverse("publicity:notice_list"))
    assert response.status_code == 200
    assert f'data-notice="{notice_a.pk}"' not in page(response)


def test_anonymous_is_sent_to_sign_in(client, notice_a):
    response = client.get(reverse("publicity:notice_detail", args=[notice_a.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("user_fixture,expected", [
    ("committee", 403), ("village_a_user", 403), ("dept_x_user", 403), ("mentor", 403), ("other_office", 404),
])
def test_only_the_office_may_confirm(request, client, ended_notice, nom_a, user_fixture, expected):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.post(reverse("publicity:notice_confirm", args=[ended_notice.pk])).status_code == expected
    assert status_of(nom_a) == Status.PUBLICISED


def test_confirm_is_post_only(client, office, ended_notice):
    client.force_login(office)
    assert client.get(reverse("publicity:notice_confirm", args=[ended_notice.pk])).status_code == 405


@pytest.mark.parametrize("user_fixture,expected", [
    ("committee", 403), ("village_a_user", 403), ("dept_x_user", 403), ("other_office", 404),
])
def test_only_the_office_may_record_or_handle_objections(request, client, notice_a, objection_a, user_fixture,
                                                         expected):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.post(reverse("publicity:objection_new", args=[notice_a.pk]),
                           {"channel": "phone", "received_at": "2026-01-01T10:00", "content": "x"})
    assert response.status_code == expected
    response = client.post(reverse("publicity:objection_detail", args=[objection_a.pk]),
                           {"op": "verify", "verify-version": "1", "verify-verified_by": "甲",
                            "verify-verification": "查无此事"})
    assert response.status_code == expected
    assert Objection.objects.count() == 1
    assert Objection.objects.get().status == Objection.Status.OPEN


def test_the_list_shows_a_village_only_its_own_notices(client, notice_a, notice_b, village_a_user):
    client.force_login(village_a_user)
    html = page(client.get(reverse("publicity:notice_list")))
    assert f'data-notice="{notice_a.pk}"' in html
    assert f'data-notice="{notice_b.pk}"' not in html
    assert "待办结异议" not in html  # the open-objection count is the office's


def test_the_list_shows_the_office_every_notice_with_counts(client, office, notice_a, notice_b, objection_a):
    client.force_login(office)
    html = page(client.get(reverse("publicity:notice_list")))
    assert f'data-notice="{notice_a.pk}"' in html and f'data-notice="{notice_b.pk}"' in html
    assert "待办结异议" in html
    assert 'data-state="in_force"' in html
    assert reverse("publicity:notice_new") in html


def test_the_list_puts_the_latest_notice_first(client, office, round_, village_a, village_b, nom_a, fake_pdf):
    approved(round_, village_b, "王芳")
    older = posted(office, round_, village_a, 42)
    newer = in_force_today(office, round_, village_b)
    client.force_login(office)
    html = page(client.get(reverse("publicity:notice_list")))
    assert html.index(f'data-notice="{newer.pk}"') < html.index(f'data-notice="{older.pk}"')
    assert 'data-state="ended"' in html and 'data-state="in_force"' in html


def test_the_committee_and_the_village_see_the_notice_but_no_objection(client, committee, village_a_user,
                                                                      notice_a, objection_a):
    for user in (committee, village_a_user):
        client.force_login(user)
        html = page(client.get(reverse("publicity:notice_detail", args=[notice_a.pk])))
        assert "李明" in html and notice_a.title in html
        assert reverse("publicity:notice_pdf", args=[notice_a.pk]) in html
        assert "举报人甲" not in html and objection_a.receipt not in html
        assert 'id="objections"' not in html and 'id="notice-qr"' not in html
        assert reverse("publicity:notice_confirm", args=[notice_a.pk]) not in html


def test_the_office_sees_the_objections_qr_and_statuses(client, office, notice_a, objection_a, nom_a, settings):
    settings.PUBLIC_BASE_URL = "https://gs.example.cn/"
    client.force_login(office)
    html = page(client.get(reverse("publicity:notice_detail", args=[notice_a.pk])))
    assert objection_a.receipt in html and reverse("publicity:objection_detail", args=[objection_a.pk]) in html
    assert 'id="notice-qr"' in html and "data:image/svg+xml;base64," in html
    assert f"https://gs.example.cn/p/{notice_a.token}/" in html
    assert f'data-nomination="{nom_a.pk}"' in html and "公示中" in html
    assert "才能确认入库" in html  # why the person may not be confirmed yet
    assert notice_a.body.splitlines()[0] in html  # the same text as the PDF


def test_nav_has_a_publicity_link_for_office_committee_and_village(client, office, committee, village_a_user,
                                                                   dept_x_user):
    url = reverse("publicity:notice_list")
    for user, shown in ((office, True), (committee, True), (village_a_user, True), (dept_x_user, False)):
        client.force_login(user)
        html = page(client.get(reverse("password_change")))
        assert (f'href="{url}"' in html) == shown, user


# ------------------------------------------------------------------------------ publishing

def _in_a_week() -> datetime.date:
    return today() + datetime.timedelta(days=7)


def _publish_post(villages, start=None, phone=PHONE, address=ADDRESS, **more):
    start = start or _in_a_week().isoformat()
    return {"villages": [v.pk for v in villages], "start_date": start, "contact_phone": phone,
            "contact_address": address, **more}


def test_the_form_lists_only_villages_with_approved_people_with_their_names(client, office, round_, town, nom_a,
                                                                          village_a, village_b):
    NominationFactory(round=round_, village=village_b, proposed=True, person=PersonFactory(name="赵未定"))
    town.office_phone, town.office_address = PHONE, ADDRESS
    town.save()
    client.force_login(office)
    response = client.get(reverse("publicity:notice_new") + f"?round={round_.pk}")
    html = page(response)
    assert "东山村（李明）" in html
    assert "西岭村" not in html and "赵未定" not in html
    form = response.context["form"]
    # The round's planned start, or today once it has passed (a notice entered now cannot start in the past).
    assert form["start_date"].value() == max(round_.publicity_start, today())
    assert form["contact_phone"].value() == PHONE and form["contact_address"].value() == ADDRESS
    assert 'id="period-result"' in html  # the period, computed on the server


def test_publishing_through_the_page_stores_the_pdf_and_publicises(client, office, round_, village_a, nom_a):
    client.force_login(office)
    response = client.post(reverse("publicity:notice_new") + f"?round={round_.pk}", _publish_post([village_a]))
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == notice.get_absolute_url()
    assert notice.village == village_a and notice.round == round_
    period = services.publicity_period(round_, _in_a_week())
    assert (notice.start_date, notice.end_date, notice.days) == (period.start, period.end, 5)
    assert (notice.issue_date, notice.entered_on, notice.posted_on) == (today(), today(), None)
    assert notice.contact_phone == PHONE and notice.published_by == office
    with notice.pdf.open("rb") as f:
        assert f.read().startswith(b"%PDF")
    assert list(notice.entries.values_list("name", flat=True)) == ["李明"]
    assert status_of(nom_a) == Status.PUBLICISED
    assert any("已发布1份公示" in m and "公示期满后" in m and "可确认入库" in m for m in message_texts(response))


def test_publishing_several_villages_goes_to_the_list(client, office, round_, village_a, village_b, nom_a, fake_pdf):
    nom_b = approved(round_, village_b, "王芳")
    client.force_login(office)
    response = client.post(reverse("publicity:notice_new") + f"?round={round_.pk}",
                           _publish_post([village_a, village_b]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("publicity:notice_list"))
    assert Notice.objects.count() == 2
    assert status_of(nom_a) == status_of(nom_b) == Status.PUBLICISED


def test_the_public_address_uses_public_base_url(client, office, round_, village_a, nom_a, settings, monkeypatch):
    settings.PUBLIC_BASE_URL = "https://gs.example.cn"
    seen = []
    monkeypatch.setattr(services, "render_pdf", lambda name, ctx, **k: seen.append(ctx["public_url"]) or b"%PDF-x")
    client.force_login(office)
    client.post(reverse("publicity:notice_new") + f"?round={round_.pk}", _publish_post([village_a]))
    assert seen == [f"https://gs.example.cn/p/{Notice.objects.get().token}/"]


def test_without_public_base_url_the_request_address_is_used(client, office, round_, village_a, nom_a, settings,
                                                            monkeypatch):
    settings.PUBLIC_BASE_URL = ""
    seen = []
    monkeypatch.setattr(services, "render_pdf", lambda name, ctx, **k: seen.append(ctx["public_url"]) or b"%PDF-x")
    client.force_login(office)
    client.post(reverse("publicity:notice_new") + f"?round={round_.pk}", _publish_post([village_a]))
    assert seen == [f"http://testserver/p/{Notice.objects.get().token}/"]


def test_a_village_without_approved_people_cannot_be_posted(client, office, round_, village_a, village_b, nom_a):
    client.force_login(office)
    response = client.post(reverse("publicity:notice_new") + f"?round={round_.pk}", _publish_post([village_b]))
    assert response.status_code == 200
    assert "villages" in response.context["form"].errors
    assert not Notice.objects.exists() and status_of(nom_a) == Status.APPROVED


def test_missing_contact_is_a_form_error(client, office, round_, village_a, nom_a):
    client.force_login(office)
    response = client.post(reverse("publicity:notice_new") + f"?round={round_.pk}",
                           _publish_post([village_a], phone=""))
    assert response.status_code == 200 and "contact_phone" in response.context["form"].errors
    assert not Notice.objects.exists()


def test_another_towns_round_is_404_on_the_form(client, other_office, round_, nom_a):
    client.force_login(other_office)
    assert client.get(reverse("publicity:notice_new") + f"?round={round_.pk}").status_code == 404
    response = client.post(reverse("publicity:notice_new") + f"?round={round_.pk}",
                           _publish_post([nom_a.village]))
    assert response.status_code == 404 and not Notice.objects.exists()


# ------------------------------------------------------------------------------ the period

def test_the_period_fragment_counts_working_days(client, office, round_):
    client.force_login(office)
    response = client.get(reverse("publicity:notice_period"), {"round": round_.pk, "start": "2026-09-29"})
    html = page(response)
    assert response.status_code == 200
    assert "公示时间：2026年9月29日至2026年10月10日" in html and "（5个工作日）" in html
    assert 'id="calendar-warning"' not in html


def test_the_period_fragment_warns_for_a_year_without_official_data(client, office, round_):
    client.force_login(office)
    html = page(client.get(reverse("publicity:notice_period"), {"round": round_.pk, "start": "2031-03-03"}))
    assert 'id="calendar-warning"' in html
    assert "系统尚无2031年的国家法定节假日安排" in html
    assert reverse("publicity:calendar") in html
    assert "公示时间：2031年3月3日至2031年3月7日" in html  # Monday to Friday


def test_the_period_fragment_says_when_the_start_is_not_a_working_day(client, office, round_):
    client.force_login(office)
    html = page(client.get(reverse("publicity:notice_period"), {"round": round_.pk, "start": "2026-10-01"}))
    assert "公示时间：2026年10月8日至2026年10月13日" in html
    assert "2026年10月1日不是工作日" in html


def test_the_period_fragment_refuses_nonsense(client, office, round_):
    client.force_login(office)
    for start in ("", "tomorrow", "9999-12-31"):
        response = client.get(reverse("publicity:notice_period"), {"round": round_.pk, "start": start})
        assert response.status_code == 200 and "请填写有效的公示开始日期" in page(response)
    assert client.get(reverse("publicity:notice_period"), {"round": "x", "start": "2026-09-29"}).status_code == 404


def test_the_form_page_shows_the_warning_without_javascript(client, office, round_, village_a, nom_a, monkeypatch):
    """An unknown year (here: every year) shows the warning on the page itself, before and after a POST."""
    import reserve.workdays

    def unknown(day):
        raise NotImplementedError

    monkeypatch.setattr(reserve.workdays.chinese_calendar, "is_workday", unknown)
    client.force_login(office)
    html = page(client.get(reverse("publicity:notice_new") + f"?round={round_.pk}"))
    assert 'id="calendar-warning"' in html and "国家法定节假日安排" in html
    start = (today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(reverse("publicity:notice_new") + f"?round={round_.pk}",
                           _publish_post([village_a], start=start, address=""))
    assert response.status_code == 200 and "contact_address" in response.context["form"].errors
    html = page(response)
    assert 'id="calendar-warning"' in html
    assert f"{datetime.date.fromisoformat(start).year}年" in html
    assert "js/notice_period.js" in html and "<script>" not in html  # the script is a static file


def test_the_towns_calendar_changes_the_period(client, office, round_):
    client.force_login(office)
    response = client.post(reverse("publicity:calendar"), {
        "days-TOTAL_FORMS": "1", "days-INITIAL_FORMS": "0", "days-MIN_NUM_FORMS": "0", "days-MAX_NUM_FORMS": "1000",
        "days-0-date": "2026-09-30", "days-0-note": "镇庙会放假",
    })
    assert response.status_code == 302
    day = CalendarDay.objects.get()
    assert day.town_id == office.town_id and day.is_workday is False
    html = page(client.get(reverse("publicity:notice_period"), {"round": round_.pk, "start": "2026-09-29"}))
    assert "公示时间：2026年9月29日至2026年10月12日" in html


# ------------------------------------------------------------------------------ the stored PDF

def test_the_download_serves_the_stored_file_without_rendering(client, office, committee, village_a_user, notice_a,
                                                               monkeypatch):
    import reserve.pdf

    def no_rendering(*args, **kwargs):
        raise AssertionError("a notice's PDF must not be rendered again")

    monkeypatch.setattr(reserve.pdf, "render_pdf", no_rendering)
    monkeypatch.setattr(reserve.pdf, "html_to_pdf", no_rendering)
    monkeypatch.setattr(services, "render_pdf", no_rendering)
    stored = b"%PDF-1.7 the file that was printed\n%%EOF"
    with notice_a.pdf.open("wb") as f:
        f.write(stored)
    for user in (office, committee, village_a_user):
        client.force_login(user)
        response = client.get(reverse("publicity:notice_pdf", args=[notice_a.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content == stored
        assert "attachment" in response["Content-Disposition"] and ".pdf" in response["Content-Disposition"]


def test_a_missing_pdf_is_404(client, office, notice_a):
    client.force_login(office)
    notice_a.pdf.storage.delete(notice_a.pdf.name)
    assert client.get(reverse("publicity:notice_pdf", args=[notice_a.pk])).status_code == 404
    Notice.objects.filter(pk=notice_a.pk).update(pdf="")
    assert client.get(reverse("publicity:notice_pdf", args=[notice_a.pk])).status_code == 404


# ------------------------------------------------------------------------------ objections and confirmation

def _record(client, notice, *, entry=None, received_at=None, name="", content="该同志曾在外务工期间与人发生纠纷。"):
    received_at = received_at or timezone.localtime()
    data = {"channel": "visit", "received_at": received_at.strftime("%Y-%m-%dT%H:%M"), "content": content,
            "name": name, "phone": ""}
    if entry is not None:
        data["entry"] = entry.pk
    response = client.post(reverse("publicity:objection_new", args=[notice.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    objection = Objection.objects.latest("id")
    assert response["Location"] == objection.get_absolute_url()
    return objection


def _op(client, objection, op, **fields):
    objection.refresh_from_db()
    data = {"op": op, f"{op}-version": str(objection.version), **{f"{op}-{k}": v for k, v in fields.items()}}
    return client.post(reverse("publicity:objection_detail", args=[objection.pk]), data)


def test_the_objection_form_defaults_to_now_and_offers_the_notices_people(client, office, notice_a):
    client.force_login(office)
    response = client.get(reverse("publicity:objection_new", args=[notice_a.pk]))
    form = response.context["form"]
    shown = form["received_at"].value()  # local wall-clock time, as the datetime-local input shows it
    assert abs(shown - timezone.localtime().replace(tzinfo=None)) < datetime.timedelta(minutes=2)
    assert list(form.fields["entry"].queryset) == list(notice_a.entries.all())
    assert [c for c, _label in form.fields["channel"].choices] == ["phone", "letter", "visit"]


def test_upheld_objection_is_referred_to_the_committee_which_cancels(client, office, committee, notice_a, nom_a):
    client.force_login(office)
    objection = _record(client, notice_a, entry=notice_a.entries.get(), name="王五")
    assert objection.channel == "visit" and objection.recorded_by == office and not objection.is_late
    html = page(client.get(objection.get_absolute_url()))
    assert 'id="verify-form"' in html and 'id="conclude-form"' not in html and 'id="assign-form"' not in html

    response = _op(client, objection, "verify", verified_by="组织办 刘强", verification="经走访村民，情况属实。")
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.VERIFIED and objection.verified_by == "组织办 刘强"
    html = page(client.get(objection.get_absolute_url()))
    assert 'id="conclude-form"' in html and 'id="verify-form"' not in html

    assert "data-confirm" in html.split('id="conclude-form"')[1].split(">")[0]  # asks, with the consequence

    # The office's finding proposes the change: the person stays 公示中, marked as awaiting the committee.
    response = _op(client, objection, "conclude", upheld="yes", reason="经核实，该同志存在违规建房问题。")
    assert response.status_code == 302
    assert any("提请镇党委研究" in m and "不能确认入库" in m for m in message_texts(response))
    objection.refresh_from_db()
    assert objection.status == Objection.Status.REFERRED and objection.concluded_by == office
    assert status_of(nom_a) == Status.PUBLICISED
    assert Event.objects.filter(action="refer_objection", object_id=nom_a.pk).exists()
    html = page(client.get(objection.get_absolute_url()))
    assert 'id="conclude-form"' not in html and 'id="awaiting-committee"' in html and 'id="decide-form"' in html
    assert "待党委研究" in page(client.get(notice_a.get_absolute_url()))

    # The committee decides on the notice's page: the objection's content and finding, never the objector.
    client.force_login(committee)
    html = page(client.get(notice_a.get_absolute_url()))
    assert f'data-referred="{objection.pk}"' in html and "经走访村民，情况属实。" in html
    assert "王五" not in html and objection.receipt not in html
    response = client.post(reverse("publicity:objection_decide", args=[objection.pk]), {
        f"decide-{objection.pk}-version": str(objection.version), f"decide-{objection.pk}-cancel": "cancel",
        f"decide-{objection.pk}-reason": "12月3日党委会研究：取消人选资格。", "back": "notice"})
    assert response.status_code == 302 and response["Location"] == notice_a.get_absolute_url()
    assert any("取消李明的人选资格" in m and "不再作为拟确定人选" in m for m in message_texts(response))
    objection.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD and objection.decided_by == committee
    assert status_of(nom_a) == Status.REJECTED
    assert notice_a.entries.get().withdrawn_on == today()
    timeline = page(client.get(nom_a.get_absolute_url()))
    assert "异议属实，取消人选资格" in timeline and "12月3日党委会研究：取消人选资格。" in timeline
    client.force_login(office)
    html = page(client.get(objection.get_absolute_url()))
    assert 'id="decide-form"' not in html and 'id="committee-decision"' in html and "该异议已办结" in html


def test_not_upheld_objection_then_confirm_after_the_period(client, office, ended_notice, nom_a):
    client.force_login(office)
    entry = ended_notice.entries.get()
    objection = _record(client, ended_notice, entry=entry)
    # An open objection blocks the confirmation.
    response = client.post(reverse("publicity:notice_confirm", args=[ended_notice.pk]))
    assert any("尚未办结" in m for m in message_texts(response))
    assert status_of(nom_a) == Status.PUBLICISED

    _op(client, objection, "verify", verified_by="刘强", verification="查无此事。")
    _op(client, objection, "conclude", upheld="no", reason="经核实，反映情况不属实。")
    objection.refresh_from_db()
    assert objection.status == Objection.Status.NOT_UPHELD
    assert status_of(nom_a) == Status.PUBLICISED
    assert Event.objects.filter(action="objection_concluded", object_id=nom_a.pk,
                                reason="经核实，反映情况不属实。").exists()

    html = page(client.get(ended_notice.get_absolute_url()))
    assert "可以确认入库" in html
    response = client.post(reverse("publicity:notice_confirm", args=[ended_notice.pk]))
    assert response.status_code == 302 and response["Location"] == ended_notice.get_absolute_url()
    assert any("已确认1人进入后备干部库" in m for m in message_texts(response))
    assert status_of(nom_a) == Status.RESERVE
    assert Reserve.objects.filter(nomination=nom_a, start_date=today()).exists()


def test_confirm_is_refused_before_the_period_ends(client, office, notice_a, nom_a):
    client.force_login(office)
    response = client.post(reverse("publicity:notice_confirm", args=[notice_a.pk]))
    assert response.status_code == 302
    texts = message_texts(response)
    assert any("李明" in m and "才能确认入库" in m for m in texts), texts
    assert status_of(nom_a) == Status.PUBLICISED and not Reserve.objects.exists()


def test_confirm_reports_who_was_confirmed_and_why_others_not(client, office, round_, village_a, fake_pdf):
    first, second = approved(round_, village_a, "甲某"), approved(round_, village_a, "乙某")
    notice = posted(office, round_, village_a, 42)
    entry_b = notice.entries.get(nomination=second)
    services.objection_record(actor=office, notice=notice, channel="letter", content="反映乙某。", entry=entry_b)
    client.force_login(office)
    response = client.post(reverse("publicity:notice_confirm", args=[notice.pk]))
    texts = message_texts(response)
    assert any("已确认1人进入后备干部库" in m for m in texts)
    assert any("乙某" in m and "尚未办结" in m for m in texts)
    assert status_of(first) == Status.RESERVE and status_of(second) == Status.PUBLICISED


def test_a_late_objection_is_flagged(client, office, ended_notice):
    client.force_login(office)
    late = _record(client, ended_notice, entry=ended_notice.entries.get())
    assert late.is_late
    in_time = _record(client, ended_notice, received_at=timezone.make_aware(
        datetime.datetime.combine(ended_notice.start_date, datetime.time(10, 0))))
    assert not in_time.is_late
    html = page(client.get(late.get_absolute_url()))
    assert "期满后收到" in html
    assert "期满后收到" not in page(client.get(in_time.get_absolute_url()))
    html = page(client.get(ended_notice.get_absolute_url()))
    assert html.count("data-late") == 1


def test_an_objection_about_a_confirmed_person_says_it_can_no_longer_cancel(client, office, ended_notice, nom_a):
    client.force_login(office)
    client.post(reverse("publicity:notice_confirm", args=[ended_notice.pk]))
    assert status_of(nom_a) == Status.RESERVE
    objection = _record(client, ended_notice, entry=ended_notice.entries.get())
    _op(client, objection, "verify", verified_by="刘强", verification="情况属实。")
    html = page(client.get(objection.get_absolute_url()))
    assert 'id="not-publicised"' in html and "已入库" in html
    response = _op(client, objection, "conclude", upheld="yes", reason="属实。")
    assert any("不能再因异议取消" in m for m in message_texts(response))
    assert status_of(nom_a) == Status.RESERVE


def test_an_objection_without_a_person_is_assigned_on_its_page(client, office, notice_a):
    client.force_login(office)
    objection = _record(client, notice_a)
    assert objection.entry is None
    html = page(client.get(objection.get_absolute_url()))
    assert 'id="assign-form"' in html
    response = _op(client, objection, "assign", entry=str(notice_a.entries.get().pk))
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.entry == notice_a.entries.get()
    assert 'id="assign-form"' not in page(client.get(objection.get_absolute_url()))


def test_upheld_without_a_person_is_refused_with_a_message(client, office, notice_a):
    client.force_login(office)
    objection = _record(client, notice_a)
    _op(client, objection, "verify", verified_by="刘强", verification="情况属实。")
    response = _op(client, objection, "conclude", upheld="yes", reason="属实。")
    assert response.status_code == 302
    assert any("请先指定反映对象" in m for m in message_texts(response))
    objection.refresh_from_db()
    assert objection.status == Objection.Status.VERIFIED


def test_a_stale_version_is_refused(client, office, objection_a):
    client.force_login(office)
    response = client.post(objection_a.get_absolute_url(), {
        "op": "verify", "verify-version": str(objection_a.version + 5), "verify-verified_by": "刘强",
        "verify-verification": "查无此事。"})
    assert response.status_code == 302
    assert any("已被他人更新" in m for m in message_texts(response))
    objection_a.refresh_from_db()
    assert objection_a.status == Objection.Status.OPEN


def test_form_errors_stay_on_the_page(client, office, objection_a):
    client.force_login(office)
    response = _op(client, objection_a, "verify", verified_by="", verification="")
    assert response.status_code == 200
    assert response.context["verify_form"].errors
    response = client.post(objection_a.get_absolute_url(), {"op": "delete"})
    assert response.status_code == 302 and any("未知操作" in m for m in message_texts(response))


def test_an_objection_cannot_be_assigned_a_person_of_another_notice(client, office, notice_a, round_):
    client.force_login(office)
    objection = _record(client, notice_a)
    other_nom = approved(round_, VillageFactory(town=round_.town, name="南湖村"), "外人")
    other_notice = publish(office, round_, other_nom.village, today())
    response = _op(client, objection, "assign", entry=str(other_notice.entries.get().pk))
    assert response.status_code == 200 and response.context["assign_form"].errors
    objection.refresh_from_db()
    assert objection.entry is None


# ------------------------------------------------------------------------------ the working-day table

def _calendar_post(rows, initial=0):
    data = {"days-TOTAL_FORMS": str(len(rows)), "days-INITIAL_FORMS": str(initial), "days-MIN_NUM_FORMS": "0",
            "days-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"days-{i}-{k}"] = v
    return data


def test_the_calendar_page_adds_edits_and_deletes_rows(client, office, town):
    client.force_login(office)
    response = client.post(reverse("publicity:calendar"), _calendar_post([
        {"date": "2027-02-06", "is_workday": "on", "note": "春节调休上班"},
        {"date": "2027-02-10", "note": "春节"},
    ]))
    assert response.status_code == 302
    days = {d.date: d for d in CalendarDay.objects.filter(town=town)}
    assert days[datetime.date(2027, 2, 6)].is_workday and not days[datetime.date(2027, 2, 10)].is_workday
    assert Event.objects.filter(action="calendar_update", object_id=town.pk, actor=office).exists()
    first, second = CalendarDay.objects.order_by("date")
    response = client.post(reverse("publicity:calendar"), _calendar_post([
        {"id": first.pk, "date": "2027-02-07", "is_workday": "on", "note": "调休"},
        {"id": second.pk, "date": "2027-02-10", "note": "春节", "DELETE": "on"},
    ], initial=2))
    assert response.status_code == 302
    assert list(CalendarDay.objects.values_list("date", "note")) == [(datetime.date(2027, 2, 7), "调休")]


def test_the_calendar_page_refuses_duplicate_dates(client, office):
    client.force_login(office)
    response = client.post(reverse("publicity:calendar"), _calendar_post([
        {"date": "2027-02-06", "note": "a"}, {"date": "2027-02-06", "note": "b"}]))
    assert response.status_code == 200 and "同一日期只能有一条" in page(response)
    assert not CalendarDay.objects.exists()


def test_the_calendar_page_is_scoped_to_the_town(client, office, other_town, town):
    foreign = CalendarDay.objects.create(town=other_town, date=datetime.date(2027, 5, 6), is_workday=False, note="外镇")
    client.force_login(office)
    assert "外镇" not in page(client.get(reverse("publicity:calendar")))
    response = client.post(reverse("publicity:calendar"), _calendar_post([
        {"id": foreign.pk, "date": "2027-05-07", "note": "改了"}], initial=1))
    # Django's model formset ignores a row whose id is outside its queryset: nothing is written.
    assert response.status_code in (200, 302)
    foreign.refresh_from_db()
    assert foreign.note == "外镇" and foreign.date == datetime.date(2027, 5, 6)
    assert not CalendarDay.objects.filter(town=town).exists()


def test_the_calendar_page_says_which_years_the_official_calendar_knows(client, office, monkeypatch):
    import publicity.views

    def unknown(day):
        raise NotImplementedError

    client.force_login(office)
    html = page(client.get(reverse("publicity:calendar")))
    assert f'data-year="{today().year}"' in html and f'data-year="{today().year + 1}"' in html
    monkeypatch.setattr(publicity.views.chinese_calendar, "is_workday", unknown)
    html = page(client.get(reverse("publicity:calendar")))
    assert html.count("未收录，按周一至周五及本表计算") == 2


def test_calendar_save_checks_the_role(committee, town):
    from django.core.exceptions import PermissionDenied

    from publicity.forms import CalendarDayFormSet
    from reserve.services import calendar_save

    formset = CalendarDayFormSet(_calendar_post([{"date": "2027-02-06", "note": "x"}]),
                                 queryset=CalendarDay.objects.filter(town=town), prefix="days")
    with pytest.raises(PermissionDenied):
        calendar_save(actor=committee, formset=formset)
    assert not CalendarDay.objects.exists()


# ------------------------------------------------------------------------------ the 自荐表 PDF

def test_the_nomination_form_pdf(client, village_a_user, village_b_user, office, committee, dept_x_user, mentor,
                                 other_office, nom_a):
    url = reverse("candidates:nomination_form_pdf", args=[nom_a.pk])
    client.force_login(village_a_user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    for user, expected in ((village_b_user, 404), (other_office, 404), (dept_x_user, 403), (mentor, 403)):
        client.force_login(user)
        assert client.get(url).status_code == expected, user
    client.force_login(office)
    detail = page(client.get(nom_a.get_absolute_url()))
    assert url in detail


def test_the_nomination_form_pdf_masks_the_id_number(client, village_a_user, nom_a, monkeypatch):
    from django.template.loader import render_to_string

    import candidates.views
    from reserve import idnumber

    seen = {}

    def capture(template_name, context, **kwargs):
        seen["html"] = render_to_string(template_name, context)
        return b"%PDF-fake"

    monkeypatch.setattr(candidates.views, "render_pdf", capture)
    client.force_login(village_a_user)
    assert client.get(reverse("candidates:nomination_form_pdf", args=[nom_a.pk])).status_code == 200
    html = seen["html"]
    assert nom_a.person.id_number not in html and idnumber.mask(nom_a.person.id_number) in html
    for label in ("姓名", "出生年月", "籍贯", "入党时间", "全日制教育", "在职教育", "个人简历", "奖惩情况",
                  "家庭主要成员及重要社会关系", "自荐理由", "村党支部意见", "镇党委意见"):
        assert label in html, label
    assert "李明" in html and "东山村" in html
