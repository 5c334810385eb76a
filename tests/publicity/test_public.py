"""The public notice page and its objection form: the system's only anonymous surface.

Anonymous reading, the state line (before / in force / ended), lodging objections (anonymous and
named), the form's refusals, escaping, the throttle, late objections, receipts, and the proof that
nothing personal beyond the six published fields ever reaches the page or the printed PDF.
"""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from candidates.models import CommitteeRelative, FamilyMember, Nomination, ResumeEntry
from inspection.models import CommitteeDecision, CommitteeMeeting, InspectionReport, Talk, TalkCategory
from publicity import services, views_public
from publicity.models import Notice, NoticeEntry, Objection
from reserve import views_errors
from reserve.choices import Education, Gender, PoliticalStatus
from tests.factories import NominationFactory, PersonFactory, VillageFactory
from tests.helpers import page as html
from tests.helpers import pdf_text, today
from vetting.models import Finding, NegativeItem, VettingRequest

PUBLIC_BASE = "https://reserve.example.gov.cn"


# --------------------------------------------------------------------------- helpers

def make_notice(office, round_, village, *, start, end, people=("王建国", "李秀英")) -> Notice:
    """A published notice as notice_publish leaves it (without rendering its PDF)."""
    notice = Notice.objects.create(
        round=round_, village=village, title=f"关于{village.name}村级后备干部人选的公示",
        body=f"经镇党委研究，拟确定以下同志为{village.name}村级后备干部人选，现予以公示。\n"
             f"公示时间：{services._cn_date(start)}至{services._cn_date(end)}（5个工作日）。\n"
             "联系电话：0579-88880000；来信来访地址：青山镇人民政府组织办。",
        start_date=start, end_date=end, days=5, issuer=round_.town.party_committee_name,
        issue_date=start, entered_on=start, contact_phone="0579-88880000", contact_address="青山镇人民政府组织办",
        published_by=office,
    )
    for i, name in enumerate(people, start=1):
        nomination = NominationFactory(round=round_, village=village, publicised=True,
                                       person=PersonFactory(name=name), created_by=office)
        NoticeEntry.objects.create(notice=notice, nomination=nomination, order=i, name=name, gender="男",
                                   birth_month="1995.06", education="高中（中专、职高、技校）",
                                   political_status="群众", work_unit_post="个体经营")
    return notice


@pytest.fixture
def in_force(office, round_, village_a):
    return make_notice(office, round_, village_a, start=today() - datetime.timedelta(days=2),
                       end=today() + datetime.timedelta(days=3))


@pytest.fixture
def ended(office, round_, village_b):
    return make_notice(office, round_, village_b, start=today() - datetime.timedelta(days=10),
                       end=today() - datetime.timedelta(days=1), people=("赵晓东",))


def lodge(client, notice, remote_addr="127.0.0.1", **data):
    return client.post(notice.get_public_url(), {"content": "", "entry": "", "name": "", "phone": "", **data},
                       REMOTE_ADDR=remote_addr)


def receipt_url(objection):
    return reverse("publicity:public_receipt", args=[objection.notice.token, objection.receipt])


def redirected_to_receipt(response, objection):
    return response.status_code == 302 and response["Location"] == receipt_url(objection) + "#receipt"


# --------------------------------------------------------------------------- reading

def test_anonymous_get_shows_the_notice(client, in_force):
    response = client.get(in_force.get_public_url())
    assert response.status_code == 200
    text = html(response)
    assert in_force.title in text
    for line in in_force.body.splitlines():
        assert line in text
    assert "王建国" in text and "李秀英" in text
    assert in_force.issuer in text
    assert 'name="viewport"' in text
    assert "/static/vendor/bootstrap/bootstrap.min.css" in text
    # No app navigation and no way into the application from here.
    assert reverse("login") not in text and "app-nav" not in text and "退出登录" not in text
    assert "<script" not in text
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]
    assert "script-src" not in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_the_page_shows_exactly_the_notice_text(client, in_force):
    """The notice part of the page is _notice_body.html, with a Bootstrap table class."""
    text = html(client.get(in_force.get_public_url()))
    assert 'class="table table-bordered table-sm align-middle mb-3 notice-table"' in text
    assert text.count('<h1 class="notice-title">') == 1


