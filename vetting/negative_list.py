"""The default negative list (village plan §二, items 1–13) and which departments check each item.

The office edits both per round; these are only what a new round starts with.
"""

DEFAULT_ITEMS = (
    (1, "贯彻执行党的路线方针政策不积极、不认真甚至消极对抗的", ("纪委",)),
    (2, "不积极协助上级党委、政府工作，不服从村党组织的领导，甚至消极对抗的", ("纪委", "民政所")),
    (3, "触犯法律法规，正被司法机关立案侦查、审查起诉、判处管制以上刑罚或刑罚执行完结的", ("派出所", "司法所")),
    (4, "党员近三年来曾被作为教育转化对象或民主评议为不合格的，正被纪检机关立案调查的，受撤销党内职务处分不满2年的，"
        "受留党察看处分期满恢复党员权利未满{probation_years}年的，受开除党籍处分不满{expulsion_years}年的", ("纪委",)),
    (5, "违反计划生育法律法规，违法生育未经处理、处理未完结或处理完结未满{family_planning_years}年的", ("计生办",)),
    (6, "{since_year}年以来曾被公安机关、审判机关处以行政拘留或司法拘留处罚的", ("派出所", "司法所")),
    (7, "违反信访有关规定，组织、参与或煽动、教唆他人进行信访活动的", ("信访办",)),
    (8, "{since_year}年以来因危害集体利益、群众合法权益或破坏经营秩序、侵占挪用集体资产被有关部门查处的",
        ("经管站", "审计所", "扶贫办")),
    (9, "搞封建迷信活动或参与邪教组织的；搞宗族派性的；道德品行不端，不遵守村规民约，不履行村民义务的", ("派出所", "民政所")),
    (10, "有恶意失信行为被法院纳入失信被执行人名单且至今未撤销的", ("司法所",)),
    (11, "{since_year}年以来因违法用地、违法建房、损害生态环境被查处的", ("国土所", "环保办")),
    (12, "身体状况差，不能正常履行职责的", ("民政所",)),
    (13, "具有其他不宜担任村级后备干部的情形", ("纪委", "武装部")),
)

# Names under which towns keep the same office (机构改革 renamed several). An item of the default list
# that names one of these is suggested to the town's department of any name in its group; the office
# confirms the suggestion on the negative list page before the round's first dispatch.
DEPARTMENT_EQUIVALENTS = (
    ("计生办", "卫健办", "卫生健康办", "卫计办", "卫生计生办", "卫生院"),
    ("国土所", "自然资源所", "规划所", "自然资源和规划所", "国土资源所", "自然资源办"),
    ("环保办", "生态环境办", "环保所", "生态环境所", "生态环境分局"),
    ("扶贫办", "乡村振兴办", "乡村振兴站", "农业农村办"),
    ("派出所", "公安", "公安派出所", "公安分局"),
    ("法庭", "法院", "人民法庭"),
    ("纪委", "纪检", "纪工委", "纪检监察", "监察办"),
    ("信访办", "信访", "信访室", "综治信访"),
    ("综治办", "政法", "综治中心", "平安办", "政法委"),
    ("市场监管所", "工商所", "市场监督管理所", "市场监管"),
    ("司法所", "司法"),
    ("民政所", "民政办", "社会事务办", "社会事务"),
    ("经管站", "经管", "农经站", "三资"),
    ("审计所", "审计"),
    ("武装部", "人武部"),
)


def suggest_departments(name: str, departments) -> list:
    """The town's departments suggested for a department name of the default list that the town does not
    have: the same name first, else any department named (or whose name contains) an equivalent."""
    departments = list(departments)
    exact = [d for d in departments if d.name == name]
    if exact:
        return exact
    group = next((g for g in DEPARTMENT_EQUIVALENTS if name in g), (name,))
    same = [d for d in departments if d.name in group]
    if same:
        return same
    return [d for d in departments if any(alias in d.name for alias in group)]
