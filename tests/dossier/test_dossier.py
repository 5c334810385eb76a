"""The one-person file (一人一档, issue 12 point 6): its content per section (text extracted from a real PDF), the
masked ID number, who may read it (office and committee; others 403, another town 404, anonymous to the sign-in
page), the audit rows, the card on the reserve's page, and the query count, constant whatever the records."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks import dossier as bench
from dossier import selectors
from reserve.models import AuditEntry
from reserve.roles import Role
from training.models import Reserve
from training.panels import when_key

from ..factories import ReserveFactory, UnitFactory, UserFactory
from ..helpers import page, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(town, office, committee):
    return bench.build(bench.SCALES["tiny"], town=town, office=office, committee=committee)


def _url(name, reserve):
    return reverse(f"dossier:{name}", args=[reserve.pk])


# ----------------------------------------------------------------------------------------------- content


def test_the_pdf_holds_every_section(client, built, office):
    reserve = built.reserve
    client.force_login(office)
    response = client.get(_url("dossier_pdf", reserve))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content).replace("\n", "").replace(" ", "")
    # the heading: the town's party committee, the title, the date printed, page numbers
    assert "中共青山镇委员会" in text and "后备干部一人一档" in text and "打印日期" in text
    assert "第1页共" in text
    # 1. 基本情况: the ID number masked, never whole
    number = reserve.person.id_number
    assert number not in text and f"{number[:6]}********{number[-4:]}" in text
    assert "王建华" in text and "中共党员" in text and "第三梯队" in text
    # 2. 自荐表: statement, résumé, family, relatives on the 两委
    assert "本人热爱农村工作" in text and "简历单位1及职务" in text and "家属1" in text and "王大伟（村委会主任）" in text
    # 3. 资格联审: each department, the flagged item with its note and the office's decision
    assert "审查部门" in text and "违章建房，已拆除" in text and "不予采纳" in text
    # 4. 组织考察: talks counted by category, without what was said; appraisal; 考察材料
    assert "共谈话2人次" in text and "保密的谈话内容" not in text and "谈话对象1" not in text
    assert "收回" in text and "达到通过条件" in text and "政治立场坚定" in text
    # 5. 党委会研究 and 公示, the objections counted with their outcome, not their content
    assert "镇党委会研究：同意" in text and "村级后备干部人选公示" in text
    assert "收到反映1件" in text and "反映不属实" in text and "反映人的私密内容" not in text
    # 6. terms (the renewals), mentors
    assert "第1届" in text and "第3届" in text and "引路人1" in text and "引路人3" in text
    # 7. tasks with grades, training with hours per year and in total, talks, due talks
    assert "实践任务1" in text and "优秀" in text and "培训班1" in text and "学时" in text and "合计" in text
    assert "谈心主题1" in text and "谈心谈话的私密内容" not in text and "岗位调整1" in text
    # 8. assessments: grade, rank of the tier, the veto with its reason and approver, the adjustment
    assert "年度考核" in text and "第1名/12人" in text and "称职" in text
    assert "一票否决：违纪违法（批准人：孙书记" in text and "不予出库" in text
    # 9. history, in time order: the selection's steps before the pool's
    assert "记录（按时间）" in text


def test_full_scale_pdf_has_veto_and_adjustment(client, town, office, committee):
    built = bench.build(bench.SCALES["full"], town=town, office=office, committee=committee)
    client.force_login(committee)
    response = client.get(_url("dossier_pdf", built.reserve))
    text = pdf_text(response.content).replace("\n", "").replace(" ", "")
    assert "一票否决：违纪违法（批准人：孙书记" in text
    assert "不予出库" in text and "优先使用（推荐）" in text
    # the committee reads the vetting result in one sentence, never the findings
    assert "12个部门，已答复12个" in text and "违章建房" not in text


def test_history_is_in_time_order_and_merges_the_stages(built, office):
    d = selectors.dossier_of(office, built.reserve)
    keys = [when_key(row.when) for row in d.history]
    assert keys == sorted(keys)
    labels = [row.label for row in d.history]
    assert "镇党委会研究" in labels and "公示" in labels
    assert labels.index("镇党委会研究") < labels.index("公示")
    # each confirmed assessment appears (through the assessment's own timeline source), once
    for a in d.assessments:
        assert sum(1 for row in d.history if a.round.title in row.text and row.day == a.confirmed_on) == 1


def test_a_reserve_without_a_selection(client, town, office):
    unit = UnitFactory(town=town)
    reserve = ReserveFactory(town=town, unit=unit, tier=4, source=Reserve.Source.RECOMMENDED)
    client.force_login(office)
    body = page(client.get(_url("dossier", reserve)))
    assert "未经村级后备干部选拔入库" in body and 'id="vetting"' not in body
    d = selectors.dossier_of(office, reserve)
    assert d.nomination is None and d.vetting_rows == []


def test_page_shows_sections_and_mask(client, built, office):
    client.force_login(office)
    body = page(client.get(_url("dossier", built.reserve)))
    number = built.reserve.person.id_number
    assert number not in body and f"{number[:6]}********{number[-4:]}" in body
    for anchor in ("basic", "nomination", "vetting", "inspection", "decision", "pool", "cultivation", "assessment",
                   "history"):
        assert f'id="{anchor}"' in body
    assert "<script" not in body.split("</nav>")[1].split("</main>")[0]
    # whole hours read as whole numbers, as on the pool's pages (16学时, not 16.0学时)
    assert "学时" in body and not re.search(r"\d\.0\s*(学时|</td>)", body)


# ----------------------------------------------------------------------------------------------- permissions


@pytest.mark.parametrize("name", ["dossier", "dossier_pdf"])
@pytest.mark.parametrize("who", ["village_a_user", "unit_user", "mentor", "dept_x_user"])
def test_other_roles_are_refused(client, request, built, name, who):
    user = request.getfixturevalue(who)
    reserve = built.reserve
    if who == "mentor":  # even the reserve's own mentor
        Reserve.objects.filter(pk=reserve.pk).update(mentor=user)
    if who == "village_a_user":
        Reserve.objects.filter(pk=reserve.pk).update(village=user.village)
    client.force_login(user)
    before = AuditEntry.objects.filter(action__in=["view", "download"]).count()
    assert client.get(_url(name, reserve)).status_code == 403
    assert AuditEntry.objects.filter(action__in=["view", "download"]).count() == before


@pytest.mark.parametrize("name", ["dossier", "dossier_pdf"])
def test_another_towns_office_gets_404(client, built, other_office, name):
    client.force_login(other_office)
    assert client.get(_url(name, built.reserve)).status_code == 404


@pytest.mark.parametrize("name", ["dossier", "dossier_pdf"])
def test_anonymous_goes_to_sign_in(client, built, name):
    response = client.get(_url(name, built.reserve))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("pk", ["0", "99999999", "9" * 30])
def test_garbage_ids_are_404(client, office, pk):
    client.force_login(office)
    assert client.get(f"/pool/{pk}/dossier/").status_code == 404
    assert client.get(f"/pool/{pk}/dossier.pdf").status_code == 404


def test_post_is_refused(client, built, office):
    client.force_login(office)
    assert client.post(_url("dossier", built.reserve)).status_code == 405


# ----------------------------------------------------------------------------------------------- audit


def test_each_view_and_download_is_audited(client, built, committee):
    client.force_login(committee)
    client.get(_url("dossier", built.reserve))
    client.get(_url("dossier_pdf", built.reserve))
    rows = list(AuditEntry.objects.filter(object_id=str(built.reserve.pk), action__in=["view", "download"])
                .order_by("id"))
    assert [(r.action, r.detail) for r in rows] == [("view", {"page": "dossier", "findings": False}),
                                                   ("download", {"file": "dossier_pdf", "findings": False})]
    assert all(r.user_id == committee.pk and r.object_repr == f"后备干部 #{built.reserve.pk}" for r in rows)
    assert all("王建华" not in str(r.detail) for r in rows)


def test_the_offices_view_is_audited_as_showing_findings(client, built, office):
    client.force_login(office)
    client.get(_url("dossier", built.reserve))
    client.get(_url("dossier_pdf", built.reserve))
    details = list(AuditEntry.objects.filter(object_id=str(built.reserve.pk), action__in=["view", "download"])
                   .order_by("id").values_list("detail", flat=True))
    assert details == [{"page": "dossier", "findings": True}, {"file": "dossier_pdf", "findings": True}]


# ----------------------------------------------------------------------------------------------- the card


def test_the_reserve_page_links_to_the_dossier(client, built, office, committee, mentor):
    for user, batch in ((office, True), (committee, False)):
        client.force_login(user)
        body = page(client.get(built.reserve.get_absolute_url()))
        assert _url("dossier", built.reserve) in body and _url("dossier_pdf", built.reserve) in body
        assert ('id="dossier-batch-link"' in body) is batch
    Reserve.objects.filter(pk=built.reserve.pk).update(mentor=mentor)
    client.force_login(mentor)
    response = client.get(built.reserve.get_absolute_url())
    assert response.status_code == 200 and 'id="dossier-panel"' not in page(response)


# ----------------------------------------------------------------------------------------------- query count


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_constant_whatever_the_records(client, town, office, committee):
    few = bench.Scale(resume=1, family=1, departments=1, items=1, talks=1, tasks=3, meetings=1, courses=3,
                      heart_talks=3, due_talks=1, assessments=3, objections=1, report_chars=100)
    many = bench.Scale(resume=9, family=7, departments=6, items=5, talks=9, tasks=30, meetings=8, courses=30,
                       heart_talks=30, due_talks=9, assessments=6, objections=4, report_chars=900)
    a = bench.build(few, town=town, office=office, committee=committee, name="甲")
    b = bench.build(many, town=town, office=office, committee=committee, name="乙")
    for user in (office, committee):
        client.force_login(user)
        _queries(client, _url("dossier", a.reserve))  # warm the caches (content types, sessions)
        assert _queries(client, _url("dossier", a.reserve)) == _queries(client, _url("dossier", b.reserve))


def test_selector_query_count_is_constant(town, office):
    few = bench.build(bench.SCALES["tiny"], town=town, office=office, name="甲")
    many = bench.build(bench.SCALES["full"], town=town, office=office, name="乙")
    def fresh(reserve):  # as a request reads it (a reserve object keeps what its page read: training.panels)
        return selectors.get_reserve_for_dossier_or_404(office, reserve.pk)

    selectors.dossier_of(office, fresh(few.reserve))
    few_reserve, many_reserve = fresh(few.reserve), fresh(many.reserve)
    with CaptureQueriesContext(connection) as small:
        selectors.dossier_of(office, few_reserve)
    with CaptureQueriesContext(connection) as large:
        selectors.dossier_of(office, many_reserve)
    assert len(small.captured_queries) == len(large.captured_queries) < 40


def test_dates_are_never_in_the_future(built, office):
    d = selectors.dossier_of(office, built.reserve, today=timezone.localdate())
    assert all(row.day <= d.printed_on for row in d.history)


def test_a_role_outside_the_town_is_refused_by_the_selector(built):
    stranger = UserFactory(role=Role.OFFICE)  # an office without a town sees nothing
    from reserve.exceptions import NotFound

    with pytest.raises(NotFound):
        selectors.get_reserve_for_dossier_or_404(stranger, built.reserve.pk)
