"""Names the registry knows (with aliases), for linking candidates to existing entities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.datafiles import CuratedData

#: posts of Chinese official and professional reporting, beyond the registry's roles
GENERIC_ROLES = (
    "新闻发言人", "党组书记", "党组成员", "党委书记", "党委副书记", "总书记", "一级巡视员",
    "二级巡视员", "一级调研员", "二级调研员", "巡视员", "调研员", "司长", "副司长", "局长",
    "副局长", "厅长", "副厅长", "处长", "副处长", "部长", "副部长", "主任", "副主任", "院长",
    "副院长", "所长", "副所长", "站长", "科长", "主任医师", "副主任医师", "主治医师", "医师",
    "乡村医生", "医生", "护士长", "科主任", "书记", "副书记", "主席", "副主席", "秘书长",
    "省长", "副省长", "市长", "副市长", "县长", "副县长", "委员", "主任委员", "常委", "会长",
    "副会长", "理事长", "总经济师", "总会计师", "总工程师", "总规划师", "首席专家", "院士",
    "教授", "研究员", "副教授", "董事长", "总经理",
)

#: nouns that end the name of an organisation (longest first)
ORG_SUFFIXES = (
    "卫生健康委员会", "卫生健康委", "卫健委", "委员会", "管理局", "医保局", "药监局", "疾控局",
    "办公厅", "办公室", "卫生服务中心", "卫生服务站", "卫生室", "卫生院", "医院", "中心", "大学",
    "学院", "研究院", "研究所", "协会", "学会", "政府", "集团", "公司", "委", "局", "部", "司",
    "厅", "处", "科", "所", "站", "院", "室", "办", "系", "组",
)

#: common single-character and compound surnames (for names the registry does not know)
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申"
    "欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴"
    "蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席"
    "卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟"
    "邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强"
    "帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍"
    "辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉"
    "冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由才习傅缐仉晁鄂蔚訾"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容",
                     "令狐", "长孙", "宇文", "司徒", "夏侯", "端木")


def _bare(text: str) -> str:
    return re.sub(r"\s", "", text)


@dataclass
class Lexicon:
    """Chinese names and aliases of registry entities, by kind, longest first."""

    names: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: CuratedData | None) -> Lexicon:
        lexicon = cls()
        if data is None:
            return lexicon
        for entity_id, entity in data.entities.items():
            table = lexicon.names.setdefault(entity.KIND, {})
            for name in (entity.name_zh, *entity.aliases_zh):
                table.setdefault(_bare(name), entity_id)
        return lexicon

    def lookup(self, kind: str, name: str) -> str | None:
        return self.names.get(kind, {}).get(_bare(name))

    def kind_names(self, *kinds: str) -> list[tuple[str, str, str]]:
        """(name, kind, id) of the given kinds, longest name first."""
        out = [(n, k, i) for k in kinds for n, i in self.names.get(k, {}).items()]
        return sorted(out, key=lambda t: -len(t[0]))

    def roles(self) -> list[str]:
        """Every post title, registry and generic, longest first."""
        titles = {*GENERIC_ROLES, *self.names.get("role", {})}
        return sorted((t for t in titles if len(t) >= 2), key=len, reverse=True)

    def find_all(self, text: str, *kinds: str) -> list[tuple[int, int, str, str]]:
        """Non-overlapping (start, end, kind, id) of registry names in text, longest first."""
        taken = bytearray(len(text))  # 1 where a name already found covers the character
        found = []
        for name, kind, entity_id in self.kind_names(*kinds):
            if len(name) < 2:
                continue
            start = text.find(name)
            while start >= 0:
                end = start + len(name)
                if taken.find(1, start, end) < 0:
                    taken[start:end] = b"\x01" * len(name)
                    found.append((start, end, kind, entity_id))
                start = text.find(name, start + 1)
        return sorted(found)


def looks_like_name(text: str) -> bool:
    """A plausible Chinese personal name: a known surname and 1-2 (or 2-3) given characters."""
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", text):
        return False
    if text[:2] in COMPOUND_SURNAMES:
        return len(text) in (3, 4)
    return text[0] in SURNAMES and len(text) in (2, 3)