def test_unknown_token_is_404(client, db):
    response = client.get(reverse("publicity:public_notice", args=["no-such-notice"]))
    assert response.status_code == 404
    assert "noindex" in response["X-Robots-Tag"]
    assert reverse("login") not in html(response)
    posted = client.post(reverse("publicity:public_notice", args=["no-such-notice"]), {"content": "有异议"})
    assert posted.status_code == 404
    assert not Objection.objects.exists()


@pytest.mark.parametrize("start_offset, end_offset, expected, absent", [
    (3, 9, "公示将于{start}开始", ("公示期内", "公示期已于")),
    (-2, 3, "公示期内（至{end}）", ("公示将于", "公示期已于")),
    (0, 0, "公示期内（至{end}）", ("公示将于", "公示期已于")),
    (-9, -1, "公示期已于{end}结束", ("公示将于", "公示期内")),
])
def test_state_line(client, office, round_, village_a, start_offset, end_offset, expected, absent):
    start, end = today() + datetime.timedelta(start_offset), today() + datetime.timedelta(end_offset)
    notice = make_notice(office, round_, village_a, start=start, end=end)
    text = html(client.get(notice.get_public_url()))
    assert expected.format(start=services._cn_date(start), end=services._cn_date(end)) in text
    for other in absent:
        assert other not in text
    # The objection form is there in every state.
    assert 'name="content"' in text
    assert ("逾期" in text) == (end_offset < 0)


# --------------------------------------------------------------------------- lodging

def test_anonymous_objection_gets_a_receipt(client, in_force):
    response = lodge(client, in_force, content="该同志长期不在村里居住。")
    objection = Objection.objects.get()
    assert redirected_to_receipt(response, objection)
    assert objection.channel == Objection.Channel.ONLINE
    assert (objection.name, objection.phone, objection.entry) == ("", "", None)
    assert objection.content == "该同志长期不在村里居住。"
    assert objection.is_late is False and objection.recorded_by is None

    page = client.get(response["Location"])
    assert page.status_code == 200
    text = html(page)
    assert objection.receipt in text
    assert "组织办" in text and "核实" in text  # what happens next
    assert "长期不在村里" not in text
    assert "no-store" in page["Cache-Control"]
    assert "noindex" in page["X-Robots-Tag"]


def test_named_objection_about_a_person(client, in_force):
    entry = in_force.entries.get(name="李秀英")
    response = lodge(client, in_force, content="反映其经营的合作社账目不清。", entry=str(entry.pk),
                     name="  陈海燕 ", phone="138 0000 1111")
    objection = Objection.objects.get()
    assert redirected_to_receipt(response, objection)
    assert (objection.entry, objection.name, objection.phone) == (entry, "陈海燕", "138 0000 1111")
    assert objection.channel == Objection.Channel.ONLINE

    text = html(client.get(response["Location"]))
    assert objection.receipt in text
    for private in ("陈海燕", "138 0000 1111", "账目不清"):
        assert private not in text


