"""Interface text in Chinese and English, and which of the two a request gets.

The language is chosen by `?lang=zh|en`, then the `lang` cookie (set whenever
`?lang=` is given, so the choice sticks), then `Accept-Language` (q-weights
honoured). With none of these, Chinese: the data are Chinese, every entity has
a Chinese label but not always an English one. A browser that asks only for
other languages gets English, the more likely second language of such a reader.
Data labels come from the graph (rdfs:label@zh/@en, hkg:pinyin); this module
holds only the interface's own words.
"""

from __future__ import annotations

import re

from markupsafe import Markup
from starlette.requests import Request

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 86400
_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}|\*)(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "site.title": ("中国卫生健康政策知识图谱", "China health-policy knowledge graph"),
    "site.short": ("卫生健康政策知识图谱", "China health-policy KG"),
    "site.tagline": ("2025年谁宣布了哪些卫生健康政策目标、报告了哪些结果，每条断言都附有来源原文。",
                     "Who announced which health-policy target in 2025, what was reported "
                     "against it, and the source quote behind every claim."),
    "nav.home": ("首页", "Home"),
    "nav.search": ("搜索", "Search"),
    "nav.scorecard": ("实事成绩单", "Scorecard"),
    "nav.queries": ("常用查询", "Saved questions"),
    "nav.sparql": ("SPARQL", "SPARQL"),
    "nav.downloads": ("下载", "Downloads"),
    "nav.api": ("API", "API"),
    "nav.switch": ("English", "中文"),
    "search.placeholder": ("人名、机构、地区、指标或原文…",
                           "Name, agency, region, indicator or quote…"),
    "search.button": ("搜索", "Search"),
    "search.title": ("搜索", "Search"),
    "search.results": ("共 {n} 条结果", "{n} results"),
    "search.none": ("没有找到“{q}”。", "Nothing found for “{q}”."),
    "search.quotes": ("原文片段", "Quotes from the sources"),
    "search.all": ("全部", "All"),
    "search.empty": ("请输入要搜索的内容。", "Type something to search for."),
    "search.hint": ("可用中文、英文或拼音（如 {examples}）。",
                    "Chinese, English or pinyin (e.g. {examples})."),
    "question.answer": ("问题的答案", "Answer to the question"),
    "question.none": ("认出了这个问题，但图谱中没有答案。",
                      "The question was understood, but the graph holds no answer."),
    "question.rows": ("{n} 条依据", "{n} supporting rows"),
    "question.more": ("另有 {n} 条，见查询页面。", "{n} more on the query's page."),
    "question.how": ("如何得出这个答案", "How this was answered"),
    "question.template": ("问题模板", "Question template"),
    "question.query": ("常用查询", "Saved query"),
    "question.params": ("参数", "Parameters"),
    "question.run": ("在查询页面运行", "Run it on its page"),
    "question.edit": ("在 SPARQL 编辑器中打开", "Open it in the SPARQL editor"),
    "question.unresolved": ("没有理解问题中的“{text}”：图谱中没有这个名称的{kinds}。"
                            "以下是普通搜索结果。",
                            "“{text}” in the question was not understood: no {kinds} of that "
                            "name is in the graph. Ordinary search results follow."),
    "question.unknown": ("没有认出这个问题的句式，以下是普通搜索结果。"
                         "可以这样问：谁宣布了托位目标？儿科服务的目标完成了吗？焦雅辉担任过哪些职务？",
                         "This question's form was not recognised; ordinary search results "
                         "follow. Questions like these are answered: Who announced the new "
                         "affordable childcare places target? Was the paediatric services task "
                         "met? What posts has Jiao Yahui held?"),
    "question.source": ("来源", "Source"),
    "home.scorecard.more": ("查看完整成绩单", "Full scorecard"),
    "home.scorecard.year": ("{year}年为民服务实事", "The {year} service tasks"),
    "home.entries": ("浏览", "Browse"),
    "home.holds": ("图谱内容", "What the graph holds"),
    "home.sources": ("来源文章", "Source articles"),
    "home.more": ("全部 {n} 项", "all {n}"),
    "graph.title": ("关系图", "Graph"),
    "graph.lead": ("与本条目直接相连的实体（每种颜色一类；双击节点打开其页面，单击展开其邻居）。",
                   "The entities linked to or from this one (one colour per kind; click a node "
                   "to expand it, double-click to open its page)."),
    "graph.none": ("没有与其他实体的链接。", "No links to other entities."),
    "graph.more": ("仅显示前 {n} 个。", "Only the first {n} are shown."),
    "graph.path.link": ("查找与另一实体之间的路径", "Find a path to another entity"),
    "graph.path.title": ("两个实体之间的路径", "Paths between two entities"),
    "graph.path.lead": ("两个实体之间最短的类型化链接（任一方向，最多 {n} 步）。",
                        "The shortest chains of typed links between two entities (either "
                        "direction, at most {n} steps)."),
    "graph.path.from": ("从", "From"),
    "graph.path.to": ("到", "To"),
    "graph.path.find": ("查找", "Find"),
    "graph.path.none": ("{n} 步之内没有路径。", "No path within {n} steps."),
    "graph.open": ("打开页面", "Open page"),
    "home.tools.path": ("路径查找：两个实体之间如何相连",
                        "Path finder: how two entities are linked"),
    "home.tools": ("给数据使用者", "For data users"),
    "home.tools.queries": ("常用查询：每个问题都有表单、表格和 API",
                           "Saved questions: each one a form, a table and an API operation"),
    "home.tools.sparql": ("SPARQL 端点（只读，SPARQL 1.1 协议）",
                          "SPARQL endpoint (read-only, SPARQL 1.1 Protocol)"),
    "home.tools.downloads": ("六种 RDF 格式的数据下载，附 VoID 与 DCAT 描述",
                             "Downloads in six RDF formats, described with VoID and DCAT"),
    "home.tools.docs": ("OpenAPI 文档", "OpenAPI documentation"),
    "home.version": ("数据版本", "Dataset version"),
    "kind.person": ("人员", "People"),
    "kind.agency": ("机构", "Agencies"),
    "kind.region": ("地区", "Regions"),
    "kind.indicator": ("指标", "Indicators"),
    "kind.source": ("来源文章", "Sources"),
    "kind.task": ("实事任务", "Service tasks"),
    "kind.facility": ("机构设施", "Facilities"),
    "kind.document": ("文件", "Documents"),
    "kind.event": ("活动", "Events"),
    "kind.policy": ("政策措施", "Policy measures"),
    "kind.outlet": ("媒体", "News outlets"),
    "kind.role": ("职务", "Roles"),
    "kind.post": ("岗位", "Posts"),
    "kind.unit": ("单位", "Units"),
    "kind.programme": ("实事项目", "Programmes"),
    "kind.claim": ("断言", "Claims"),
    "kind.speaker": ("匿名发言者", "Unnamed speakers"),
    "kind.product": ("产品与平台", "Products and platforms"),
    "kind.group": ("机构类别与人群", "Institution classes and populations"),
    "kind.assessment": ("评估", "Assessments"),
    "kind.other": ("其他", "Other"),
    "list.count": ("共 {n} 项", "{n} in all"),
    "page.prev": ("上一页", "Previous"),
    "page.next": ("下一页", "Next"),
    "page.of": ("第 {page} 页，共 {pages} 页", "Page {page} of {pages}"),
    "scorecard.title": ("{year}年为民服务实事成绩单", "Scorecard of the {year} service tasks"),
    "scorecard.intro": ("每项任务一行：承诺的目标、期限、由谁在何处宣布；报告的结果与报告者；"
                        "评估结论；原文与来源一键可达。",
                        "One row per task: each target's promised value and deadline, who "
                        "announced it where; the reported results and who reported them; the "
                        "assessment; quotes and sources one click away."),
    "scorecard.none": ("没有 {year} 年的实事项目。", "No programme of service tasks for {year}."),
    "scorecard.task": ("任务", "Task"),
    "scorecard.years": ("年份", "Years"),
    "scorecard.continues": ("延续上一年的任务：", "Carries on the earlier task:"),
    "scorecard.continued_by": ("下一年延续为：", "Carried on by:"),
    "scorecard.targets": ("目标", "Targets"),
    "scorecard.results": ("结果", "Results"),
    "scorecard.status": ("评估", "Assessment"),
    "scorecard.no_targets": ("来源中没有该任务的量化目标。",
                             "The sources give no quantified target for this task."),
    "scorecard.conflict": ("来源之间数字不一致", "Sources disagree"),
    "scorecard.chart": ("目标与结果", "Target and result"),
    "scorecard.announced": ("宣布", "announced by"),
    "scorecard.reported": ("报告", "reported by"),
    "scorecard.deadline": ("期限", "deadline"),
    "scorecard.sources": ("来源", "sources"),
    "scorecard.figures": ("相关数据", "Other figures"),
    "col.target": ("目标", "Target"),
    "col.result": ("结果", "Result"),
    "entity.names": ("名称", "Names"),
    "entity.rdf": ("RDF 格式", "As RDF"),
    "entity.evidence": ("原文证据", "Evidence"),
    "entity.source": ("来源", "Source"),
    "entity.statements": ("属性", "Statements"),
    "entity.claims": ("提及它的断言", "Claims that mention it"),
    "entity.incoming": ("被引用", "Linked from"),
    "entity.incoming.count": ("共 {n} 条链接", "{n} links"),
    "entity.timeline": ("时间线", "Timeline"),
    "entity.posts": ("职务", "Posts"),
    "entity.career": ("履历", "Career"),
    "entity.reading": ("原文阅读", "The article"),
    "entity.reading.more": ("此处有 {n} 条陈述", "{n} claims quote this passage"),
    "entity.reading.absent": ("本机没有该文章原文（项目不保存全文），以下只列出各条陈述的引文。",
                              "The article is not on this machine (the project holds no full "
                              "texts): only each claim's quote is shown."),
    "entity.attested_in": ("见于", "attested in"),
    "entity.post_holders": ("此职务的任职者", "who held this post"),
    "entity.said": ("宣布与报告", "Announced and reported"),
    "entity.departments": ("内设机构", "Departments"),
    "entity.people": ("人员", "People"),
    "entity.subregions": ("下级地区", "Sub-regions"),
    "entity.facilities": ("机构设施", "Facilities"),
    "entity.figures": ("数据", "Figures"),
    "entity.chart": ("各地各时数据", "Figures across places and dates"),
    "nav.skip": ("跳到正文", "Skip to content"),
    "nav.menu": ("菜单", "Menu"),
    "map.heading": ("各省数据", "Figures by province"),
    "map.title": ("各省{title}地图", "Map of {title} by province"),
    "bars.title": ("各省{title}条形图", "Bar chart of {title} by province"),
    "map.caption": ("{total}个省级行政区中有{n}个报告了此指标。",
                    "{n} of {total} provinces report this indicator."),
    "map.missing": ("无数据（斜线）：{names}。", "No figure (hatched): {names}."),
    "map.off_map": ("不在地图上：{names}。", "Not on the map: {names}."),
    "map.no_data": ("无数据", "no figure"),
    "map.region.710000": ("台湾", "Taiwan"),
    "map.region.810000": ("香港", "Hong Kong"),
    "map.region.820000": ("澳门", "Macau"),
    "list.sep": ("、", ", "),
    "map.coverage": ("各指标覆盖的省份", "Provinces each indicator covers"),
    "map.provinces": ("{total}个省级行政区中的{n}个", "{n} of {total} provinces"),
    "map.caption_any": ("{total}个省级行政区中有{n}个报告了其中至少一项指标。",
                        "{n} of {total} provinces report at least one of these indicators."),
    "map.indicators": ("{n}项指标", "{n} indicators"),
    "map.indicator_count": ("报告的指标数", "Number of indicators reported"),
    "entity.targets": ("目标", "Targets"),
    "entity.claims_in_order": ("按原文顺序的断言", "Claims in text order"),
    "entity.outlet": ("媒体", "Outlet"),
    "entity.issued": ("日期", "Date"),
    "entity.graph": ("所在图", "Graph"),
    "entity.type": ("类型", "Type"),
    "entity.as": ("作为", "as"),
    "entity.quote": ("原文", "Quote"),
    "entity.attribution": ("谁说的，原文何处说", "Who said it, and where the text says so"),
    "entity.attribution.short": ("归属", "Attributed"),
    "entity.attribution.inferred": ("原文未指明，由整理者推断",
                                    "the text does not say; the curators inferred it"),
    "entity.attribution.in_quote": ("原文证据本身指明", "the quote itself names them"),
    "entity.attribution.reason": ("推断理由", "Reason"),
    "entity.printed": ("原文所印名称", "Names as printed"),
    "entity.policy": ("政策内容", "What it does"),
    "entity.policy.action": ("行动", "Action"),
    "entity.policy.object": ("对象", "Acts on"),
    "entity.policy.scope": ("适用范围", "Scope"),
    "entity.policy.parts": ("子项", "Parts"),
    "entity.policy.part_of": ("所属", "Part of"),
    "entity.policy.stated": ("谁陈述了它", "Who stated it"),
    "entity.policy.unattributed": ("原文未指明", "not attributed in the text"),
    "entity.policy.effective": ("自{date}起施行", "in effect from {date}"),
    "entity.printed.inferred": ("由整理者推断为同一实体", "tied to the entity by the curators"),
    "entity.printed.stated": ("原文表明为同一实体", "the text ties it to the entity"),
    "missing.title": ("未找到", "Not found"),
    "missing.detail": ("{iri} 不是本数据集的资源", "{iri} is not a resource of this dataset"),
    "missing.try": ("试试搜索：", "Try a search:"),
    "query.run": ("运行", "Run"),
    "query.rows": ("{n} 行", "{n} rows"),
    "query.truncated": ("已截断于行数上限", "cut at the row limit"),
    "query.also": ("其他格式：", "Also as"),
    "query.answer": ("答案", "Answer"),
    "query.candidates": ("可能是：", "Did you mean:"),
    "query.pick": ("输入名称即可（也可用 IRI 或前缀名）",
                   "Type a name (an IRI or prefixed name also works)"),
    "param.invalid": ("“{param}”：{value} 不是有效的{type}。",
                      "{param}: {value} is not a valid {type}."),
    "param.empty": ("“{param}”为空（不填即用默认值）。",
                    "{param} is empty (leave it out for its default)."),
    "param.required": ("请填写“{param}”。", "{param} is required."),
    "param.unknown": ("本查询没有参数“{param}”（它的参数：{value}）。",
                      "This query has no parameter {param} (it takes: {value})."),
    "param.too-long": ("“{param}”的值太长（最多 {value} 个字符）。",
                       "{param}: the value is too long (at most {value} characters)."),
    "param.no-match": ("“{param}”：没有名为“{value}”的实体。",
                       "{param}: nothing is named “{value}”."),
    "param.ambiguous": ("“{param}”：“{value}”可指多个实体，请选择一个。",
                        "{param}: “{value}” names several entities; pick one."),
    "param.not-instance": ("“{param}”：{value} 不是所需类型的实体。",
                           "{param}: {value} is not an entity of the kind asked for."),
    "queries.title": ("常用查询", "Saved questions"),
    "queries.intro": ("每个问题都是 {folder} 中的一个 SPARQL 文件，可在此运行，也可通过 API 调用，"
                      "或以 RDF 获取目录。",
                      "Each question is a SPARQL file in {folder}; run it here, from the API, "
                      "or get the catalogue as RDF."),
    "queries.question": ("问题", "Question"),
    "queries.params": ("参数", "Parameters"),
    "queries.tags": ("标签", "Tags"),
    "dataset.title": ("数据集", "The dataset"),
    "dataset.triples": ("三元组", "triples"),
    "dataset.classes": ("类", "Classes"),
    "dataset.graphs": ("命名图", "Named graphs"),
    "dataset.resources": ("资源数", "Resources"),
    "dataset.class": ("类", "Class"),
    "downloads.title": ("下载", "Downloads"),
    "downloads.lead": ("整个图谱，数据版本 {version}。四元组格式保留命名图（本体、实体、"
                       "推导、每篇来源文章一个）；三元组格式将其合并。"
                       "VoID 与 DCAT 描述见 {void}。许可：CC0 1.0。",
                       "The whole graph, dataset version {version}. Quad formats keep the named "
                       "graphs (ontology, entities, derived, one per source article); triple "
                       "formats merge them. Described with VoID and DCAT at {void}. Licence: "
                       "CC0 1.0."),
    "downloads.file": ("文件", "File"),
    "downloads.format": ("格式", "Format"),
    "downloads.media": ("媒体类型", "Media type"),
    "downloads.bytes": ("字节", "Bytes"),
    "downloads.unmade": ("首次下载时生成", "written when first downloaded"),
    "downloads.tables": ("电子表格用的表", "Tables for spreadsheets"),
    "downloads.tables.lead": ("目标、数据、职务与评估，每条断言一行，每个实体都有中英文名称："
                              "CSV 文件（带 BOM 的 UTF-8，可直接用 Excel 打开，"
                              "首两行为中英文表头）和一个 "
                              "XLSX 工作簿，由 Frictionless {package} 描述。",
                              "Targets, measurements, posts and assessments, one row per claim, "
                              "every entity named in Chinese and English: CSV files (UTF-8 with "
                              "BOM, open directly in Excel; two header rows, Chinese and English) "
                              "and one XLSX workbook, described by a Frictionless {package}."),
    "downloads.workbook": ("全部四个表", "all four tables"),
    "table.targets": ("目标", "Targets"),
    "table.measurements": ("数据", "Measurements"),
    "table.posts": ("职务", "Posts"),
    "table.assessments": ("评估", "Assessments"),
    "sparql.title": ("SPARQL 端点", "SPARQL endpoint"),
    "sparql.protocol": ("SPARQL 1.1 协议：GET 或 POST（表单或 {media}）；"
                        "结果可为 JSON、XML、CSV 或 TSV，"
                        "图可为 Turtle、N-Triples、N-Quads、TriG、JSON-LD 或 RDF/XML，由 "
                        "{accept} 或 {format} 选择。",
                        "SPARQL 1.1 Protocol: GET or POST (form or {media}); results as JSON, "
                        "XML, CSV or TSV, graphs as Turtle, N-Triples, N-Quads, TriG, JSON-LD or "
                        "RDF/XML by {accept} or {format}."),
    "sparql.prefixes": ("项目前缀（{names}…）已预先声明。",
                        "The project prefixes ({names}…) are predeclared."),
    "sparql.limits": ("只读；不支持 {service} 与远程图。"
                      "每个查询最多运行 {timeout} 秒（超时返回 503）；"
                      "每个答案最多 {rows} 个解或三元组"
                      "（被截断时带 {header} 头）；"
                      "请求体最多 {bytes} 字节（否则返回 413）。",
                      "Read-only; no {service} and no remote graphs. Each query may run "
                      "{timeout} s (then 503); answers carry at most {rows} solutions or "
                      "triples (header {header} when cut); request bodies at most {bytes} bytes "
                      "(else 413)."),
    "sparql.examples": ("示例（常用查询）：", "Examples (saved questions):"),
    "sparql.keys": ("Ctrl-Enter 运行查询；Ctrl-Space 补全前缀、类和属性。表中的链接打开本站页面。",
                    "Ctrl-Enter runs the query; Ctrl-Space completes prefixes, classes and "
                    "properties. Links in the table open the pages of this site."),
    "sparql.format": ("格式", "Format"),
    "sparql.description": ("服务描述：", "Service description:"),
    "sparql.query": ("查询", "Query"),
    "sparql.question": ("问题", "Question"),
    "sparql.shows": ("显示{label}视图", "Shows {label} view"),
    "sparql.table": ("表格", "Table"),
    "sparql.response": ("原始响应", "Response"),
    "sparql.position": ("第 {line} 行，第 {column} 列", "line {line}, column {column}"),
    "sparql.search": ("筛选：", "Filter:"),
    "sparql.showing": ("第 _START_ 至 _END_ 行，共 _TOTAL_ 行", "Rows _START_ to _END_ of _TOTAL_"),
    "sparql.empty": ("没有结果", "No results"),
    "sparql.took": ("{n} 个结果，用时 {s} 秒", "{n} results in {s} seconds"),
    "query.type": ("类型", "type"),
    "query.sparql": ("SPARQL 查询", "The SPARQL query"),
    "entity.ontology": ("本体术语", "Ontology term"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "status.met": ("已达成", "met"),
    "status.exceeded": ("超额达成", "exceeded"),
    "status.not-met": ("未达成", "not met"),
    "status.no-result": ("暂无结果", "no result"),
    "status.partly": ("部分有结果", "partly reported"),
    "status.none": ("无量化目标", "no target"),
}

#: Titles of the saved queries' tags (`#+ tags:` in queries/*.rq).
TAGS: dict[str, tuple[str, str]] = {
    "agencies": ("机构", "agencies"), "assessment": ("评估", "assessment"),
    "attribution": ("归属", "attribution"), "claims": ("断言", "claims"),
    "comparison": ("比较", "comparison"), "dates": ("日期", "dates"),
    "departments": ("内设机构", "departments"), "documents": ("文件", "documents"),
    "events": ("活动", "events"), "exploration": ("探索", "exploration"),
    "facilities": ("机构设施", "facilities"), "figures": ("数据", "figures"),
    "indicators": ("指标", "indicators"), "labels": ("名称", "labels"),
    "officials": ("官员", "officials"), "paths": ("路径", "paths"),
    "policies": ("政策", "policies"), "posts": ("职务", "posts"),
    "provenance": ("出处", "provenance"), "provinces": ("省份", "provinces"),
    "quality": ("数据质量", "quality"), "regions": ("地区", "regions"),
    "relations": ("关系", "relations"), "results": ("结果", "results"),
    "search": ("搜索", "search"), "sources": ("来源", "sources"),
    "statements": ("陈述", "statements"), "targets": ("目标", "targets"),
    "tasks": ("任务", "tasks"), "timeline": ("时间线", "timeline"),
}

#: Parameter types of the saved queries, as their forms name them.
PARAMETER_TYPES: dict[str, tuple[str, str]] = {
    "iri": ("实体", "entity"), "string": ("文本", "text"), "integer": ("整数", "whole number"),
    "decimal": ("数值", "number"), "date": ("日期", "date"),
    "language": ("语言代码", "language code"),
}

#: Column titles for the variables of the saved queries (any other name is split at
#: its capitals: `issuerLabel` -> "issuer").
COLUMNS: dict[str, tuple[str, str]] = {
    "number": ("序号", "No."), "task": ("任务", "Task"), "taskLabel": ("任务", "Task"),
    "target": ("目标", "Target"), "indicator": ("指标", "Indicator"),
    "indicatorLabel": ("指标", "Indicator"), "comparator": ("比较", "Comparator"),
    "targetValue": ("目标值", "Target value"), "deadline": ("期限", "Deadline"),
    "status": ("评估", "Assessment"), "statusLabel": ("评估", "Assessment"),
    "resultValue": ("结果值", "Result"), "announcedBy": ("宣布者", "Announced by"),
    "reportedBy": ("报告者", "Reported by"), "targetSource": ("目标来源", "Target source"),
    "resultSources": ("结果来源", "Result sources"), "year": ("年份", "Year"),
    "lang": ("语言", "Language"), "claim": ("断言", "Claim"), "source": ("来源", "Source"),
    "person": ("人员", "Person"), "personLabel": ("人员", "Person"), "date": ("日期", "Date"),
    "quote": ("原文", "Quote"), "kind": ("类别", "Kind"), "kindLabel": ("类别", "Kind"),
    "value": ("数值", "Value"), "item": ("对象", "Item"), "itemLabel": ("对象", "Item"),
    "when": ("时间", "When"), "unit": ("单位", "Unit"), "unitLabel": ("单位", "Unit"),
    "place": ("地点", "Place"), "placeLabel": ("地点", "Place"), "post": ("职务", "Post"),
    "postLabel": ("职务", "Post"), "name": ("名称", "Name"), "class": ("类", "Class"),
    "role": ("角色", "Role"), "registered": ("登记名称", "Registered name"),
    "qualifiers": ("限定", "Qualifiers"), "qualifierLabel": ("限定", "Qualifier"),
    "periodStart": ("起始", "From"), "periodEnd": ("截止", "To"), "asOf": ("截至", "As of"),
    "event": ("活动", "Event"), "eventLabel": ("活动", "Event"), "agency": ("机构", "Agency"),
    "agencyLabel": ("机构", "Agency"), "label": ("名称", "Label"), "hops": ("跳数", "Hops"),
    "announcer": ("宣布者", "Announcer"), "announcerLabel": ("宣布者", "Announced by"),
    "announcerPinyin": ("拼音", "Pinyin"), "province": ("省份", "Province"),
    "provinceLabel": ("省份", "Province"), "region": ("地区", "Region"),
    "samePerson": ("同一人", "Same person"), "printed": ("原文写法", "As printed"),
    "programme": ("项目", "Programme"), "issuer": ("发布机构", "Issuer"),
    "issuerLabel": ("发布机构", "Issuer"), "facility": ("机构设施", "Facility"),
    "facilityLabel": ("机构设施", "Facility"), "operator": ("运营方", "Operator"),
    "operatorLabel": ("运营方", "Operator"), "entity": ("实体", "Entity"),
    "differs": ("差异", "Differs"), "assessment": ("评估", "Assessment"),
    "claimClass": ("断言类型", "Claim type"), "valueMax": ("上限", "Up to"),
    "type": ("类型", "Type"), "title": ("标题", "Title"), "text": ("文本", "Text"),
    "start": ("位置", "Offset"), "sources": ("来源数", "Sources"),
    "sourceList": ("来源", "Sources"), "pinyin": ("拼音", "Pinyin"), "parent": ("上级", "Parent"),
    "posts": ("职务", "Posts"), "issued": ("日期", "Date"), "day": ("日期", "Day"),
    "dates": ("日期", "Dates"), "claims": ("断言数", "Claims"), "about": ("关于", "About"),
    "language": ("语言", "Language"), "labelZh": ("中文名", "Chinese label"),
    "labelEn": ("英文名", "English label"), "matched": ("匹配", "Matched"),
    "link": ("关系", "Link"), "from": ("起点", "From"), "to": ("终点", "To"),
    "top": ("上级", "Top"), "minSources": ("最少来源数", "Minimum sources"),
    "atLeast": ("不少于", "At least"), "result": ("结果", "Result"),
    "action": ("行动", "Action"), "attested": ("见于", "Attested"), "basis": ("归属依据", "Basis"),
    "effectiveFrom": ("施行日期", "In effect from"), "end": ("结束位置", "End"),
    "first": ("最早", "First"), "last": ("最晚", "Last"), "namedBy": ("指称", "Named by"),
    "node": ("节点", "Node"), "object": ("客体", "Object"), "part": ("子项", "Part"),
    "policy": ("政策措施", "Policy measure"), "printedAs": ("原文写法", "As printed"),
    "relation": ("关系", "Relation"), "scope": ("适用范围", "Scope"),
    "scopeAsPrinted": ("原文所述范围", "Scope as printed"), "subject": ("主体", "Subject"),
    "who": ("谁", "Who"), "announcers": ("宣布者", "Announced by"),
    "comparatorConcept": ("比较", "Comparator"), "continuedBy": ("下一年延续为", "Carried on by"),
    "continues": ("延续", "Carries on"), "figure": ("数据", "Figure"),
    "figureIndicator": ("数据指标", "Figure's indicator"),
    "figurePlace": ("数据地区", "Figure's place"), "figureQualifiers": ("数据限定", "Qualifiers"),
    "figureQuote": ("数据原文", "Figure's quote"), "figureReporters": ("报告者", "Reported by"),
    "figureSource": ("数据来源", "Figure's source"), "figureUnit": ("数据单位", "Figure's unit"),
    "figureValue": ("数据数值", "Figure's value"), "figureWhen": ("数据时间", "Figure's date"),
    "results": ("结果", "Results"),
}


#: Titles of common predicates from vocabularies whose terms carry no Chinese label.
PREDICATES: dict[str, tuple[str, str]] = {
    "rdf:type": ("类型", "type"), "rdfs:label": ("名称", "name"),
    "skos:altLabel": ("别名", "also called"), "skos:note": ("注释", "note"),
    "skos:definition": ("定义", "definition"), "skos:inScheme": ("所属体系", "in scheme"),
    "skos:notation": ("代码", "code"), "schema:mentions": ("提及", "mentions"),
    "schema:author": ("作者", "author"), "schema:publisher": ("媒体", "publisher"),
    "schema:containedInPlace": ("所在地", "contained in"), "dcterms:title": ("标题", "title"),
    "dcterms:date": ("日期", "date"), "dcterms:issued": ("发布日期", "issued"),
    "dcterms:creator": ("发布者", "creator"), "dcterms:isPartOf": ("属于", "part of"),
    "dcterms:source": ("来源", "source"), "dcterms:language": ("语言", "language"),
    "prov:wasDerivedFrom": ("来源", "derived from"), "org:member": ("人员", "member"),
    "org:organization": ("机构", "organisation"), "org:role": ("职务", "role"),
    "org:unitOf": ("上级机构", "unit of"), "org:postIn": ("所在机构", "post in"),
    "oa:exact": ("原文", "quote"), "oa:start": ("起始位置", "start"), "oa:end": ("结束位置", "end"),
    "owl:sameAs": ("等同于", "same as"), "rdfs:isDefinedBy": ("定义于", "defined by"),
    "rdfs:subClassOf": ("上位类", "subclass of"), "rdfs:comment": ("说明", "comment"),
}

#: YASGUI's own interface words (it has no translations) in Chinese; the editor's script
#: replaces them where they stand. English pages keep YASGUI's words.
YASGUI_WORDS: dict[str, str] = {
    "Settings": "设置", "Request method": "请求方法", "Accept Headers": "Accept 头",
    "Ask / Select": "ASK / SELECT", "Construct / Describe": "CONSTRUCT / DESCRIBE",
    "Arguments": "参数", "Header Arguments": "请求头参数", "Default Graphs": "默认图",
    "Named Graphs": "命名图", "Table": "表格", "Response": "原始响应", "Simple view": "简洁视图",
    "Ellipse": "省略长文本", "Page size:": "每页行数：", "All": "全部", "Close tab": "关闭标签页",
    "Add a new tab": "新建标签页", "Add tab": "新建标签页", "Open settings": "打开设置",
    "Clear endpoint": "清除端点", "Share query": "分享查询", "Run query": "运行查询",
    "Filter query results": "筛选查询结果", "Download Results": "下载结果",
    "Download result": "下载结果", "View documentation of Table": "表格视图说明",
    "pagination": "分页", "First": "首页", "Previous": "上一页", "Next": "下一页", "Last": "末页",
    "Query": "查询", "Endpoint": "端点", "Save": "保存", "Cancel": "取消", "Close": "关闭",
    "Copy": "复制", "Shorten": "缩短", "Prefixes": "前缀", "Request": "请求", "Editor": "编辑器",
    "Key": "键", "Value": "值", "Add": "添加", "Remove": "删除", "Abort query": "中止查询",
    "Reset": "重置", "Format": "格式", "Show all": "全部显示", "Hide": "隐藏",
}


def yasgui_words(lang: str) -> dict[str, str]:
    """The replacements of YASGUI's words for a page in `lang`."""
    return YASGUI_WORDS if lang == "zh" else {}


def choose_language(request: Request) -> str:
    """zh or en for this request: ?lang=, then the cookie, then Accept-Language."""
    for value in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if value and value.split("-")[0].lower() in LANGUAGES:
            return value.split("-")[0].lower()
    header = request.headers.get("accept-language")
    return language_from_header(header) if header else DEFAULT_LANGUAGE


def language_from_header(header: str) -> str:
    """The best of zh/en by Accept-Language q-weights; English if it names neither."""
    best, best_q = None, 0.0
    wildcard_q = 0.0
    for part in header.split(","):
        match = _RANGE.match(part)
        if not match:
            continue
        tag = match.group(1).lower()
        try:
            q = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        if tag == "*":
            wildcard_q = q
        elif tag in LANGUAGES and q > best_q:
            best, best_q = tag, q
    if best is not None:
        return best
    return DEFAULT_LANGUAGE if wildcard_q > 0 else "en"


class Translator:
    """The interface text of one language: `t("nav.search")`, `t("list.count", n=3)`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._index = LANGUAGES.index(lang)

    def __call__(self, key: str, **values: object) -> str:
        """The message, its fields filled in; with any field markup (a link, a code
        element), markup whose other fields are escaped."""
        text = MESSAGES[key][self._index]
        if any(isinstance(v, Markup) for v in values.values()):
            return Markup(text).format(**values)
        return text.format(**values) if values else text

    def predicate(self, compact_name: str) -> str | None:
        texts = PREDICATES.get(compact_name)
        return texts[self._index] if texts else None

    def tag(self, name: str) -> str:
        texts = TAGS.get(name)
        return texts[self._index] if texts else name

    def parameter_type(self, name: str) -> str:
        texts = PARAMETER_TYPES.get(name)
        return texts[self._index] if texts else name

    def column(self, variable: str) -> str:
        if variable in COLUMNS:
            return COLUMNS[variable][self._index]
        stem = variable.rstrip("0123456789")
        if stem != variable and stem:  # value1, value2: the pair's members
            return f"{self.column(stem)} {variable[len(stem):]}"
        words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", variable).lower()
        return words.removesuffix(" label").capitalize()
