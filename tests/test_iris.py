import pytest

from kg.iris import IriMinter, is_slug, person_slug, pinyin_of, slugify
from kg.records import Person
from kg.settings import Settings


def test_pinyin_of_person_names() -> None:
    assert pinyin_of("焦雅辉") == "Jiao Yahui"
    assert person_slug(pinyin_of("胡强强")) == "hu-qiangqiang"


def test_slugs() -> None:
    assert slugify("Jiao Yahui") == "jiao-yahui"
    assert is_slug("task-2025-childcare")
    assert not is_slug("Task_1")


def test_iris_under_configurable_base() -> None:
    minter = IriMinter("http://example.org/kg")
    assert str(minter.entity("person", "jiao-yahui")) == "http://example.org/kg/person/jiao-yahui"
    assert str(minter.claim("002", "t-x")) == "http://example.org/kg/claim/002/t-x"
    assert str(minter.graph("source/002")) == "http://example.org/kg/graph/source/002"


def test_base_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_BASE_IRI", "https://kg.test")
    minter = IriMinter(Settings().base_iri)
    assert str(minter.entity("agency", "nhc")) == "https://kg.test/agency/nhc"


def test_person_id_must_be_minted_from_pinyin() -> None:
    assert Person(id="jiao-yahui", name_zh="焦雅辉").id == "jiao-yahui"
    assert Person(id="jiao-yahui-2", name_zh="焦雅辉").id == "jiao-yahui-2"
    with pytest.raises(ValueError, match="minted from pinyin"):
        Person(id="jiao", name_zh="焦雅辉")