def test_the_form_works_with_csrf_checks_on(in_force):
    client = Client(enforce_csrf_checks=True)
    page = html(client.get(in_force.get_public_url()))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    # A browser sends the page's origin with the POST (it would send "null" under a no-referrer policy,
    # and Django would refuse it).
    assert "no-referrer" not in page and client.get(in_force.get_public_url()).get("Referrer-Policy") != "no-referrer"
    response = client.post(in_force.get_public_url(), {"csrfmiddlewaretoken": token, "content": "有异议"},
                           HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302
    assert Objection.objects.count() == 1
    assert Client(enforce_csrf_checks=True).post(in_force.get_public_url(), {"content": "x"}).status_code == 403
    assert Objection.objects.count() == 1


@pytest.mark.parametrize("content", ["", "   \n\t  ", "\x07\x08 \u202e"])
def test_content_is_required(client, in_force, content):
    response = lodge(client, in_force, content=content, name="陈海燕")
    assert response.status_code == 200
    assert "请填写反映的具体内容。" in html(response)
    assert not Objection.objects.exists()


def test_over_long_content_is_refused(client, in_force):
    response = lodge(client, in_force, content="异" * 2001)
    assert response.status_code == 200
    assert "反映内容不能超过2000字" in html(response)
    assert not Objection.objects.exists()
    # 2,000 characters as the reader counts them: a browser's "\r\n" is one line break.
    text = "异" * 1981 + "\r\n".join("行" * 10)
    assert lodge(client, in_force, content=text).status_code == 302
    assert Objection.objects.get().content == text.replace("\r\n", "\n")
    assert len(Objection.objects.get().content) == 2000


@pytest.mark.parametrize("field, value, message", [
    ("name", "名" * 31, "姓名不能超过30个字"),
    ("phone", "1" * 31, "联系电话不能超过30个字符"),
    ("phone", "<b>138</b>", "联系电话只能包含数字"),
])
def test_name_and_phone_are_limited(client, in_force, field, value, message):
    response = lodge(client, in_force, content="有异议", **{field: value})
    assert response.status_code == 200
    assert message in html(response)
    assert not Objection.objects.exists()


def test_an_entry_of_another_notice_is_refused(client, in_force, ended):
    other = ended.entries.get()
    response = lodge(client, in_force, content="有异议", entry=str(other.pk))
    assert response.status_code == 200
    assert "反映对象不在本公示中" in html(response)
    assert not Objection.objects.exists()


def test_a_huge_body_is_refused(client, in_force):
    response = lodge(client, in_force, content="异" * 30000)
    assert response.status_code == 413
    assert "过长" in html(response)
    assert not Objection.objects.exists()


def test_html_is_stored_as_text_and_never_rendered(client, in_force, office):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> 他收过礼 & <b>别人</b>'
    entry = in_force.entries.first()
    response = lodge(client, in_force, content=hostile, entry=str(entry.pk), name="<i>张</i>",
                     phone="")
    objection = Objection.objects.get()
    assert objection.content == hostile.strip()
    assert objection.name == "<i>张</i>"

    for url in (in_force.get_public_url(), response["Location"]):
        text = html(client.get(url))
        assert "<script" not in text and "onerror" not in text and "<i>张</i>" not in text

    # The form re-shows what was typed, escaped, when it is refused.
    refused = html(lodge(client, in_force, content=hostile, phone="<script>1</script>"))
    assert "<script" not in refused
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in refused

    # The office reads it as text.
    office_client = Client()
    office_client.force_login(office)
    detail = office_client.get(reverse("publicity:objection_detail", args=[objection.pk]))
    assert detail.status_code == 200
    text = html(detail)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "<script>alert" not in text and "onerror=alert" not in text.replace("&lt;img src=x onerror=alert(1)&gt;", "")


# --------------------------------------------------------------------------- the throttle

def test_sixth_post_in_an_hour_from_one_address_is_throttled(client, in_force, ended):
    for i in range(5):
        assert lodge(client, in_force if i % 2 else ended, content=f"第{i}条").status_code == 302
    response = lodge(client, in_force, content="第六条")
    assert response.status_code == 429
    text = html(response)
    assert "提交得太频繁" in text and "没有保存" in text
    assert "noindex" in response["X-Robots-Tag"]
    assert Objection.objects.count() == 5
    # An invalid POST counts too (nobody floods the form with refusals), and is not saved either.
    assert lodge(client, in_force, content="").status_code == 429
    # Reading is not throttled, and another address may still post.
    assert client.get(in_force.get_public_url()).status_code == 200
    assert lodge(client, in_force, content="另一人", remote_addr="10.1.2.3").status_code == 302
    assert Objection.objects.count() == 6


def test_failed_posts_count_towards_the_throttle(client, in_force):
    for _i in range(5):
        assert lodge(client, in_force, content="").status_code == 200
    assert lodge(client, in_force, content="有异议").status_code == 429
    assert not Objection.objects.exists()


def test_per_notice_rate(client, in_force, ended, monkeypatch):
    """One address is also limited per notice (here lowered to 2 an hour to see it)."""
    monkeypatch.setattr(views_public, "RATE_PER_CLIENT_NOTICE", "2/h")
    assert lodge(client, in_force, content="一").status_code == 302
    assert lodge(client, in_force, content="二").status_code == 302
    assert lodge(client, in_force, content="三").status_code == 429
    assert lodge(client, ended, content="四").status_code == 302
    assert Objection.objects.count() == 3


def test_throttled_view_for_the_middleware(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    response = views_errors.throttled(request, Exception())
    assert response.status_code == 429
    assert "提交得太频繁" in html(response)
    assert getattr(views_errors.throttled, "login_required", True) is False


# --------------------------------------------------------------------------- late objections and receipts

def test_an_objection_after_the_end_is_late(client, ended):
    page = html(client.get(ended.get_public_url()))
    assert f"公示期已于{services._cn_date(ended.end_date)}结束" in page
    assert "逾期" in page

    response = lodge(client, ended, content="期满后才知道，补充反映。")
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.is_late is True and objection.channel == Objection.Channel.ONLINE
    receipt = html(client.get(response["Location"]))
    assert objection.receipt in receipt and "逾期" in receipt


def test_an_objection_in_force_is_not_late(client, in_force):
    response = lodge(client, in_force, content="有异议")
    assert Objection.objects.get().is_late is False
    assert "逾期" not in html(client.get(response["Location"]))


def test_receipt_of_another_notice_is_404(client, in_force, ended):
    lodge(client, in_force, content="有异议")
    objection = Objection.objects.get()
    assert client.get(receipt_url(objection)).status_code == 200
    wrong = reverse("publicity:public_receipt", args=[ended.token, objection.receipt])
    assert client.get(wrong).status_code == 404
    unknown = reverse("publicity:public_receipt", args=[in_force.token, "YY20260101-AAAAAA"])
    assert client.get(unknown).status_code == 404
    assert client.post(receipt_url(objection)).status_code == 405


# --------------------------------------------------------------------------- nothing personal leaks

def _fill(model_instance, prefix, skip=()):
    """Give every free-text field of a row a distinctive value; returns the values."""
    values = []
    for field in model_instance._meta.concrete_fields:
        if field.get_internal_type() not in ("CharField", "TextField") or field.choices or field.name in skip:
            continue
        value = f"LEAK{prefix}{field.name.replace('_', '')}"[: field.max_length or 200]
        setattr(model_instance, field.name, value)
        values.append(value)
    model_instance.save()
    return values


def test_no_personal_field_beyond_the_six_reaches_the_page_or_the_pdf(client, office, round_, village_a, dept_x):
    birth = datetime.date(1995, 6, 15)
    person = PersonFactory(name="林晓雯", gender=Gender.FEMALE, birth_date=birth)
    nomination = NominationFactory(
        round=round_, village=village_a, person=person, created_by=office, approved=True,
        political_status=PoliticalStatus.PARTY_MEMBER, fulltime_education=Education.BACHELOR,
        inservice_education=None, work_unit_post="东山村会计",
        party_join_date=datetime.date(2016, 7, 1), work_start_date=datetime.date(2017, 8, 1),
    )
    # (the name as filed is one of the six published fields)
    secrets = _fill(nomination, "N", skip=("name", "work_unit_post", "phone", "hukou_address", "statement",
                                           "awards_punishments"))
    nomination.phone = "13912345678"
    nomination.hukou_address = "青山镇东山村幸福路88号"
    nomination.statement = "自荐理由：本人曾独自承包鱼塘三十亩"
    nomination.awards_punishments = "2019年获县级优秀青年称号"
    nomination.save()
    ResumeEntry.objects.create(nomination=nomination, start=datetime.date(2013, 9, 1),
                               end=datetime.date(2017, 6, 30), unit_post="浙江农林大学园艺专业学习")
    FamilyMember.objects.create(nomination=nomination, relation="父亲", name="林大山",
                                birth_date=datetime.date(1968, 3, 9), political_status=PoliticalStatus.MASSES,
                                work_unit_post="务农在家")
    CommitteeRelative.objects.create(nomination=nomination, cadre_name="林大海（村委会主任）", relation="叔侄")
    item = NegativeItem.objects.create(round=round_, number=99, text="受过治安拘留")
    request = VettingRequest.objects.create(
        nomination=nomination, department=dept_x, deadline=today(), status=VettingRequest.Status.ANSWERED,
        flagged=True, conclusion="审查结论：有酒驾记录", decision=VettingRequest.Decision.OVERRULED,
        decision_reason="不予采纳理由：已过期限",
    )
    Finding.objects.create(request=request, item=item, outcome=Finding.Outcome.FLAGGED,
                           note="联审发现：2015年因赌博被行政拘留五日")
    Talk.objects.create(nomination=nomination, date=today(), place="村部会议室", talkers="组织委员周某",
                        interviewee="老党员吴某", category=TalkCategory.PARTY_REP, content="谈话反映其脾气急躁",
                        recorded_by=office)
    InspectionReport.objects.create(nomination=nomination, text="考察材料：群众基础较好但经验不足",
                                    inspectors="考察组成员郑某", updated_by=office)
    meeting = CommitteeMeeting.objects.create(round=round_, date=today(), attendees="参会的书记钱某",
                                              recorded_by=office)
    CommitteeDecision.objects.create(meeting=meeting, nomination=nomination, outcome="approve",
                                     reason="研究理由：同意列为人选")
    second = NominationFactory(round=round_, village=village_a, person=PersonFactory(name="孙志强"),
                               created_by=office, approved=True, work_unit_post="村民小组长")

    notice = services.notice_publish(
        actor=office, round_=round_, village=village_a, start_date=today(),
        contact_phone="0579-88880000", contact_address="青山镇人民政府组织办",
        public_url_for=lambda n: PUBLIC_BASE + n.get_public_url(),
    )
    # Objections: one online with a name and phone, one the office recorded.
    online = services.objection_lodge_public(notice=notice, content="异议内容：她收过承包户的礼金",
                                             name="举报人吴独特", phone="13600001234",
                                             entry=notice.entries.get(name="林晓雯"))
    services.objection_record(actor=office, notice=notice, channel=Objection.Channel.PHONE,
                              content="来电反映：他不住在村里", name="来电人冯某某", phone="0579-86661234")

    nomination.refresh_from_db()
    assert nomination.status == "publicised"
    forbidden = [
        person.id_number, person.id_number[:17], person.id_number[6:14], nomination.phone,
        nomination.hukou_address, "幸福路88号",
        "1995-06-15", "1995年6月15日", "1995年06月15日", "1995.06.15", "1995/06/15", "19950615", "1995.6.15",
        "2016-07-01", "2016年7月", "2016.07", "2017-08-01", "2017年8月", "2017.08",  # party / work dates
        "本人曾独自承包鱼塘", "县级优秀青年", "浙江农林大学", "2013.09", "2013年9月", "2017.06",
        "林大山", "父亲", "1968", "务农在家", "林大海", "叔侄",
        "有酒驾记录", "不予采纳理由", "因赌博被行政拘留", "受过治安拘留",
        "村部会议室", "组织委员周某", "老党员吴某", "脾气急躁", "群众基础较好", "考察组成员郑某",
        "参会的书记钱某", "同意列为人选",
        "收过承包户的礼金", "举报人吴独特", "13600001234", "不住在村里", "来电人冯某某", "0579-86661234",
        *secrets,
    ]
    allowed = ["林晓雯", "女", "1995.06", "大学本科", "中共党员", "东山村会计",
               "孙志强", "男", "村民小组长", "群众", "高中（中专、职高、技校）"]

    def without_tokens(text):
        # Random tokens (the notice's, the CSRF token) could contain a digit run by chance.
        text = text.replace(notice.token, "")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    pages = {
        "page": without_tokens(html(client.get(notice.get_public_url()))),
        "refused form": without_tokens(html(lodge(client, notice, content=""))),
        "receipt": without_tokens(html(client.get(receipt_url(online)))),
    }
    pages["pdf"] = re.sub(r"\s+", "", pdf_text(notice.pdf.read())).replace(notice.token, "")

    leaks = {where: [v for v in forbidden if v in text] for where, text in pages.items()}
    # A receipt number is shown only on its own receipt page.
    assert online.receipt not in pages["page"] + pages["refused form"] + pages["pdf"]
    assert leaks == {where: [] for where in pages}
    for where in ("page", "pdf"):
        missing = [v for v in allowed if v not in pages[where]]
        assert missing == [], f"{where} lacks {missing}"
    # The six fields are the only ones a notice entry has.
    assert NoticeEntry.PUBLIC_FIELDS == ("name", "gender", "birth_month", "education", "political_status",
                                         "work_unit_post")
    # (withdrawn_on is no personal field: the page shows only that the person is no longer proposed, not why.)
    assert {f.name for f in NoticeEntry._meta.concrete_fields} == {
        "id", "notice", "nomination", "order", "withdrawn_on", *NoticeEntry.PUBLIC_FIELDS}
    assert second.pk in set(Nomination.objects.filter(status="publicised").values_list("pk", flat=True))


def test_the_page_does_not_touch_the_nomination(client, in_force):
    """The page reads the notice and its snapshot rows, never the nominations or people behind them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(in_force.get_public_url()).status_code == 200
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    for table in ("candidates_nomination", "candidates_person", "vetting_", "publicity_objection"):
        assert table not in sql
    assert len(ctx.captured_queries) <= 6


def test_a_new_village_notice_is_found_only_by_its_token(client, office, round_, town):
    village = VillageFactory(town=town, name="南湖村")
    notice = make_notice(office, round_, village, start=today(), end=today() + datetime.timedelta(days=6))
    assert len(notice.token) >= 16
    assert client.get(f"/p/{notice.pk}/").status_code == 404
    assert client.get(notice.get_public_url()).status_code == 200
